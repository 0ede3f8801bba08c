// The x86_64 system-call instruction (calling convention in lib/abi/abi.h): number in rax,
// arguments in rdi, rsi, rdx, r10, r8, r9, result in rax; the CPU clobbers rcx and r11.
#pragma once

#include "base/types.h"

namespace vectra::sys::arch {

inline base::i64 syscall6(base::u64 number, base::u64 a0, base::u64 a1, base::u64 a2, base::u64 a3, base::u64 a4,
                          base::u64 a5) {
    register base::u64 r10 asm("r10") = a3;
    register base::u64 r8 asm("r8") = a4;
    register base::u64 r9 asm("r9") = a5;
    base::i64 result;
    // "memory": the kernel reads and writes user buffers named by the arguments.
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(number), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return result;
}

}  // namespace vectra::sys::arch
