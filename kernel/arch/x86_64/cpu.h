// x86_64 instructions the arch code needs, as inline functions (port I/O, MSRs, control
// registers, the TSC). Private to kernel/arch/x86_64.
#pragma once

#include "base/types.h"

namespace kernel {
class MemoryMap;
}

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

// Serial console (serial.cpp).
void serial_init();

// Descriptor tables (descriptor_tables.cpp). The boot CPU's GDT and TSS (its IST stacks
// the early one) and the shared IDT, built and loaded:
void descriptor_tables_init();
// Gives CPU `cpu`'s TSS guarded stacks for double faults, NMIs and machine checks; false if
// memory ran out (some may have been given). Before that CPU can take one, or on it.
bool allocate_interrupt_stacks(unsigned cpu);
// On a secondary CPU: the shared IDT, then its own GDT and TSS (index `cpu`).
void load_interrupt_table();
void descriptor_tables_init_secondary(unsigned cpu);
// This CPU's TSS.rsp0: where traps from user mode land (the running thread's kernel stack).
void set_kernel_stack_for_traps(u64 top);
// The tables CPU `cpu` loaded, as it read them back (sgdt, sidt, str) once it had, and the
// IST stack tops in the TSS its TR names; zeros for a CPU that never loaded any (tests).
struct LoadedTables {
    u64 gdt_base, idt_base, tss_base;
    u64 double_fault_stack, nmi_stack, machine_check_stack;
};
LoadedTables loaded_tables(unsigned cpu);

// Secondary CPUs' start code (smp.cpp): copied at boot, while the boot page tables map low
// memory, to free RAM below 1 MiB that it reserves in `memory`; without such RAM no other CPU
// starts.
void install_secondary_start(kernel::MemoryMap& memory);

// The registers user mode and the FP/SIMD unit need (EFER, STAR/LSTAR/SFMASK, CR0, CR4 with
// SMEP/SMAP, XCR0, PAT), as arch::user_mode_init decided on the boot CPU (user_mode.cpp).
// Every other CPU calls it once, before it could run a thread; `cpu` is its index.
void user_mode_registers_init(unsigned cpu);
// Those registers as CPU `cpu` read them back right after (zeros before; XCR0 0 without XSAVE).
struct UserModeRegisters {
    u64 cr0, cr4, efer, star, lstar, sfmask, pat, xcr0;
};
UserModeRegisters user_mode_registers(unsigned cpu);

}  // namespace x86_64
