// x86_64 trap dispatch: x86_64_trap (called by trap_entry.S with the saved registers) handles
// the timer and the reschedule IPI, quietly drops spurious interrupts, resumes the memory
// probes' expected faults at their fixups, and turns everything else into a panic dump with
// the error code in words.
#include "arch/arch.h"
#include "arch/smp.h"
#include "arch/user_mode.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/arch/x86_64/legacy_pic.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/core/execute_probe.h"
#include "kernel/core/fault_fixup.h"
#include "kernel/core/panic.h"

namespace x86_64 {

// The registers as trap_entry.S saved them, lowest address first.
struct TrapFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector, error_code;        // pushed by the stub (a zero code where the CPU pushes none)
    u64 rip, cs, rflags, rsp, ss;  // pushed by the CPU
};
static_assert(sizeof(TrapFrame) == 22 * 8, "trap_entry.S pushes 15 registers, 2 stub words, 5 CPU words");

namespace {

constexpr u64 kDoubleFault = 8, kGeneralProtection = 13, kPageFault = 14;

// A legacy PIC line fired: the Mask bound to it masks it; then the PIC gets its EOI.
void device_line_interrupt(u64 line) {
    kernel::device_interrupt(static_cast<base::u32>(line));
    legacy_pic::end_of_interrupt(static_cast<base::u32>(line));
}

// The reschedule IPI. Its EOI comes first, so that it is given even if the kernel's handler
// switches threads (interrupts stay off until the way out): without it, this vector's priority
// class and every lower one, the timer's among them, would stay blocked on this CPU.
void reschedule_interrupt() {
    local_apic::end_of_interrupt();
    kernel::reschedule_interrupt();
}

// An exception in user mode, in the portable kernel's words. Page-fault error bits: 1 present,
// 2 write, 16 instruction fetch.
arch::UserFault user_fault_for(const TrapFrame& frame, u64 cr2) {
    using Kind = arch::UserFaultKind;
    arch::UserFault fault{Kind::Other, 0, (frame.vector << 32) | (frame.error_code & 0xffff'ffff)};
    switch (frame.vector) {
        case kPageFault:
            fault.address = cr2;
            fault.kind = (frame.error_code & 16) ? Kind::PageExecute : ((frame.error_code & 2) ? Kind::PageWrite : Kind::PageRead);
            break;
        case 0: case 16: case 19: fault.kind = Kind::Arithmetic; break;
        case 6: fault.kind = Kind::IllegalInstruction; break;
        case 3: fault.kind = Kind::Breakpoint; break;
        case 17: fault.kind = Kind::Alignment; break;
        default: break;  // #GP (a privileged instruction, a non-canonical address), #SS, ...
    }
    return fault;
}

const char* exception_name(u64 vector) {
    static const char* const names[] = {
        "divide error (#DE)", "debug (#DB)", "non-maskable interrupt (NMI)", "breakpoint (#BP)", "overflow (#OF)",
        "bound range exceeded (#BR)", "invalid opcode (#UD)", "device not available (#NM)", "double fault (#DF)",
        "coprocessor segment overrun", "invalid TSS (#TS)", "segment not present (#NP)", "stack-segment fault (#SS)",
        "general protection (#GP)", "page fault (#PF)", "reserved exception 15", "x87 floating point (#MF)",
        "alignment check (#AC)", "machine check (#MC)", "SIMD floating point (#XM)", "virtualization (#VE)",
        "control protection (#CP)",
    };
    if (vector < sizeof names / sizeof names[0]) return names[vector];
    return vector < 32 ? "reserved exception" : "unexpected interrupt";
}

void describe_page_fault(base::Sink& out, u64 error) {
    base::print(out, "{} on a {} in {} mode", error & 1 ? "protection violation" : "not-present page",
                error & 16 ? "instruction fetch" : (error & 2 ? "write" : "read"), error & 4 ? "user" : "supervisor");
    if (error & 8) base::print(out, ", reserved bit set in a paging entry");
    if (error & 32) base::print(out, ", protection key");
    if (error & 64) base::print(out, ", shadow stack");
    if (error & (1 << 15)) base::print(out, ", SGX");
}

// #TS, #NP, #SS, #GP: the error code names the segment selector (or IDT entry) at fault.
void describe_selector(base::Sink& out, u64 error) {
    if (error == 0) {
        base::print(out, "no selector: the fault is not about a segment");
        return;
    }
    const char* table = (error & 2) ? "IDT" : ((error & 4) ? "LDT" : "GDT");
    base::print(out, "{} index {}{}", table, (error & 0xffff) >> 3, error & 1 ? ", during an external event" : "");
}

// A double fault is most often a kernel stack overflow: the CPU could not push the frame of a
// fault because the stack pointer had reached the unmapped guard page (CR2 names it).
void describe_double_fault(base::Sink& out, u64 stack_pointer, u64 cr2) {
    base::print(out, "always zero for this exception");
    if (stack_pointer - cr2 < 4096 || cr2 - stack_pointer < 4096)
        base::print(out, "; the stack pointer is at the faulting address {:#x}: a kernel stack overflow", cr2);
}

// The error code in words, into a static buffer (we are about to panic; nothing else runs).
const char* describe_error(const TrapFrame& frame, u64 cr2) {
    static char text[192];
    base::BufferSink out(text, sizeof text);
    const u64 error = frame.error_code;
    switch (frame.vector) {
        case kPageFault: describe_page_fault(out, error); break;
        case 10: case 11: case 12: case kGeneralProtection: describe_selector(out, error); break;
        case kDoubleFault: describe_double_fault(out, frame.rsp, cr2); break;
        case 17: base::print(out, "always zero for this exception"); break;
        case 21: base::print(out, "control-flow violation kind {}", error & 0x7fff); break;
        default: base::print(out, "none pushed by the CPU"); break;
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
    static_assert(sizeof values / sizeof values[0] == sizeof registers / sizeof registers[0]);
    for (base::usize i = 0; i < sizeof registers / sizeof registers[0]; ++i) registers[i] = values[i];
    kernel::TrapReport report;
    report.exception_name = exception_name(frame.vector);
    report.vector = frame.vector;
    report.instruction_pointer = frame.rip;
    report.stack_pointer = frame.rsp;
    report.frame_pointer = frame.rbp;
    report.has_faulting_address = frame.vector == kPageFault;
    report.faulting_address = cr2;
    report.error_code = frame.error_code;
    report.error_description = describe_error(frame, cr2);
    report.registers = base::Span<const kernel::TrapRegister>(registers, sizeof registers / sizeof registers[0]);
    kernel::panic_from_trap(report);
}

// A fault at one of the probes' instructions resumes at its recovery address. Probes of
// non-canonical addresses raise #GP rather than #PF.
bool resume_at_fixup(TrapFrame& frame) {
    if (frame.vector != kPageFault && frame.vector != kGeneralProtection) return false;
    if (frame.vector == kPageFault && (frame.error_code & 16) != 0) {  // the fetch arch::probe_execute expects
        if (const u64 resume = kernel::execute_probe_resume(frame.rip); resume != 0) {
            frame.rip = resume;
            return true;
        }
    }
    const u64 resume = kernel::fault_fixup_for(frame.rip);
    if (resume == 0) return false;
    frame.rip = resume;
    return true;
}

}  // namespace
}  // namespace x86_64

static_assert(sizeof(x86_64::TrapFrame) == sizeof(arch::UserFrame), "one frame layout for traps and syscalls");

extern "C" void x86_64_trap(x86_64::TrapFrame* frame) {
    using namespace x86_64;
    // From ring 3: the Task's own doing. Never a panic; the portable kernel decides.
    if ((frame->cs & 3) == 3) {
        auto& user_frame = *reinterpret_cast<arch::UserFrame*>(frame);
        if (frame->vector == kTimerVector) {
            timer_interrupt();
        } else if (frame->vector == kRescheduleVector) {
            reschedule_interrupt();
        } else if (frame->vector < 32 && frame->vector != 2 && frame->vector != 18) {
            kernel::handle_user_fault(user_frame, user_fault_for(*frame, read_cr2()));
        } else if (frame->vector > legacy_pic::kFirstVector && frame->vector < legacy_pic::kLastVector &&
                   frame->vector != legacy_pic::kFirstVector + 7) {
            device_line_interrupt(frame->vector - legacy_pic::kFirstVector);
        } else if (frame->vector != kSpuriousVector && frame->vector != legacy_pic::kFirstVector + 7 &&
                   frame->vector != legacy_pic::kLastVector) {
            panic_for(*frame);  // an NMI, a machine check or an interrupt nobody asked for
        }
        kernel::before_user_return(user_frame);
        return;
    }
    if (frame->vector == kTimerVector) {
        timer_interrupt();
        return;
    }
    if (frame->vector == kRescheduleVector) {
        reschedule_interrupt();
        return;
    }
    if (frame->vector > legacy_pic::kFirstVector && frame->vector < legacy_pic::kLastVector &&
        frame->vector != legacy_pic::kFirstVector + 7) {
        device_line_interrupt(frame->vector - legacy_pic::kFirstVector);
        return;
    }
    // Spurious interrupts get no EOI: the local APIC's by definition, and the masked PICs'
    // IRQ 7 / 15 (all their other lines are masked and so never arrive).
    if (frame->vector == kSpuriousVector) return;
    if (frame->vector == legacy_pic::kFirstVector + 7 || frame->vector == legacy_pic::kLastVector) return;
    if (resume_at_fixup(*frame)) return;
    panic_for(*frame);
}
