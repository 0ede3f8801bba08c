// The aarch64 half of the Linux benchmark's tiny system layer: syscall numbers (the generic
// table), `svc #0`, the virtual counter, the entry point and a thread-starting clone.
#pragma once

#include <stdint.h>

namespace linux_abi {

enum Number : long {
    ioctl = 29, mkdirat = 34, mount = 40, openat = 56, close = 57, pipe2 = 59, read = 63,
    write = 64, exit = 93, exit_group = 94, futex = 98, clock_gettime = 113,
    sched_setscheduler = 119, sched_setaffinity = 122, sched_getaffinity = 123,
    sched_yield = 124, reboot = 142, uname = 160, getpid = 172, getppid = 173, socketpair = 199,
    clone = 220, wait4 = 260,
};

// Number in x8, arguments in x0-x5, result in x0.
inline long syscall6(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                     long a5 = 0) {
    register long x8 asm("x8") = number;
    register long x0 asm("x0") = a0;
    register long x1 asm("x1") = a1;
    register long x2 asm("x2") = a2;
    register long x3 asm("x3") = a3;
    register long x4 asm("x4") = a4;
    register long x5 asm("x5") = a5;
    asm volatile("svc #0"
                 : "+r"(x0)
                 : "r"(x8), "r"(x1), "r"(x2), "r"(x3), "r"(x4), "r"(x5)
                 : "memory");
    return x0;
}

// The virtual counter ticks at CNTFRQ_EL0 (62.5 MHz on QEMU's virt), not at the CPU clock.
// The isb keeps the read from being taken early, as the architecture allows.
inline uint64_t read_ticks() {
    uint64_t value;
    asm volatile("isb\n\tmrs %0, cntvct_el0" : "=r"(value)::"memory");
    return value;
}

inline uint64_t tick_frequency() {
    uint64_t value;
    asm volatile("mrs %0, cntfrq_el0" : "=r"(value));
    return value;
}
inline const char* tick_source() { return "cntvct"; }

}  // namespace linux_abi

// _start: the kernel enters with sp at argc, then argv, a null, envp, a null.
asm(R"(
    .text
    .globl _start
_start:
    mov x29, xzr
    mov x30, xzr
    mov x0, sp
    bl start_from_kernel
1:  b 1b

    // long spawn_thread(long flags, void (*entry)(void*), void* argument, void* stack_top, int* tid)
    // clone(flags, stack, parent_tid, tls, child_tid): the child loads entry and argument from
    // its new stack, runs entry and ends itself with exit (only this thread).
    .globl spawn_thread
spawn_thread:
    stp x1, x2, [x3, #-16]!
    mov x1, x3
    mov x2, x4
    mov x3, xzr
    mov x8, #220
    svc #0
    cbnz x0, 1f
    ldp x9, x0, [sp], #16
    mov x29, xzr
    blr x9
    mov x0, xzr
    mov x8, #93
    svc #0
2:  b 2b
1:  ret
)");
