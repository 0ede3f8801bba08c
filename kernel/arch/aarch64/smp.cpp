// aarch64 side of arch/smp.h. A CPU is started with PSCI CPU_ON (DEN0022), called by hvc or smc
// as the device tree's psci node says; it enters smp_entry.S with the physical address of its
// SecondaryStart, which carries the boot CPU's MMU registers as they are now (so both CPUs run
// the kernel's own tables with the same attributes, SCTLR bits and all) and its stacks. The
// reschedule IPI is an SGI (gic.cpp) to the CPU interface the target CPU found it has.
#include "arch/smp.h"

#include "arch/arch.h"
#include "arch/page_table_format.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/arch/aarch64/secondary_start.h"
#include "kernel/boot/boot_info.h"
#include "kernel/core/log.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/smp/cpu_local.h"

extern "C" char aarch64_secondary_entry[];
extern "C" base::i64 aarch64_psci_hvc(base::u64 function, base::u64 argument1, base::u64 argument2, base::u64 argument3);
extern "C" base::i64 aarch64_psci_smc(base::u64 function, base::u64 argument1, base::u64 argument2, base::u64 argument3);
extern "C" const base::u64 aarch64_psci_instructions[2];

namespace aarch64 {
namespace {

using Psci = kernel::BootInfo::PsciMethod;
using base::i64;

// PSCI 0.2+ CPU_ON, SMC64 convention: x1 = target MPIDR affinity, x2 = entry (physical),
// x3 = context id (given to the entry in x0).
constexpr u64 kPsciCpuOn = 0xc400'0003;
constexpr i64 kPsciNotSupported = -1;
constexpr u64 kTcrEpd0 = 1ull << 7;
constexpr u64 kGibibyte = 1ull << 30;

// One record per CPU: written by the boot CPU before it starts that CPU, then only read.
alignas(64) constinit SecondaryStart starts[arch::kMaxCpus];

// The identity map a starting CPU runs on while its MMU comes on: the 1 GiB block holding
// smp_entry.S at its physical address, read-only and executable at EL1 (so that no SCTLR bit
// the boot CPU has, WXN included, can refuse it). Built once, by the boot CPU, then only read.
alignas(4096) constinit u64 identity_root[512];
alignas(4096) constinit u64 identity_level1[512];
constinit bool identity_built = false;

// Writes [address, address + size) back to memory: a CPU with its MMU off reads memory, not
// the boot CPU's caches.
void clean_to_point_of_coherency(const void* address, base::usize size) {
    const u64 line = 4ull << ((AARCH64_READ_SYSREG(ctr_el0) >> 16) & 0xf);  // DminLine: log2 of words
    const u64 start = reinterpret_cast<u64>(address) & ~(line - 1);
    const u64 end = reinterpret_cast<u64>(address) + size;
    // Bound: (size + line) / line lines.
    for (u64 at = start; at < end; at += line) asm volatile("dc cvac, %0" ::"r"(at) : "memory");
    asm volatile("dsb sy" ::: "memory");
}

u64 identity_map_root() {
    using Format = kernel::Aarch64PageTableFormat;
    if (!identity_built) {
        const u64 entry = kernel_image_physical(aarch64_secondary_entry);
        kernel::MappingFlags flags;
        flags.executable = true;
        identity_level1[Format::index(entry, 2)] = Format::make_leaf(entry & ~(kGibibyte - 1), flags, 2);
        identity_root[Format::index(entry, 3)] = Format::make_table(kernel_image_physical(identity_level1));
        clean_to_point_of_coherency(identity_root, sizeof identity_root);
        clean_to_point_of_coherency(identity_level1, sizeof identity_level1);
        identity_built = true;
    }
    return kernel_image_physical(identity_root);
}

i64 psci_call(Psci method, u64 function, u64 argument1, u64 argument2, u64 argument3) {
    return method == Psci::Hvc ? aarch64_psci_hvc(function, argument1, argument2, argument3)
                               : aarch64_psci_smc(function, argument1, argument2, argument3);
}

const char* psci_error_name(i64 code) {
    switch (code) {
        case -1: return "not supported";
        case -2: return "invalid parameters";
        case -3: return "denied";
        case -4: return "already on";
        case -5: return "on pending";
        case -6: return "internal failure";
        case -9: return "invalid address";
        default: return "unknown error";
    }
}

}  // namespace
}  // namespace aarch64

bool aarch64::psci_undefined_resume(u64 instruction, u64& result) {
    // Is it one of the two conduit instructions (psci.S)? Then nothing is behind it.
    if (instruction != aarch64_psci_instructions[0] && instruction != aarch64_psci_instructions[1]) return false;
    result = static_cast<u64>(kPsciNotSupported);
    return true;
}

bool arch::start_cpu(unsigned index, base::u64 hardware_id, base::uptr stack_top, base::uptr stack_bottom, kernel::CpuLocal* local) {
    using namespace aarch64;
    // Is there a way to start it at all, and is it a CPU we can describe?
    const Psci method = kernel::boot_information().psci_method;
    if (method == Psci::None) {
        kernel::log("smp: cpu {}: the device tree offers no PSCI to start it with", index);
        return false;
    }
    if (index == 0 || index >= kMaxCpus || local == nullptr) return false;
    SecondaryStart& start = starts[index];
    // Its overflow stack (for a kernel stack overflow on that CPU), kept if it is started again.
    if (start.overflow_stack_top == 0) {
        auto overflow = kernel::mm::allocate_kernel_stack_with_bounds();
        if (overflow.is_error()) {
            kernel::log("smp: cpu {}: no overflow stack ({})", index, overflow.error().message);
            return false;
        }
        start.overflow_stack_top = overflow.value().top;
    }
    // The boot CPU's MMU state as it runs now, the kernel's own tables in TTBR1.
    start.mair = AARCH64_READ_SYSREG(mair_el1);
    start.tcr = AARCH64_READ_SYSREG(tcr_el1) & ~kTcrEpd0;
    start.identity_root = identity_map_root();
    start.kernel_root = AARCH64_READ_SYSREG(ttbr1_el1);
    start.sctlr = AARCH64_READ_SYSREG(sctlr_el1);
    start.stack_top = stack_top;
    start.record = reinterpret_cast<u64>(&start);
    start.stack_bottom = stack_bottom;
    start.local = local;
    start.index = index;
    clean_to_point_of_coherency(&start, sizeof start);

    const i64 result = psci_call(method, kPsciCpuOn, hardware_id, kernel_image_physical(aarch64_secondary_entry),
                                 kernel_image_physical(&start));
    if (result != 0) {
        kernel::log("smp: cpu {} (hardware id {:#x}): PSCI CPU_ON by {} returned {} ({})", index, hardware_id,
                    method == Psci::Hvc ? "hvc" : "smc", result, psci_error_name(result));
        return false;
    }
    return true;
}

// smp_entry.S calls this on the new CPU, MMU on, on its own stack, interrupts masked.
extern "C" [[noreturn]] void aarch64_secondary_start(const aarch64::SecondaryStart* start) {
    aarch64::configure_this_cpu();
    kernel::CpuLocal* local = start->local;
    // What vectors.S's kernel-stack overflow check reads once TPIDR_EL1 points at `local`.
    local->stack_limit = start->stack_bottom;
    local->overflow_stack_top = start->overflow_stack_top;
    // Its GIC interface, taking only SGIs: no timer, no device interrupt is routed here yet.
    aarch64::gic_init_this_cpu(start->index);
    arch::set_cpu_local(local);
    kernel::secondary_cpu_main(start->index);
}

void arch::send_reschedule(unsigned index) { (void)aarch64::gic_send_sgi(index, aarch64::kRescheduleSgi); }

// No `sevl; wfe` first (as a wait for the word alone could have): that would also clear an
// event a spin_wake_others sent after the caller last looked at its request, and lose it. A stale
// event only makes one wait return at once.
base::u32 arch::spin_wait_while_equal(const base::u32* word, base::u32 seen) {
    base::u32 value;
    asm volatile(
        "ldaxr %w0, [%1]\n"
        "cmp %w0, %w2\n"
        "b.ne 1f\n"
        "wfe\n"
        "1:"
        : "=&r"(value)
        : "r"(word), "r"(seen)
        : "memory", "cc");
    return value != seen ? value : __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

void arch::spin_wake_others() { asm volatile("dsb ish; sev" ::: "memory"); }

bool arch::sleep_while_spinning() {
    if (!aarch64::gic_no_interrupt_active()) return false;
    asm volatile("dsb sy; wfi" ::: "memory");
    aarch64::gic_clear_pending_sgi(aarch64::kLockWakeSgi);
    return true;
}

void arch::send_lock_wake(unsigned index) { (void)aarch64::gic_send_sgi(index, aarch64::kLockWakeSgi); }
