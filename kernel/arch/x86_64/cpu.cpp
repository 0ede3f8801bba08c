// The x86_64 side of the arch contract that is a few instructions each: interrupts, halting,
// leaving QEMU, page-table switches, the memory probes and stack switching.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"

extern "C" int x86_64_probe_write_u8(volatile base::u8* address, base::u8 value);
extern "C" int x86_64_probe_read_u8(const volatile base::u8* address, base::u8* out);
extern "C" [[noreturn]] void x86_64_switch_stack_and_call(base::uptr top, void (*entry)(void*), void* argument);

const char* arch::name() { return "x86_64"; }

void arch::interrupts_enable() { asm volatile("sti" ::: "memory"); }
void arch::interrupts_disable() { asm volatile("cli" ::: "memory"); }
bool arch::interrupts_enabled() {
    base::u64 flags;
    asm volatile("pushfq; popq %0" : "=r"(flags));
    return flags & (1 << 9);
}
// sti takes effect after the next instruction, so "sti; hlt" cannot miss a wake-up.
void arch::wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }

[[noreturn]] void arch::halt() {
    for (;;) asm volatile("cli; hlt");
}

[[noreturn]] void arch::exit_emulator(ExitCode code) {
    // isa-debug-exit at 0xf4: QEMU exits with (code << 1) | 1.
    x86_64::outl(0xf4, static_cast<base::u32>(code));
    halt();  // no such device: stop here
}

// Kernel mappings are global (CR4.PGE, set in boot.S), so a CR3 write alone would keep the old
// tables' kernel entries in the TLB; switching roots therefore flushes everything.
void arch::page_table_activate(base::u64 root_physical) {
    x86_64::write_cr3(root_physical);
    tlb_flush_all();
}
void arch::tlb_flush_page(base::u64 virtual_address) { asm volatile("invlpg (%0)" ::"r"(virtual_address) : "memory"); }
void arch::tlb_flush_all() {
    // Global entries survive a CR3 reload; a write to CR4 that changes PGE drops every entry.
    // With PGE off there are no global entries and reloading CR3 is enough.
    const base::u64 cr4 = x86_64::read_cr4();
    if (cr4 & x86_64::kCr4PageGlobalEnable) {
        x86_64::write_cr4(cr4 & ~x86_64::kCr4PageGlobalEnable);
        x86_64::write_cr4(cr4);
    } else {
        x86_64::write_cr3(x86_64::read_cr3());
    }
}

bool arch::probe_write_u8(volatile base::u8* address, base::u8 value) { return x86_64_probe_write_u8(address, value); }
bool arch::probe_read_u8(const volatile base::u8* address, base::u8* out) { return x86_64_probe_read_u8(address, out); }

[[noreturn]] void arch::switch_stack_and_call(base::uptr stack_top, void (*entry)(void*), void* argument) {
    x86_64_switch_stack_and_call(stack_top, entry, argument);
}

base::uptr arch::current_frame_pointer() { return reinterpret_cast<base::uptr>(__builtin_frame_address(0)); }
