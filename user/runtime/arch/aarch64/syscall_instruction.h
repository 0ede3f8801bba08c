// The aarch64 system-call instruction (calling convention in lib/abi/abi.h): `svc #0`, number
// in x8, arguments in x0-x5, result in x0; every other register is preserved.
#pragma once

#include "base/types.h"

namespace vectra::sys::arch {

inline base::i64 syscall6(base::u64 number, base::u64 a0, base::u64 a1, base::u64 a2, base::u64 a3, base::u64 a4,
                          base::u64 a5) {
    register base::u64 x8 asm("x8") = number;
    register base::u64 x0 asm("x0") = a0;
    register base::u64 x1 asm("x1") = a1;
    register base::u64 x2 asm("x2") = a2;
    register base::u64 x3 asm("x3") = a3;
    register base::u64 x4 asm("x4") = a4;
    register base::u64 x5 asm("x5") = a5;
    // "memory": the kernel reads and writes user buffers named by the arguments.
    asm volatile("svc #0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5) : "memory");
    return static_cast<base::i64>(x0);
}

}  // namespace vectra::sys::arch
