// aarch64 exception dispatch: IRQs go to the GIC (the reschedule SGI, the timer tick, device
// interrupts), a data abort at one of the memory probes resumes at its fixup, and everything
// else becomes a panic dump with the exception class and fault status decoded.
#include "arch/arch.h"
#include "arch/smp.h"
#include "arch/user_mode.h"
#include "base/format.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/core/execute_probe.h"
#include "kernel/core/fault_fixup.h"
#include "kernel/core/panic.h"


namespace aarch64 {

// As vectors.S saves it.
struct TrapFrame {
    u64 x[31];
    u64 sp, elr, spsr, esr, far;
};
static_assert(sizeof(TrapFrame) == 288);

namespace {

const char* exception_class_name(u64 ec) {
    switch (ec) {
        case 0x00: return "unknown reason";
        case 0x01: return "trapped WFI/WFE";
        case 0x07: return "SIMD/FP access trapped";
        case 0x0e: return "illegal execution state";
        case 0x15: return "SVC from AArch64";
        case 0x18: return "trapped system register access";
        case 0x20: return "instruction abort from a lower EL";
        case 0x21: return "instruction abort from EL1";
        case 0x22: return "PC alignment fault";
        case 0x24: return "data abort from a lower EL";
        case 0x25: return "data abort from EL1";
        case 0x26: return "SP alignment fault";
        case 0x2f: return "SError";
        case 0x3c: return "BRK instruction";
        default: return "unexpected exception class";
    }
}

const char* fault_status_name(u64 status) {
    switch (status & 0x3c) {
        case 0x00: return "address size fault";
        case 0x04: return "translation fault";
        case 0x08: return "access flag fault";
        case 0x0c: return "permission fault";
        case 0x10: return status == 0x10 ? "synchronous external abort" : "external abort on table walk";
        case 0x20: return status == 0x21 ? "alignment fault" : "other fault";
        default: return "other fault";
    }
}

const char* describe(u64 esr) {
    static char text[160];
    base::BufferSink out(text, sizeof text);
    const u64 ec = esr >> 26;
    if (ec == 0x24 || ec == 0x25) {
        const u64 status = esr & 0x3f;
        base::print(out, "EC {:#x}: {} at level {} on a {}", ec, fault_status_name(status), status & 3,
                    (esr >> 6) & 1 ? "write (WnR)" : "read");
    } else if (ec == 0x20 || ec == 0x21) {
        const u64 status = esr & 0x3f;
        base::print(out, "EC {:#x}: {} at level {} on an instruction fetch", ec, fault_status_name(status), status & 3);
    } else {
        base::print(out, "EC {:#x}: {}, ISS {:#x}", ec, exception_class_name(ec), esr & 0x1ff'ffff);
    }
    return text;
}

[[noreturn]] void panic_for(const TrapFrame& frame, u64 kind) {
    static const char* const register_names[31] = {"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
        "x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20", "x21", "x22", "x23", "x24", "x25", "x26",
        "x27", "x28", "x29", "x30"};
    static kernel::TrapRegister registers[36];
    for (int i = 0; i < 31; ++i) registers[i] = {register_names[i], frame.x[i]};
    registers[31] = {"sp", frame.sp};
    registers[32] = {"elr", frame.elr};
    registers[33] = {"spsr", frame.spsr};
    registers[34] = {"esr", frame.esr};
    registers[35] = {"far", frame.far};

    const u64 ec = frame.esr >> 26;
    const bool synchronous = kind % 4 == 0;
    kernel::TrapReport report;
    report.exception_name = synchronous ? exception_class_name(ec)
                                        : (kind % 4 == 1 ? "unexpected IRQ" : (kind % 4 == 2 ? "unexpected FIQ" : "SError"));
    report.vector = synchronous ? ec : kind;
    report.instruction_pointer = frame.elr;
    report.stack_pointer = frame.sp;
    report.frame_pointer = frame.x[29];
    report.has_faulting_address = synchronous && (ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25);
    report.faulting_address = frame.far;
    report.error_code = frame.esr;
    report.error_description = describe(frame.esr);
    report.registers = base::Span<const kernel::TrapRegister>(registers, 36);
    kernel::panic_from_trap(report);
}

// A fault at one of the probes' instructions resumes at its recovery address.
bool resume_at_fixup(TrapFrame& frame) {
    const u64 resume = kernel::fault_fixup_for(frame.elr);
    if (resume == 0) return false;
    frame.elr = resume;
    return true;
}

}  // namespace
}  // namespace aarch64

static_assert(sizeof(aarch64::TrapFrame) == sizeof(arch::UserFrame), "one frame layout for kernel and user traps");

namespace aarch64 {
namespace {

// Handles a pending IRQ: the reschedule SGI, the timer tick, a device's interrupt, or nothing
// (spurious). Every acknowledged interrupt is ended, with the value acknowledged (an SGI's
// end names its sender too).
void handle_irq() {
    const u32 acknowledged = gic_acknowledge();
    const u32 id = gic_interrupt_id(acknowledged);
    if (id == kGicSpurious) return;
    if (id == kRescheduleSgi) {
        kernel::reschedule_interrupt();
    } else if (id == timer_interrupt_id()) {
        timer_interrupt();
    } else if (id >= 32) {
        kernel::device_interrupt(id);  // a shared peripheral interrupt: its Mask masks it
    }
    gic_end_of_interrupt(acknowledged);
}

// A synchronous exception from EL0 that is not a syscall, in the portable kernel's words.
arch::UserFault user_fault_for(const TrapFrame& frame) {
    using Kind = arch::UserFaultKind;
    const u64 ec = frame.esr >> 26;
    arch::UserFault fault{Kind::Other, 0, frame.esr};
    switch (ec) {
        case 0x24:  // data abort from EL0
            fault.address = frame.far;
            fault.kind = (frame.esr & 0x3f) == 0x21 ? Kind::Alignment : (((frame.esr >> 6) & 1) ? Kind::PageWrite : Kind::PageRead);
            break;
        case 0x20:  // instruction abort from EL0
            fault.address = frame.far;
            fault.kind = Kind::PageExecute;
            break;
        case 0x22: case 0x26: fault.kind = Kind::Alignment; fault.address = frame.far; break;
        case 0x00: case 0x0e: case 0x18: fault.kind = Kind::IllegalInstruction; break;
        case 0x3c: fault.kind = Kind::Breakpoint; break;
        case 0x2c: fault.kind = Kind::Arithmetic; break;  // trapped floating-point exception
        default: break;
    }
    return fault;
}

}  // namespace
}  // namespace aarch64

extern "C" void aarch64_trap(aarch64::TrapFrame* frame, base::u64 kind) {
    using namespace aarch64;
    if (kind == 5) {  // an IRQ while the kernel ran (the idle loop)
        handle_irq();
        return;
    }
    if (kind == 4 && (frame->esr >> 26) == 0x25 && resume_at_fixup(*frame)) return;
    if (kind == 4 && (frame->esr >> 26) == 0x00 && psci_undefined_resume(frame->elr, frame->x[0])) {
        frame->elr += 4;  // a PSCI call with no firmware behind its conduit: it returns an error
        return;
    }
    if (kind == 4 && (frame->esr >> 26) == 0x21) {  // the instruction abort arch::probe_execute expects
        if (const u64 resume = kernel::execute_probe_resume(frame->elr); resume != 0) {
            frame->elr = resume;
            return;
        }
    }
    panic_for(*frame, kind);
}

// Kinds 8-15: from EL0. Nothing here may panic on the user's account.
extern "C" void aarch64_user_trap(aarch64::TrapFrame* frame, base::u64 kind) {
    using namespace aarch64;
    auto& user_frame = *reinterpret_cast<arch::UserFrame*>(frame);
    if (kind == 8) {
        if ((frame->esr >> 26) == 0x15) {
            kernel::handle_syscall(user_frame);
        } else {
            kernel::handle_user_fault(user_frame, user_fault_for(*frame));
        }
    } else if (kind == 9) {
        handle_irq();
    } else if (kind == 11) {
        panic_for(*frame, kind);  // SError: the machine is broken, not the Task
    } else {
        // FIQ (never enabled) or AArch32 code, which VectraOS does not run.
        kernel::handle_user_fault(user_frame, arch::UserFault{arch::UserFaultKind::IllegalInstruction, 0, frame->esr});
    }
    kernel::before_user_return(user_frame);
}
