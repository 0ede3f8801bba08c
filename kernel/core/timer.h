// The kernel's periodic tick: started once on the boot CPU, counted here. Tests and (later)
// the scheduler read it; the monotonic clock itself is arch::monotonic_ns().
#pragma once

#include "base/types.h"

namespace kernel::timer {

inline constexpr base::u32 kTickHz = 100;

void start();
base::u64 ticks();

}  // namespace kernel::timer
