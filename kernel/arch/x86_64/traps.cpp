// x86_64 descriptor tables and trap dispatch: the GDT (kernel code/data and the TSS, whose
// IST1 gives double faults a stack of their own), the IDT pointing every vector at its stub
// in trap_entry.S, and x86_64_trap, which handles the timer, the expected faults of the
// memory probes, and turns everything else into a panic dump.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/core/fault_fixup.h"
#include "kernel/core/panic.h"

extern "C" char trap_stubs[];

namespace x86_64 {

// The registers as trap_entry.S saved them, lowest address first.
struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;
    u64 rip, cs, rflags, rsp, ss;  // pushed by the CPU
};

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

constexpr u16 kKernelCode = 0x08;
constexpr u16 kTssSelector = 0x18;

alignas(16) u64 gdt[5];
alignas(16) InterruptGate idt[256];
TaskStateSegment tss;
alignas(16) u8 double_fault_stack[16384];

void load_gdt() {
    gdt[0] = 0;
    gdt[1] = 0x00af9a000000ffff;  // 64-bit kernel code
    gdt[2] = 0x00cf92000000ffff;  // kernel data
    const u64 tss_base = reinterpret_cast<u64>(&tss);
    const u64 tss_limit = sizeof(tss) - 1;
    // A 16-byte system descriptor: available 64-bit TSS (type 9), present.
    gdt[3] = (tss_limit & 0xffff) | ((tss_base & 0xffffff) << 16) | (u64(0x89) << 40) | (((tss_base >> 24) & 0xff) << 56);
    gdt[4] = tss_base >> 32;
    tss.ist[0] = reinterpret_cast<u64>(double_fault_stack + sizeof double_fault_stack);
    tss.io_map_base = sizeof(tss);

    const DescriptorPointer pointer{sizeof(gdt) - 1, reinterpret_cast<u64>(gdt)};
    asm volatile(
        "lgdt %0\n"
        "pushq %1\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"  // reload CS
        "1:\n"
        "movw $0x10, %%ax\n"
        "movw %%ax, %%ds\n"
        "movw %%ax, %%es\n"
        "movw %%ax, %%ss\n"
        :
        : "m"(pointer), "i"(u64(kKernelCode))
        : "rax", "memory");
    asm volatile("ltr %0" ::"r"(kTssSelector));
}

void load_idt() {
    for (int vector = 0; vector < 256; ++vector) {
        const u64 stub = reinterpret_cast<u64>(trap_stubs) + 16 * u64(vector);
        idt[vector] = InterruptGate{
            .offset_low = u16(stub),
            .selector = kKernelCode,
            .ist = u8(vector == 8 ? 1 : 0),  // double faults run on their own stack
            .type_attributes = 0x8e,          // present, ring 0, 64-bit interrupt gate
            .offset_middle = u16(stub >> 16),
            .offset_high = u32(stub >> 32),
            .reserved = 0,
        };
    }
    const DescriptorPointer pointer{sizeof(idt) - 1, reinterpret_cast<u64>(idt)};
    asm volatile("lidt %0" ::"m"(pointer));
}

const char* exception_name(u64 vector) {
    static const char* const names[] = {
        "divide error (#DE)", "debug (#DB)", "non-maskable interrupt", "breakpoint (#BP)", "overflow (#OF)",
        "bound range (#BR)", "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)",
        "coprocessor segment overrun", "invalid TSS (#TS)", "segment not present (#NP)", "stack fault (#SS)",
        "general protection (#GP)", "page fault (#PF)", "reserved", "x87 floating point (#MF)",
        "alignment check (#AC)", "machine check (#MC)", "SIMD floating point (#XM)", "virtualization (#VE)",
        "control protection (#CP)",
    };
    if (vector < sizeof names / sizeof names[0]) return names[vector];
    return vector < 32 ? "reserved exception" : "unexpected interrupt";
}

// The error code in words, into a static buffer (we are about to panic; nothing else runs).
const char* describe_error(u64 vector, u64 error) {
    static char text[160];
    base::BufferSink out(text, sizeof text);
    if (vector == 14) {
        base::print(out, "{} {} in {} mode{}{}", error & 1 ? "protection violation on a" : "not-present page on a",
                    error & 16 ? "instruction fetch" : (error & 2 ? "write" : "read"), error & 4 ? "user" : "supervisor",
                    error & 8 ? ", reserved bit set" : "", error & 32 ? ", protection key" : "");
    } else if (vector == 8 || (vector >= 10 && vector <= 13) || vector == 17 || vector == 21) {
        if (error == 0) base::print(out, "no selector");
        else
            base::print(out, "selector index {} in the {}{}", error >> 3,
                        (error & 2) ? "IDT" : ((error & 4) ? "LDT" : "GDT"), error & 1 ? ", external event" : "");
    } else {
        base::print(out, "none");
    }
    return text;
}

[[noreturn]] void panic_for(const TrapFrame& frame) {
    static kernel::TrapRegister registers[24];
    const u64 cr2 = read_cr2();
    const kernel::TrapRegister values[] = {
        {"rax", frame.rax}, {"rbx", frame.rbx}, {"rcx", frame.rcx}, {"rdx", frame.rdx},
        {"rsi", frame.rsi}, {"rdi", frame.rdi}, {"rbp", frame.rbp}, {"rsp", frame.rsp},
        {"r8", frame.r8}, {"r9", frame.r9}, {"r10", frame.r10}, {"r11", frame.r11},
        {"r12", frame.r12}, {"r13", frame.r13}, {"r14", frame.r14}, {"r15", frame.r15},
        {"rip", frame.rip}, {"rflags", frame.rflags}, {"cs", frame.cs}, {"ss", frame.ss},
        {"cr0", read_cr0()}, {"cr2", cr2}, {"cr3", read_cr3()}, {"cr4", read_cr4()},
    };
    for (base::usize i = 0; i < 24; ++i) registers[i] = values[i];
    kernel::TrapReport report;
    report.exception_name = exception_name(frame.vector);
    report.vector = frame.vector;
    report.instruction_pointer = frame.rip;
    report.stack_pointer = frame.rsp;
    report.frame_pointer = frame.rbp;
    report.has_faulting_address = frame.vector == 14;
    report.faulting_address = cr2;
    report.error_code = frame.error_code;
    report.error_description = describe_error(frame.vector, frame.error_code);
    report.registers = base::Span<const kernel::TrapRegister>(registers, 24);
    kernel::panic_from_trap(report);
}

// A fault at one of the probes' instructions resumes at its recovery address.
bool resume_at_fixup(TrapFrame& frame) {
    const u64 resume = kernel::fault_fixup_for(frame.rip);
    if (resume == 0) return false;
    frame.rip = resume;
    return true;
}

}  // namespace

void descriptor_tables_init() {
    load_gdt();
    load_idt();
}

}  // namespace x86_64

extern "C" void x86_64_trap(x86_64::TrapFrame* frame) {
    using namespace x86_64;
    if (frame->vector == kTimerVector) {
        timer_interrupt();
        return;
    }
    if (frame->vector == kSpuriousVector) return;  // no EOI for spurious interrupts
    if ((frame->vector == 14 || frame->vector == 13) && resume_at_fixup(*frame)) return;
    panic_for(*frame);
}
