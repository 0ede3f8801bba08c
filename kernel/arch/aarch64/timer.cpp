// aarch64 time: the EL1 virtual timer (CNTV_*) re-armed on every tick through the GIC, and
// the monotonic clock CNTVCT_EL0 scaled by CNTFRQ_EL0 with a 32.32 fixed-point multiplier.
#include "arch/arch.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/core/panic.h"

namespace aarch64 {
namespace {

u32 interrupt_id = 27;  // QEMU virt's virtual timer PPI; the device tree's value replaces it
u64 ticks_per_period = 0;
u64 counter_start = 0;
u64 counter_to_ns_multiplier = 0;  // nanoseconds per counter tick, 32.32 fixed point
void (*tick_callback)() = nullptr;

}  // namespace

void set_timer_interrupt(u32 id) { interrupt_id = id; }
u32 timer_interrupt_id() { return interrupt_id; }

void timer_interrupt() {
    AARCH64_WRITE_SYSREG(cntv_tval_el0, ticks_per_period);
    if (tick_callback) tick_callback();
}

}  // namespace aarch64

void arch::timer_init(base::u32 hz, void (*on_tick)()) {
    using namespace aarch64;
    const u64 frequency = AARCH64_READ_SYSREG(cntfrq_el0);
    if (frequency == 0) kernel::panic("timer: CNTFRQ_EL0 is zero");
    counter_to_ns_multiplier = (u64(1'000'000'000) << 32) / frequency;
    counter_start = AARCH64_READ_SYSREG(cntvct_el0);
    ticks_per_period = frequency / hz;
    tick_callback = on_tick;
    arch::timer_start_this_cpu();
}

void arch::timer_start_this_cpu() {
    using namespace aarch64;
    // The timer and its PPI are per CPU (the GICv2 distributor banks ids 0-31 by CPU).
    gic_enable_interrupt(interrupt_id);
    AARCH64_WRITE_SYSREG(cntv_tval_el0, ticks_per_period);
    AARCH64_WRITE_SYSREG(cntv_ctl_el0, 1);  // enabled, not masked
}

base::u64 arch::monotonic_ns() {
    using namespace aarch64;
    if (counter_to_ns_multiplier == 0) return 0;
    asm volatile("isb" ::: "memory");  // the counter read must not be hoisted
    const u64 ticks = AARCH64_READ_SYSREG(cntvct_el0) - counter_start;
    return static_cast<u64>((static_cast<unsigned __int128>(ticks) * counter_to_ns_multiplier) >> 32);
}
