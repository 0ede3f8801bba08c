// Interrupt vectors the x86_64 kernel uses, and the timer's interrupt entry.
#pragma once

#include "base/types.h"

namespace x86_64 {

inline constexpr base::u64 kTimerVector = 0x20;
inline constexpr base::u64 kSpuriousVector = 0xff;

void timer_interrupt();

}  // namespace x86_64
