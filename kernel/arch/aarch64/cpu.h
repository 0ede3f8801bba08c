// aarch64 pieces shared inside kernel/arch/aarch64: system-register access and the device
// addresses learned from the device tree.
#pragma once

#include "base/types.h"

#define AARCH64_READ_SYSREG(name)                          \
    ({                                                     \
        base::u64 value_;                                  \
        asm volatile("mrs %0, " #name : "=r"(value_));    \
        value_;                                            \
    })
#define AARCH64_WRITE_SYSREG(name, value) asm volatile("msr " #name ", %0" ::"r"(base::u64(value)) : "memory")

namespace aarch64 {

using base::u8;
using base::u32;
using base::u64;

inline constexpr u64 kKernelVirtualOffset = 0xffff'ffff'8000'0000;
inline constexpr u64 kRamBase = 0x4000'0000;

// The physical address behind an address in the kernel image's own mapping (not the direct map).
inline u64 kernel_image_physical(const void* address) { return reinterpret_cast<u64>(address) - kKernelVirtualOffset + kRamBase; }

// Every CPU's own registers (cpu_setup.cpp): vectors, FP/SIMD for EL0, EL0's counter, PAN.
// Called first thing by each CPU, boot CPU included.
void configure_this_cpu();
// Whether configure_this_cpu turns PAN on (wherever the CPU has it: the same on every CPU).
bool pan_enabled();

// An undefined-instruction exception at `instruction`: if it is a PSCI call (psci.S), nothing
// answers by that conduit; sets the call's result (NOT_SUPPORTED) and says to resume after it.
bool psci_undefined_resume(u64 instruction, u64& result);

// The PL011's physical address (serial.cpp); the early default is QEMU virt's.
void set_uart(u64 physical);
// GICv2 (gic.cpp). gic_init sets up the distributor and the boot CPU's interface; every other
// CPU calls gic_init_this_cpu with its kernel index.
void gic_init(u64 distributor_physical, u64 cpu_interface_physical);
void gic_init_this_cpu(unsigned cpu_index);
// Interrupt ids below 32 (SGIs, PPIs) are each CPU's own: these act on the calling CPU's.
void gic_enable_interrupt(u32 interrupt_id);
void gic_disable_interrupt(u32 interrupt_id);
void gic_route_to_boot_cpu(u32 interrupt_id);
// Raises software-generated interrupt `sgi` (0-15) on CPU `cpu_index`, once that CPU has run
// gic_init_this_cpu; false before.
bool gic_send_sgi(unsigned cpu_index, u32 sgi);
// The acknowledged interrupt, as GICC_IAR gives it: the id, and for an SGI the sending CPU,
// which the end of interrupt must repeat.
u32 gic_acknowledge();
inline u32 gic_interrupt_id(u32 acknowledged) { return acknowledged & 0x3ff; }
void gic_end_of_interrupt(u32 acknowledged);
inline constexpr u32 kGicSpurious = 1023;
// The SGI that asks a CPU to reschedule (arch::send_reschedule). SGIs 0-15 are the kernel's to
// number.
inline constexpr u32 kRescheduleSgi = 1;
// The SGI that wakes a CPU sleeping in its spin for the kernel lock (arch::send_lock_wake); its
// handler does nothing but end it.
inline constexpr u32 kLockWakeSgi = 2;
// Drops SGI `sgi` pending on this CPU, from whichever CPUs sent it.
void gic_clear_pending_sgi(u32 sgi);
// Is this CPU outside every interrupt handler (no interrupt active: GICC_RPR idle)?
bool gic_no_interrupt_active();
// The timer (timer.cpp).
void set_timer_interrupt(u32 interrupt_id);
u32 timer_interrupt_id();
void timer_interrupt();

}  // namespace aarch64
