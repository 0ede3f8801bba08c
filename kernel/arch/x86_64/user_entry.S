/* x86_64 user mode: the syscall entry, the way back to user mode, kernel context switches and
 * the checked copies to and from user memory.
 *
 * syscall arrives with interrupts off (SFMASK clears IF, DF, TF, AC), the user's rsp still
 * loaded and rcx/r11 holding the user rip/rflags. The entry swaps in this CPU's GS base (its
 * CpuLocal, see cpu_local.cpp), moves to the running thread's kernel stack recorded there, and
 * saves a UserFrame in the same layout trap_entry.S uses, so the rest of the kernel sees one
 * kind of frame. The way out swaps the user's GS base back last. */

#define USER_CODE 0x2b
#define USER_DATA 0x23
#define SYSCALL_VECTOR 0x100
#define FRAME_RIP (17 * 8)
#define FRAME_RFLAGS (19 * 8)
#define FRAME_RSP (20 * 8)

#include "trap_frame.inc"
#include "kernel/smp/cpu_local_offsets.h"

.section .text
.p2align 4
.global x86_64_syscall_entry
x86_64_syscall_entry:
    swapgs
    movq %rsp, %gs:CPU_LOCAL_USER_STACK_SCRATCH
    movq %gs:CPU_LOCAL_KERNEL_STACK_TOP, %rsp
    pushq $USER_DATA
    pushq %gs:CPU_LOCAL_USER_STACK_SCRATCH
    pushq %r11                                  /* user rflags */
    pushq $USER_CODE
    pushq %rcx                                  /* user rip */
    pushq $0
    pushq $SYSCALL_VECTOR
    SAVE_REGISTERS
    movq %rsp, %rdi
    xorl %ebp, %ebp                             /* backtraces stop at the user boundary */
    call x86_64_syscall
    /* fall through: back to user mode with the (possibly updated) frame */

/* Returns to user mode from the UserFrame at %rsp. sysret when the frame allows it (a user
 * rip below the canonical boundary, so sysret cannot fault in ring 0), else iretq. */
x86_64_return_to_user:
    movq FRAME_RIP(%rsp), %rcx
    movq $0x00007ffffffff000, %rax
    cmpq %rax, %rcx
    jae 1f
    RESTORE_REGISTERS
    addq $16, %rsp                              /* vector and error code */
    movq (%rsp), %rcx                           /* rip */
    movq 16(%rsp), %r11                         /* rflags */
    movq 24(%rsp), %rsp                         /* user rsp: nothing below touches the stack */
    swapgs
    sysretq
1:  RESTORE_REGISTERS
    addq $16, %rsp
    swapgs
    iretq

/* enter_user_mode(frame): frame is at the top of the current kernel stack. */
.global x86_64_enter_user_mode
x86_64_enter_user_mode:
    movq %rdi, %rsp
    jmp x86_64_return_to_user

/* context_switch(save_stack_pointer, next_stack_pointer) */
.global x86_64_context_switch
x86_64_context_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* A fresh thread's first switch lands here with entry in r13 and its argument in r12. */
.global x86_64_thread_start
x86_64_thread_start:
    movq %r12, %rdi
    xorl %ebp, %ebp
    pushq $0                                    /* a zero return address ends backtraces */
    jmp *%r13

/* copy_user(destination, source, length) -> 1 copied, 0 faulted. The caller has checked that
 * the user side lies in the user half; SMAP is lifted (stac) only for the copy itself. Words
 * first (rep movsq), then the tail bytes. */
.global x86_64_copy_user_smap
x86_64_copy_user_smap:
    stac
    movq %rdx, %rcx
    shrq $3, %rcx
.Lcopy_smap_words:
    rep movsq
    movq %rdx, %rcx
    andq $7, %rcx
.Lcopy_smap:
    rep movsb
    clac
    movl $1, %eax
    ret
.Lcopy_smap_fault:
    clac
    xorl %eax, %eax
    ret

/* The same without stac/clac, for CPUs without SMAP (stac would be undefined there). */
.global x86_64_copy_user_plain
x86_64_copy_user_plain:
    movq %rdx, %rcx
    shrq $3, %rcx
.Lcopy_plain_words:
    rep movsq
    movq %rdx, %rcx
    andq $7, %rcx
.Lcopy_plain:
    rep movsb
    movl $1, %eax
    ret
.Lcopy_plain_fault:
    xorl %eax, %eax
    ret

.section .rodata
.p2align 3
.global user_access_fixups
.global user_access_fixups_end
user_access_fixups:
    .quad .Lcopy_smap_words, .Lcopy_smap_fault
    .quad .Lcopy_smap, .Lcopy_smap_fault
    .quad .Lcopy_plain_words, .Lcopy_plain_fault
    .quad .Lcopy_plain, .Lcopy_plain_fault
user_access_fixups_end:
