#include "kernel/core/timer.h"

#include "arch/arch.h"
#include "arch/user_mode.h"
#include "base/atomic.h"
#include "kernel/smp/cpu_local.h"

namespace kernel::timer {
namespace {

base::Atomic<base::u64> tick_count{0};

void on_tick() {
    // Every CPU ticks (its own time slices); the count is the boot CPU's, so it stays a clock.
    if (this_cpu().index == 0) tick_count.fetch_add(1, base::MemoryOrder::Relaxed);
    scheduler_tick();
}

}  // namespace

void start() { arch::timer_init(kTickHz, on_tick); }

base::u64 ticks() { return tick_count.load(base::MemoryOrder::Relaxed); }

}  // namespace kernel::timer
