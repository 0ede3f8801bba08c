// The local APIC of the CPU we run on: the interrupt controller the timer and (later) IPIs go
// through. Firmware may leave it in xAPIC mode (registers in a 4 KiB MMIO page) or x2APIC
// mode (registers as MSRs 0x800 + offset / 16); both are driven through the same offsets.
#pragma once

#include "base/types.h"

namespace x86_64::local_apic {

// Register offsets in the xAPIC page (Intel SDM vol. 3, "Local APIC Register Address Map").
inline constexpr base::u32 kEndOfInterrupt = 0x0b0;
inline constexpr base::u32 kSpuriousInterrupt = 0x0f0;
inline constexpr base::u32 kLvtTimer = 0x320;
inline constexpr base::u32 kTimerInitialCount = 0x380;
inline constexpr base::u32 kTimerCurrentCount = 0x390;
inline constexpr base::u32 kTimerDivide = 0x3e0;

// Reads IA32_APIC_BASE: which mode the firmware left and where the MMIO page is (the CPU's
// own answer; the MADT only repeats it). Sets the global enable bit if firmware cleared it.
// Returns the MMIO page's physical address, or 0 in x2APIC mode (no MMIO page to map).
base::u64 detect();

// Software-enables this CPU's local APIC with `spurious_vector`. The MMIO page must be
// mapped at the direct map by then (the kernel's page tables map it as a kernel device).
void enable(base::u8 spurious_vector);

base::u32 read(base::u32 offset);
void write(base::u32 offset, base::u32 value);
inline void end_of_interrupt() { write(kEndOfInterrupt, 0); }

}  // namespace x86_64::local_apic
