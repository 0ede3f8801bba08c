// The x86_64 half of the Linux benchmark's tiny system layer: syscall numbers, the `syscall`
// instruction, the time-stamp counter, the entry point and a thread-starting clone. Nothing here
// touches libc; the numbers are Linux's x86_64 ABI, which never changes.
#pragma once

#include <stdint.h>

namespace linux_abi {

enum Number : long {
    read = 0, write = 1, close = 3, ioctl = 16, sched_yield = 24, getpid = 39, socketpair = 53,
    clone = 56, exit = 60, wait4 = 61, uname = 63, getppid = 110, sched_setscheduler = 144,
    mount = 165, reboot = 169, futex = 202, sched_setaffinity = 203, sched_getaffinity = 204,
    clock_gettime = 228, exit_group = 231, openat = 257, mkdirat = 258, pipe2 = 293,
};

// Arguments in rdi, rsi, rdx, r10, r8, r9; the kernel clobbers rcx (return rip) and r11 (rflags).
inline long syscall6(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                     long a5 = 0) {
    register long r10 asm("r10") = a3;
    register long r8 asm("r8") = a4;
    register long r9 asm("r9") = a5;
    long result;
    asm volatile("syscall"
                 : "=a"(result)
                 : "a"(number), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                 : "rcx", "r11", "memory");
    return result;
}

// The time-stamp counter; under TCG with -icount QEMU derives it from the instruction count.
inline uint64_t read_ticks() {
    uint32_t low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high)::"memory");
    return (uint64_t(high) << 32) | low;
}

inline uint64_t tick_frequency() { return 0; }  // unknown from user mode: ticks are TSC cycles
inline const char* tick_source() { return "tsc"; }

}  // namespace linux_abi

// _start: the kernel enters with rsp at argc, then argv, a null, envp, a null.
asm(R"(
    .text
    .globl _start
_start:
    xor %ebp, %ebp
    mov %rsp, %rdi
    and $-16, %rsp
    call start_from_kernel
    hlt

    // long spawn_thread(long flags, void (*entry)(void*), void* argument, void* stack_top, int* tid)
    // clone(flags, stack, parent_tid, child_tid, tls): the child pops entry and argument from
    // its new stack, runs entry and ends itself with exit (only this thread).
    .globl spawn_thread
spawn_thread:
    sub $16, %rcx
    mov %rsi, 0(%rcx)
    mov %rdx, 8(%rcx)
    mov %rcx, %rsi
    mov %r8, %rdx
    mov %r8, %r10
    xor %r8d, %r8d
    mov $56, %eax
    syscall
    test %rax, %rax
    jnz 1f
    pop %rax
    pop %rdi
    xor %ebp, %ebp
    call *%rax
    xor %edi, %edi
    mov $60, %eax
    syscall
    hlt
1:  ret
)");
