// x86_64 descriptor tables: each CPU's GDT (kernel and user code and data in the order syscall
// and sysret expect, and that CPU's TSS: rsp0 is the running thread's kernel stack for traps
// from user mode; IST1-3 give double faults, NMIs and machine checks stacks of their own, each
// with a guard page, so that a kernel stack overflow, or an NMI on the instruction after
// syscall, still has a good stack), and the one IDT all CPUs share, pointing each of the 256
// vectors at its stub in trap_entry.S. A CPU's tables are written by that CPU, and before it
// starts by the CPU starting it; nothing else touches them.
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/smp/cpu_local.h"

extern "C" char trap_stubs[];

namespace x86_64 {
namespace {

struct [[gnu::packed]] TaskStateSegment {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 io_map_base;
};
static_assert(sizeof(TaskStateSegment) == 104);

struct [[gnu::packed]] DescriptorPointer {
    u16 limit;
    u64 base;
};

struct InterruptGate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_middle;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(InterruptGate) == 16);

constexpr u16 kKernelCode = 0x08;
constexpr u16 kKernelData = 0x10;
constexpr u16 kTssSelector = 0x30;
constexpr u64 kNmiVector = 2, kDoubleFaultVector = 8, kMachineCheckVector = 18;
constexpr u8 kDoubleFaultStackIndex = 1, kNmiStackIndex = 2, kMachineCheckStackIndex = 3;
constexpr u64 kStubSize = 16;             // each stub is aligned to 16 bytes (trap_entry.S)

struct CpuTables {
    alignas(16) u64 gdt[8];
    alignas(16) TaskStateSegment tss;
};

alignas(16) constinit CpuTables cpu_tables[arch::kMaxCpus] = {};
alignas(16) constinit InterruptGate idt[256] = {};
// The boot CPU's IST entries share this early stack until allocate_interrupt_stacks(0).
alignas(16) constinit u8 early_exception_stack[16384] = {};

// What each CPU found loaded once it had loaded its tables (for tests and diagnostics);
// written by that CPU before it goes online, read by others after.
struct Loaded {
    u64 gdt_base, idt_base, tss_base;
};
constinit Loaded loaded[arch::kMaxCpus] = {};

// Reads back GDTR, IDTR and the TSS that TR names, as the CPU itself sees them.
void record_loaded_tables(unsigned cpu) {
    DescriptorPointer gdtr{}, idtr{};
    u16 selector = 0;
    asm volatile("sgdt %0" : "=m"(gdtr));
    asm volatile("sidt %0" : "=m"(idtr));
    asm volatile("str %0" : "=r"(selector));
    const auto* gdt = reinterpret_cast<const u64*>(gdtr.base);
    const u64 low = gdt[selector / 8], high = gdt[selector / 8 + 1];
    const u64 tss_base = ((low >> 16) & 0xff'ffff) | (((low >> 56) & 0xff) << 24) | (high << 32);
    loaded[cpu] = Loaded{gdtr.base, idtr.base, tss_base};
}

// Fills `tables` (the TSS's stacks are left as they are) and loads them on this CPU.
void load_gdt(CpuTables& tables) {
    u64* gdt = tables.gdt;
    gdt[0] = 0;
    gdt[1] = 0x00af'9a00'0000'ffff;  // 64-bit kernel code: present, ring 0, L
    gdt[2] = 0x00cf'9200'0000'ffff;  // kernel data: present, ring 0, writable
    gdt[3] = 0;                      // 0x18: sysret's 32-bit user code slot, unused
    gdt[4] = 0x00cf'f200'0000'ffff;  // 0x20: user data: present, ring 3, writable
    gdt[5] = 0x00af'fa00'0000'ffff;  // 0x28: 64-bit user code: present, ring 3, L
    const u64 tss_base = reinterpret_cast<u64>(&tables.tss);
    const u64 tss_limit = sizeof(tables.tss) - 1;
    // A 16-byte system descriptor: available 64-bit TSS (type 9), present.
    gdt[6] = (tss_limit & 0xffff) | ((tss_base & 0xff'ffff) << 16) | (u64(0x89) << 40) |
             (((tss_base >> 24) & 0xff) << 56);
    gdt[7] = tss_base >> 32;
    tables.tss.io_map_base = sizeof(tables.tss);  // no I/O permission bitmap

    const DescriptorPointer pointer{sizeof(tables.gdt) - 1, reinterpret_cast<u64>(gdt)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"  // reload CS from the new table
        "1:\n"
        "movw %w2, %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        :
        : "m"(pointer), "i"(u64(kKernelCode)), "i"(kKernelData)
        : "rax", "memory");
    asm volatile("ltr %0" ::"r"(kTssSelector));
}

void build_idt() {
    for (u64 vector = 0; vector < 256; ++vector) {
        const u64 stub = reinterpret_cast<u64>(trap_stubs) + kStubSize * vector;
        idt[vector] = InterruptGate{
            .offset_low = u16(stub),
            .selector = kKernelCode,
            .ist = vector == kDoubleFaultVector   ? kDoubleFaultStackIndex
                   : vector == kNmiVector         ? kNmiStackIndex
                   : vector == kMachineCheckVector ? kMachineCheckStackIndex
                                                  : u8(0),
            .type_attributes = 0x8e,  // present, ring 0, 64-bit interrupt gate (interrupts off)
            .offset_middle = u16(stub >> 16),
            .offset_high = u32(stub >> 32),
            .reserved = 0,
        };
    }
}

}  // namespace

void load_interrupt_table() {
    const DescriptorPointer pointer{sizeof(idt) - 1, reinterpret_cast<u64>(idt)};
    asm volatile("lidt %0" ::"m"(pointer));
}

void set_kernel_stack_for_traps(u64 top) { cpu_tables[arch::cpu_local()->index].tss.rsp[0] = top; }

bool allocate_interrupt_stacks(unsigned cpu) {
    constexpr u8 kIndexes[] = {kDoubleFaultStackIndex, kNmiStackIndex, kMachineCheckStackIndex};
    for (u8 index : kIndexes) {
        auto stack = kernel::mm::allocate_kernel_stack_with_bounds();
        if (stack.is_error()) return false;
        cpu_tables[cpu].tss.ist[index - 1] = stack.value().top;
    }
    return true;
}

void descriptor_tables_init() {
    const u64 early_top = reinterpret_cast<u64>(early_exception_stack + sizeof early_exception_stack);
    TaskStateSegment& tss = cpu_tables[0].tss;
    tss.ist[kDoubleFaultStackIndex - 1] = early_top;
    tss.ist[kNmiStackIndex - 1] = early_top;
    tss.ist[kMachineCheckStackIndex - 1] = early_top;
    load_gdt(cpu_tables[0]);
    build_idt();
    load_interrupt_table();
    record_loaded_tables(0);
}

void descriptor_tables_init_secondary(unsigned cpu) {
    load_gdt(cpu_tables[cpu]);
    record_loaded_tables(cpu);
}

LoadedTables loaded_tables(unsigned cpu) {
    LoadedTables tables{};
    if (cpu >= arch::kMaxCpus || loaded[cpu].tss_base == 0) return tables;
    tables.gdt_base = loaded[cpu].gdt_base;
    tables.idt_base = loaded[cpu].idt_base;
    tables.tss_base = loaded[cpu].tss_base;
    const auto& tss = *reinterpret_cast<const TaskStateSegment*>(loaded[cpu].tss_base);
    tables.double_fault_stack = tss.ist[kDoubleFaultStackIndex - 1];
    tables.nmi_stack = tss.ist[kNmiStackIndex - 1];
    tables.machine_check_stack = tss.ist[kMachineCheckStackIndex - 1];
    return tables;
}

}  // namespace x86_64
