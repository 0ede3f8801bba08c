// kernel_main: the portable half of boot. The architecture has set up its console, traps and
// boot page tables and described the machine in BootInfo; from here the kernel prints its
// banner, takes over physical memory, builds its own page tables, moves to a guarded stack,
// starts the clock and then runs the tests, the deliberate panic, or idles.
#include "arch/arch.h"
#include "base/atomic.h"
#include "kernel/boot/boot_info.h"
#include "kernel/core/command_line.h"
#include "kernel/core/init_task.h"
#include "kernel/core/log.h"
#include "kernel/core/panic.h"
#include "kernel/core/timer.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"
#include "arch/user_mode.h"
#include "kernel/sched/scheduler.h"
#include "kernel/smp/kernel_lock.h"
#include "kernel/smp/smp.h"

namespace kernel {
namespace {

void log_memory_map(const MemoryMap& memory) {
    for (const MemoryRegion& region : memory.regions()) {
        log("  memory {:#014x}-{:#014x} {}", region.base, region.end(), memory_kind_name(region.kind));
    }
}

// The target of the panic test: a write into the guard page below the first kernel stack,
// which is never mapped. noinline so that it has its own frame and name in the backtrace.
[[gnu::noinline]] void deliberately_fault_for_panic_test() {
    auto* guard = reinterpret_cast<volatile base::u64*>(layout::kKernelStacksBase + 8);
    *guard = 0x7e57'7e57;
}

[[gnu::noinline]] void run_panic_test() {
    log("panic test: writing to an unmapped guard page; a panic dump must follow");
    deliberately_fault_for_panic_test();
    log("panic test: the write did not fault");
    arch::exit_emulator(arch::ExitCode::Failed);
}

// The target of the stack-overflow test: recursion that runs into the guard page below the
// kernel stack. The bound only keeps the compiler from calling the recursion infinite.
[[gnu::noinline]] base::u64 recurse_into_the_guard_page(base::u64 depth) {
    volatile base::u8 frame_filler[512];
    frame_filler[0] = static_cast<base::u8>(depth);
    if (depth > (base::u64(1) << 40)) return depth;
    return recurse_into_the_guard_page(depth + 1) + frame_filler[0];
}

[[noreturn]] void run_stack_overflow_test() {
    // The harness checks that the fault lands in exactly this page (a mapped guard would not).
    log("stack overflow test: recursing into the guard page at {:#x}; a panic dump must follow",
        mm::kernel_stack_guard_page(arch::current_frame_pointer()));
    (void)recurse_into_the_guard_page(0);
    log("stack overflow test: the recursion returned");
    arch::exit_emulator(arch::ExitCode::Failed);
}

[[noreturn]] void continue_on_kernel_stack(void* argument) {
    const BootInfo& boot_info = *static_cast<const BootInfo*>(argument);
    kernel_lock::acquire();  // the boot CPU runs the kernel from here on (kernel_lock.h)
    kernel_lock::allow_interrupts_while_held(true);  // its ticks come in under it until it schedules
    sched::init();
    timer::start();
    arch::interrupts_enable();
    const CommandLine command_line(boot_info.command_line);
    const bool kernel_tests = command_line.has_word("test") || command_line.value_of("test").has_value();
    const base::u64 held_back = command_line.number_of("smp-hold-back").value_or(~0u);
    (void)smp::start_secondary_cpus(boot_info, !kernel_tests, held_back < ~0u ? static_cast<unsigned>(held_back) : ~0u);

    if (command_line.has_word("panic-test")) run_panic_test();
    if (command_line.has_word("stack-overflow-test")) run_stack_overflow_test();
    if (kernel_tests) {
        const base::StringView filter = command_line.value_of("test").value_or(base::StringView());
        test::run_all_and_exit(filter.data(), filter.size());
    }

    if (start_init(boot_info)) {
        arch::interrupts_disable();
        kernel_lock::allow_interrupts_while_held(false);  // from here on every hold has them off
        sched::start();
    }
    log("ready: no userland (the in-OS tests run with the command line 'test')");
    arch::interrupts_disable();
    kernel_lock::allow_interrupts_while_held(false);
    kernel_lock::release();  // the other CPUs may idle too
    for (;;) arch::wait_for_interrupt();
}

}  // namespace

[[noreturn]] void kernel_main(BootInfo& boot_info) {
    smp::init_boot_cpu(boot_info);  // before anything reads this CPU's CpuLocal
    keep_boot_information(boot_info);
    // A map that does not fit would lose RAM or a reservation: stop with the reason instead.
    if (auto normalized = boot_info.memory.normalize(); normalized.is_error())
        panic("the boot memory map cannot be used: {}", normalized.error().message);
    log("VectraOS {} ({}) — {} CPU{}, {} MiB RAM", VECTRA_VERSION, arch::name(), boot_info.cpu_count,
        boot_info.cpu_count == 1 ? "" : "s", boot_info.memory.total_ram_bytes() >> 20);
    log("command line: '{}'", boot_info.command_line);
    log_memory_map(boot_info.memory);

    if (auto result = mm::build_kernel_address_space(boot_info); result.is_error()) {
        panic("cannot build the kernel's address space: {}", result.error().message);
    }
    log("{}", arch::user_mode_init());
    auto stack = mm::allocate_kernel_stack_with_bounds();
    if (stack.is_error()) panic("cannot allocate the first kernel stack: {}", stack.error().message);
    arch::set_kernel_stack(stack.value().top, stack.value().bottom);
    arch::switch_stack_and_call(stack.value().top, continue_on_kernel_stack, &boot_info);
}

}  // namespace kernel
