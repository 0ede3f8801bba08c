// The local APIC of the CPU we run on: the interrupt controller the timer and (later) IPIs go
// through. Firmware may leave it in xAPIC mode (registers in a 4 KiB MMIO page) or x2APIC
// mode (registers as MSRs 0x800 + offset / 16); both are driven through the same offsets.
#pragma once

#include "base/types.h"

namespace x86_64::local_apic {

// Register offsets in the xAPIC page (Intel SDM vol. 3, "Local APIC Register Address Map").
inline constexpr base::u32 kId = 0x020;
inline constexpr base::u32 kTaskPriority = 0x080;
inline constexpr base::u32 kEndOfInterrupt = 0x0b0;
inline constexpr base::u32 kSpuriousInterrupt = 0x0f0;
inline constexpr base::u32 kLvtTimer = 0x320;
inline constexpr base::u32 kLvtLint0 = 0x350;
inline constexpr base::u32 kLvtLint1 = 0x360;
inline constexpr base::u32 kLvtError = 0x370;
inline constexpr base::u32 kLvtMasked = 1u << 16;
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

// Makes this (secondary) CPU's local APIC work in the mode detect() found on the boot CPU:
// globally enabled, and in x2APIC mode if the boot CPU is. Before enable() on that CPU.
void match_boot_cpu_mode();

// This CPU's local APIC id: the full 32 bits in x2APIC mode, bits 31-24 of the ID register
// otherwise. The MADT and the ICR name CPUs by it.
base::u32 id();

// Sends an interrupt through this CPU's ICR to the CPU with local APIC id `destination`
// (physical destination mode): `command` is the ICR's low word (vector, delivery mode, level).
// Waits, bounded, until an xAPIC has accepted it (x2APIC has no delivery status); false if it
// never did. Interrupts must be off: the xAPIC ICR is two registers written in turn.
bool send_ipi(base::u32 destination, base::u32 command);

base::u32 read(base::u32 offset);
void write(base::u32 offset, base::u32 value);
inline void end_of_interrupt() { write(kEndOfInterrupt, 0); }

}  // namespace x86_64::local_apic
