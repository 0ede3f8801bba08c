// x86_64 user registers as the trap and syscall entries save them on the kernel stack (the
// same layout for both, see trap_entry.S and user_entry.S), the FP/SIMD save area, and the
// fault description handed to the portable kernel.
#pragma once

#include "base/types.h"

namespace arch {

struct UserFrame {
    base::u64 r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
    base::u64 vector, error_code;        // kSyscallVector for a syscall
    base::u64 rip, cs, rflags, rsp, ss;  // as the CPU pushes them for an interrupt
};
static_assert(sizeof(UserFrame) == 22 * 8);

inline constexpr base::u64 kSyscallVector = 0x100;
inline constexpr base::u16 kUserCodeSelector = 0x2b;  // GDT entry 5, ring 3
inline constexpr base::u16 kUserDataSelector = 0x23;  // GDT entry 4, ring 3
inline constexpr base::u64 kUserFlags = 0x202;        // IF set, everything else clear

inline void user_frame_init(UserFrame& frame, base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    frame = UserFrame{};
    frame.rip = pc;
    frame.rsp = stack_pointer;
    frame.rdi = argument;
    frame.cs = kUserCodeSelector;
    frame.ss = kUserDataSelector;
    frame.rflags = kUserFlags;
}
inline base::u64 syscall_number(const UserFrame& frame) { return frame.rax; }
inline base::u64 syscall_argument(const UserFrame& frame, int index) {
    switch (index) {
        case 0: return frame.rdi;
        case 1: return frame.rsi;
        case 2: return frame.rdx;
        case 3: return frame.r10;
        case 4: return frame.r8;
        default: return frame.r9;
    }
}
inline void set_syscall_result(UserFrame& frame, base::i64 value) { frame.rax = static_cast<base::u64>(value); }
inline base::u64 user_pc(const UserFrame& frame) { return frame.rip; }

// FXSAVE/XSAVE area: x87, SSE and (where the CPU has it) AVX state.
struct alignas(64) FpuState {
    base::u8 bytes[1024] = {};
};

enum class UserFaultKind : base::u8 { PageRead, PageWrite, PageExecute, IllegalInstruction, Breakpoint, Alignment, Arithmetic, Other };
struct UserFault {
    UserFaultKind kind;
    base::u64 address;  // the faulting data or instruction address (page faults)
    base::u64 code;     // vector << 32 | error code
};

}  // namespace arch
