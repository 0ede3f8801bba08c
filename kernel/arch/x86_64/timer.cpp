// x86_64 time: the legacy 8259 PICs are remapped and masked (the LAPIC takes over); the LAPIC
// timer and the TSC are both calibrated against the PIT (channel 2, gated through port 0x61)
// over 10 ms. The LAPIC timer then ticks periodically; the monotonic clock is the TSC scaled
// to nanoseconds with a 32.32 fixed-point multiplier (no division at read time).
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/core/panic.h"
#include "kernel/mm/layout.h"

namespace x86_64 {
namespace {

constexpr u32 kApicEoi = 0xb0, kApicSpurious = 0xf0, kApicLvtTimer = 0x320, kApicInitialCount = 0x380,
              kApicCurrentCount = 0x390, kApicDivide = 0x3e0;
constexpr u32 kPitHz = 1193182;
constexpr u32 kCalibrationHz = 100;  // 10 ms

u64 local_apic_physical = 0xfee0'0000;
u64 tsc_start = 0;
u64 tsc_to_ns_multiplier = 0;  // nanoseconds per TSC tick, 32.32 fixed point
void (*tick_callback)() = nullptr;

volatile u32& apic(u32 offset) {
    return *reinterpret_cast<volatile u32*>(kernel::layout::physical_to_virtual(local_apic_physical) + offset);
}

void mask_legacy_pics() {
    // Remap to vectors 0x20-0x2f first so a stray legacy interrupt cannot look like an exception.
    outb(0x20, 0x11); outb(0xa0, 0x11);
    outb(0x21, 0x20); outb(0xa1, 0x28);
    outb(0x21, 0x04); outb(0xa1, 0x02);
    outb(0x21, 0x01); outb(0xa1, 0x01);
    outb(0x21, 0xff); outb(0xa1, 0xff);
}

// Counts LAPIC timer ticks (divide by 16) and TSC ticks during 10 ms of the PIT.
void calibrate(u32& apic_ticks, u64& tsc_ticks) {
    outb(0x61, static_cast<u8>((inb(0x61) & ~0x02) | 0x01));  // gate channel 2 on, speaker off
    outb(0x43, 0xb0);  // channel 2, low then high byte, mode 0 (interrupt on terminal count)
    const u32 count = kPitHz / kCalibrationHz;
    outb(0x42, static_cast<u8>(count));
    outb(0x42, static_cast<u8>(count >> 8));
    const u8 gate = static_cast<u8>(inb(0x61) & ~0x01);
    outb(0x61, gate);  // restart the count with a rising edge on the gate
    outb(0x61, gate | 0x01);

    apic(kApicDivide) = 0x3;
    apic(kApicLvtTimer) = 1 << 16;  // masked, one-shot
    apic(kApicInitialCount) = 0xffff'ffff;
    const u64 tsc_before = read_tsc();
    // OUT2 (bit 5) rises at terminal count. Bounded: 10 ms is far below this many polls.
    for (u64 polls = 0; !(inb(0x61) & 0x20); ++polls) {
        if (polls > 500'000'000) kernel::panic("timer: the PIT never reached its terminal count");
    }
    tsc_ticks = read_tsc() - tsc_before;
    apic_ticks = 0xffff'ffff - apic(kApicCurrentCount);
    apic(kApicInitialCount) = 0;
}

}  // namespace

void set_local_apic(u64 physical) { local_apic_physical = physical; }

void timer_interrupt() {
    if (tick_callback) tick_callback();
    apic(kApicEoi) = 0;
}

}  // namespace x86_64

void arch::timer_init(base::u32 hz, void (*on_tick)()) {
    using namespace x86_64;
    mask_legacy_pics();
    apic(kApicSpurious) = 0x100 | kSpuriousVector;  // software-enable the LAPIC
    u32 apic_ticks = 0;
    u64 tsc_ticks = 0;
    calibrate(apic_ticks, tsc_ticks);
    if (apic_ticks == 0 || tsc_ticks == 0) kernel::panic("timer: calibration measured no ticks");
    const u64 tsc_hz = tsc_ticks * kCalibrationHz;
    tsc_to_ns_multiplier = (u64(1'000'000'000) << 32) / tsc_hz;
    tsc_start = read_tsc();
    tick_callback = on_tick;
    const u64 apic_hz = u64(apic_ticks) * kCalibrationHz;
    apic(kApicDivide) = 0x3;
    apic(kApicLvtTimer) = (1 << 17) | kTimerVector;  // periodic
    apic(kApicInitialCount) = static_cast<u32>(apic_hz / hz);
}

base::u64 arch::monotonic_ns() {
    using namespace x86_64;
    if (tsc_to_ns_multiplier == 0) return 0;  // before timer_init: time has not started
    const u64 ticks = read_tsc() - tsc_start;
    return static_cast<u64>((static_cast<unsigned __int128>(ticks) * tsc_to_ns_multiplier) >> 32);
}
