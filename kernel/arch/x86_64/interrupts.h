// Interrupt vectors the x86_64 kernel uses, and the timer's interrupt entry. Vectors 0-31 are
// CPU exceptions and 0x20-0x2f belong to the masked legacy PICs (see legacy_pic.h), so the
// kernel's own vectors start above them.
#pragma once

#include "base/types.h"

namespace x86_64 {

inline constexpr base::u64 kTimerVector = 0x40;
inline constexpr base::u64 kRescheduleVector = 0x41;  // the IPI of arch::send_reschedule
inline constexpr base::u64 kSpuriousVector = 0xff;  // the local APIC's spurious interrupt

void timer_interrupt();

}  // namespace x86_64
