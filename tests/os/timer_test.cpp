// In-OS tests of time: the periodic tick arrives and the monotonic clock moves forward at a
// rate that agrees with it.
#include "arch/arch.h"
#include "kernel/core/timer.h"
#include "kernel/test/test.h"

using namespace kernel;

KERNEL_TEST(timer_ticks_advance_while_the_cpu_waits) {
    ASSERT(arch::interrupts_enabled());
    const base::u64 first = timer::ticks();
    // Bounded: 5 ticks at 100 Hz take 50 ms; allow far more for a slow emulator.
    for (int waits = 0; waits < 100000 && timer::ticks() < first + 5; ++waits) arch::wait_for_interrupt();
    EXPECT(timer::ticks() >= first + 5);
}

KERNEL_TEST(the_monotonic_clock_never_goes_backwards) {
    base::u64 previous = arch::monotonic_ns();
    bool ordered = true;
    for (int i = 0; i < 100000; ++i) {
        const base::u64 now = arch::monotonic_ns();
        ordered = ordered && now >= previous;
        previous = now;
    }
    EXPECT(ordered);
}

KERNEL_TEST(the_monotonic_clock_agrees_with_the_tick) {
    // Wait 10 ticks (100 ms nominal) and compare with the clock. Ticks can arrive late on a
    // loaded host (so the upper bound is loose) but never early, so a clock running slow by a
    // quarter or more (a calibration bug) fails the lower bound, and a fast one the upper.
    const base::u64 start_tick = timer::ticks();
    while (timer::ticks() == start_tick) arch::wait_for_interrupt();
    const base::u64 start_ns = arch::monotonic_ns();
    const base::u64 first = timer::ticks();
    for (int waits = 0; waits < 1000000 && timer::ticks() < first + 10; ++waits) arch::wait_for_interrupt();
    const base::u64 elapsed_ms = (arch::monotonic_ns() - start_ns) / 1'000'000;
    EXPECT(elapsed_ms >= 80);
    EXPECT(elapsed_ms <= 500);
}
