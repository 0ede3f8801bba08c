// aarch64 user registers as vectors.S saves them on the kernel stack, the FP/SIMD save area,
// and the fault description handed to the portable kernel.
#pragma once

#include "base/types.h"

namespace arch {

struct UserFrame {
    base::u64 x[31];
    base::u64 sp, elr, spsr, esr, far;
};
static_assert(sizeof(UserFrame) == 288);

inline constexpr base::u64 kUserSpsr = 0;  // EL0t, interrupts unmasked

inline void user_frame_init(UserFrame& frame, base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    frame = UserFrame{};
    frame.elr = pc;
    frame.sp = stack_pointer;
    frame.x[0] = argument;
    frame.spsr = kUserSpsr;
}
inline base::u64 syscall_number(const UserFrame& frame) { return frame.x[8]; }
inline base::u64 syscall_argument(const UserFrame& frame, int index) { return frame.x[index]; }
inline void set_syscall_result(UserFrame& frame, base::i64 value) { frame.x[0] = static_cast<base::u64>(value); }
inline base::u64 user_pc(const UserFrame& frame) { return frame.elr; }

// q0-q31, FPCR, FPSR.
struct alignas(16) FpuState {
    base::u64 q[64] = {};
    base::u64 fpcr = 0, fpsr = 0;
};

enum class UserFaultKind : base::u8 { PageRead, PageWrite, PageExecute, IllegalInstruction, Breakpoint, Alignment, Arithmetic, Other };
struct UserFault {
    UserFaultKind kind;
    base::u64 address;
    base::u64 code;  // ESR_EL1
};

}  // namespace arch
