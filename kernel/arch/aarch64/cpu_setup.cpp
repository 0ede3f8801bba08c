// What every CPU sets up for itself, the same on each: the boot CPU calls this first thing in
// arch_aarch64_start, every other CPU first thing in aarch64_secondary_start. Its MMU state
// (MAIR, TCR, SCTLR, the kernel's tables) is not here: a secondary CPU copies the boot CPU's
// as the boot CPU runs with it (smp.cpp).
#include "kernel/arch/aarch64/cpu.h"

extern "C" char exception_vectors[];

namespace aarch64 {
namespace {

constexpr u64 kCpacrFpen = 3ull << 20;      // FP/SIMD not trapped at EL0 or EL1
constexpr u64 kCntkctlEl0Vcten = 1ull << 1;  // EL0 may read the virtual counter
constexpr u64 kCntkctlEventStream = 1ull << 2;  // EVNTEN: events from a counter bit's 0-to-1 transitions
constexpr u64 kCntkctlEventIndexShift = 4;       // EVNTI: which bit
constexpr u64 kCntkctlEventIndexMask = 0xfull << kCntkctlEventIndexShift;
constexpr u64 kSctlrSpan = 1ull << 23;       // 0: PSTATE.PAN is set on every exception entry to EL1

bool has_pan() { return ((AARCH64_READ_SYSREG(id_aa64mmfr1_el1) >> 20) & 0xf) != 0; }

}  // namespace

void configure_this_cpu() {
    // The vectors first, so that any fault from here on is a readable dump.
    AARCH64_WRITE_SYSREG(vbar_el1, reinterpret_cast<u64>(exception_vectors));
    asm volatile("isb");
    // FP/SIMD for EL0 (the kernel itself is built with -mgeneral-regs-only; user threads' state
    // is switched eagerly).
    AARCH64_WRITE_SYSREG(cpacr_el1, AARCH64_READ_SYSREG(cpacr_el1) | kCpacrFpen);
    // Programs time themselves with the virtual counter. The event stream (bit 11 of the virtual
    // counter: every 4,096 counts, ~65 us at QEMU's 62.5 MHz) bounds any wfe's wait, so a
    // spinning CPU whose wake-up event went missing still looks again (arch::spin_wait_while_equal).
    AARCH64_WRITE_SYSREG(cntkctl_el1, (AARCH64_READ_SYSREG(cntkctl_el1) & ~kCntkctlEventIndexMask) | kCntkctlEl0Vcten |
                                          kCntkctlEventStream | (11ull << kCntkctlEventIndexShift));
    // PAN where the CPU has it: the kernel's own loads and stores to user pages fault; only
    // the checked copies (LDTR/STTR) reach them. Kept on at every exception entry (SPAN = 0).
    if (has_pan()) {
        AARCH64_WRITE_SYSREG(sctlr_el1, AARCH64_READ_SYSREG(sctlr_el1) & ~kSctlrSpan);
        asm volatile(".inst 0xd500419f" ::: "memory");  // msr pan, #1
    }
    asm volatile("isb");
}

bool pan_enabled() { return has_pan(); }

}  // namespace aarch64
