// x86_64 instructions the arch code needs, as inline functions (port I/O, MSRs, control
// registers, the TSC). Private to kernel/arch/x86_64.
#pragma once

#include "base/types.h"

namespace x86_64 {

using base::u16;
using base::u32;
using base::u64;
using base::u8;

inline void outb(u16 port, u8 value) { asm volatile("outb %0, %1" ::"a"(value), "Nd"(port)); }
inline void outl(u16 port, u32 value) { asm volatile("outl %0, %1" ::"a"(value), "Nd"(port)); }
inline u8 inb(u16 port) {
    u8 value;
    asm volatile("inb %1, %0" : "=a"(value) : "Nd"(port));
    return value;
}

inline u64 read_msr(u32 msr) {
    u32 low, high;
    asm volatile("rdmsr" : "=a"(low), "=d"(high) : "c"(msr));
    return u64(high) << 32 | low;
}
inline void write_msr(u32 msr, u64 value) { asm volatile("wrmsr" ::"c"(msr), "a"(u32(value)), "d"(u32(value >> 32))); }

inline u64 read_tsc() {
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return u64(high) << 32 | low;
}

inline u64 read_cr0() { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline u64 read_cr2() { u64 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline u64 read_cr3() { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline u64 read_cr4() { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }

inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }

inline constexpr u64 kCr4PageGlobalEnable = 1ull << 7;

// Kernel image virtual address = physical address + this (kernel.ld, boot.S; the same value
// as kernel::layout::kKernelImageBase, checked in boot.cpp).
inline constexpr u64 kKernelVirtualOffset = 0xffff'ffff'8000'0000;

// Serial console (serial.cpp), GDT/TSS/IDT (descriptor_tables.cpp).
void serial_init();
void descriptor_tables_init();

}  // namespace x86_64
