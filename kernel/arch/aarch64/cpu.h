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

using base::u32;
using base::u64;

inline constexpr u64 kKernelVirtualOffset = 0xffff'ffff'8000'0000;
inline constexpr u64 kRamBase = 0x4000'0000;

// The PL011's physical address (serial.cpp); the early default is QEMU virt's.
void set_uart(u64 physical);
// GICv2 (gic.cpp).
void gic_init(u64 distributor_physical, u64 cpu_interface_physical);
void gic_enable_interrupt(u32 interrupt_id);
void gic_disable_interrupt(u32 interrupt_id);
void gic_route_to_boot_cpu(u32 interrupt_id);
u32 gic_acknowledge();
void gic_end_of_interrupt(u32 interrupt_id);
inline constexpr u32 kGicSpurious = 1023;
// The timer (timer.cpp).
void set_timer_interrupt(u32 interrupt_id);
u32 timer_interrupt_id();
void timer_interrupt();

}  // namespace aarch64
