// x86_64 time: the LAPIC timer and the TSC are both calibrated against the PIT (channel 2,
// gated through port 0x61) over 10 ms. The LAPIC timer then ticks periodically; the monotonic
// clock is the TSC scaled to nanoseconds with a 32.32 fixed-point multiplier (no division at
// read time). The TSC never runs backwards on one CPU; QEMU and KVM keep it constant-rate.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/arch/x86_64/legacy_pic.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/core/panic.h"

namespace x86_64 {
namespace {

constexpr u32 kPitHz = 1193182;
constexpr u32 kCalibrationHz = 100;  // calibrate over 10 ms
constexpr u32 kApicDivideBy16 = 0x3;
constexpr u32 kLvtMasked = 1u << 16, kLvtPeriodic = 1u << 17;
constexpr u16 kPitChannel2 = 0x42, kPitCommand = 0x43, kSystemControlB = 0x61;
constexpr u8 kGateChannel2 = 1 << 0, kSpeakerOn = 1 << 1, kChannel2Output = 1 << 5;

// Set once by timer_init before interrupts are enabled; read-only afterwards.
constinit u64 tsc_start = 0;
constinit u64 tsc_to_ns_multiplier = 0;  // nanoseconds per TSC tick, 32.32 fixed point
constinit void (*tick_callback)() = nullptr;
constinit u32 apic_period = 0;  // LAPIC timer counts (divided by 16) per tick, every CPU alike

struct Calibration {
    u32 apic_ticks = 0;  // LAPIC timer counts (divided by 16) in 10 ms
    u64 tsc_ticks = 0;   // TSC counts in 10 ms
};

Calibration calibrate() {
    const u8 control = static_cast<u8>(inb(kSystemControlB) & ~(kSpeakerOn | kGateChannel2));
    outb(kSystemControlB, control);  // gate low: channel 2 holds while it is programmed
    outb(kPitCommand, 0xb0);         // channel 2, low then high byte, mode 0 (terminal count)
    const u32 count = kPitHz / kCalibrationHz;
    outb(kPitChannel2, static_cast<u8>(count));
    outb(kPitChannel2, static_cast<u8>(count >> 8));

    // The LAPIC timer free-runs from here; both clocks are sampled right after the gate
    // rises and right after the output is seen high, so the exits in between cancel out.
    local_apic::write(local_apic::kTimerDivide, kApicDivideBy16);
    local_apic::write(local_apic::kLvtTimer, kLvtMasked);  // one-shot, never interrupts
    local_apic::write(local_apic::kTimerInitialCount, 0xffff'ffff);
    outb(kSystemControlB, control | kGateChannel2);  // the rising gate starts the count
    const u64 tsc_before = read_tsc();
    const u32 apic_before = local_apic::read(local_apic::kTimerCurrentCount);
    // Channel 2's output rises at terminal count. Bounded: 10 ms takes at most a few hundred
    // thousand polls even under TCG, and each poll is an exit under KVM.
    for (u64 polls = 0; !(inb(kSystemControlB) & kChannel2Output); ++polls) {
        if (polls > 20'000'000) kernel::panic("timer: the PIT never reached its terminal count");
    }
    const u64 tsc_after = read_tsc();
    const u32 apic_after = local_apic::read(local_apic::kTimerCurrentCount);
    Calibration result;
    result.tsc_ticks = tsc_after - tsc_before;
    result.apic_ticks = apic_before - apic_after;
    local_apic::write(local_apic::kTimerInitialCount, 0);
    outb(kSystemControlB, control);
    return result;
}

}  // namespace

void timer_interrupt() {
    if (tick_callback) tick_callback();
    local_apic::end_of_interrupt();
}

}  // namespace x86_64

void arch::timer_init(base::u32 hz, void (*on_tick)()) {
    using namespace x86_64;
    if (hz == 0) kernel::panic("timer: asked for a tick of 0 Hz");
    legacy_pic::remap_and_mask();
    local_apic::enable(kSpuriousVector);
    const Calibration measured = calibrate();
    if (measured.apic_ticks == 0 || measured.tsc_ticks == 0) kernel::panic("timer: calibration measured no ticks");

    const u64 tsc_hz = measured.tsc_ticks * kCalibrationHz;
    tsc_to_ns_multiplier = (u64(1'000'000'000) << 32) / tsc_hz;
    if (tsc_to_ns_multiplier == 0) kernel::panic("timer: TSC measured at {} Hz, too fast to scale", tsc_hz);
    tsc_start = read_tsc();

    tick_callback = on_tick;
    const u64 apic_hz = u64(measured.apic_ticks) * kCalibrationHz;
    const u64 period = apic_hz / hz;
    apic_period = static_cast<u32>(period == 0 ? 1 : period);
    arch::timer_start_this_cpu();
}

void arch::timer_start_this_cpu() {
    using namespace x86_64;
    // Each CPU's local APIC has its own timer at the same address; all run at the bus clock
    // the boot CPU calibrated.
    local_apic::write(local_apic::kTimerDivide, kApicDivideBy16);
    local_apic::write(local_apic::kLvtTimer, kLvtPeriodic | kTimerVector);
    local_apic::write(local_apic::kTimerInitialCount, apic_period);
}

base::u64 arch::monotonic_ns() {
    using namespace x86_64;
    if (tsc_to_ns_multiplier == 0) return 0;  // before timer_init: time has not started
    const u64 ticks = read_tsc() - tsc_start;
    return static_cast<u64>((static_cast<unsigned __int128>(ticks) * tsc_to_ns_multiplier) >> 32);
}
