// The aarch64 side of the arch contract that is a few instructions each: interrupts,
// halting, leaving QEMU (semihosting), page-table switches, the probes, stack switching.
#include "arch/arch.h"
#include "kernel/arch/aarch64/cpu.h"

extern "C" int aarch64_probe_write_u8(volatile base::u8* address, base::u8 value);
extern "C" int aarch64_probe_read_u8(const volatile base::u8* address, base::u8* out);
extern "C" [[noreturn]] void aarch64_switch_stack_and_call(base::uptr top, void (*entry)(void*), void* argument);

const char* arch::name() { return "aarch64"; }

void arch::interrupts_enable() { asm volatile("msr daifclr, #2" ::: "memory"); }
void arch::interrupts_disable() { asm volatile("msr daifset, #2" ::: "memory"); }
bool arch::interrupts_enabled() { return (AARCH64_READ_SYSREG(daif) & (1 << 7)) == 0; }
// wfi wakes on a pending interrupt even while masked: sleep masked, then unmask to take it.
// (Unmasking first would take an interrupt that is already pending and then sleep until the
// next one, with the wake-up it brought unseen.)
void arch::wait_for_interrupt() { asm volatile("wfi; msr daifclr, #2; isb" ::: "memory"); }

[[noreturn]] void arch::halt() {
    for (;;) asm volatile("msr daifset, #0xf; wfi");
}

[[noreturn]] void arch::exit_emulator(ExitCode code) {
    // Semihosting SYS_EXIT (0x18) with the AArch64 parameter block {reason, subcode}:
    // ADP_Stopped_ApplicationExit and the status QEMU exits with, (code << 1) | 1 as on x86_64.
    static volatile base::u64 block[2];
    block[0] = 0x20026;
    block[1] = (static_cast<base::u64>(code) << 1) | 1;
    register base::u64 operation asm("x0") = 0x18;
    register const volatile base::u64* parameters asm("x1") = block;
    asm volatile("hlt #0xf000" ::"r"(operation), "r"(parameters) : "memory");
    halt();  // semihosting disabled: stop here
}

void arch::page_table_activate(base::u64 root_physical) {
    // The kernel's tables serve the upper half. The lower half (TTBR0) is left to userland:
    // EPD0 stops walks there, so the boot identity map is gone and null pointers fault.
    asm volatile("dsb ishst" ::: "memory");
    AARCH64_WRITE_SYSREG(ttbr1_el1, root_physical);
    AARCH64_WRITE_SYSREG(tcr_el1, AARCH64_READ_SYSREG(tcr_el1) | (1ull << 7));
    asm volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
}

void arch::tlb_flush_page(base::u64 virtual_address) {
    asm volatile("dsb ishst; tlbi vaae1, %0; dsb nsh; isb" ::"r"(virtual_address >> 12) : "memory");
}
void arch::tlb_flush_all() { asm volatile("dsb ishst; tlbi vmalle1; dsb nsh; isb" ::: "memory"); }

bool arch::probe_write_u8(volatile base::u8* address, base::u8 value) { return aarch64_probe_write_u8(address, value); }
bool arch::probe_read_u8(const volatile base::u8* address, base::u8* out) { return aarch64_probe_read_u8(address, out); }

[[noreturn]] void arch::switch_stack_and_call(base::uptr stack_top, void (*entry)(void*), void* argument) {
    aarch64_switch_stack_and_call(stack_top, entry, argument);
}

base::uptr arch::current_frame_pointer() { return reinterpret_cast<base::uptr>(__builtin_frame_address(0)); }
