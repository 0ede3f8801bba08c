/* x86_64 trap entry: one 16-byte stub per vector (so stub n sits at trap_stubs + 16 * n),
 * each pushing a zero error code where the CPU pushes none, then its vector number; the
 * common path saves every general register into a TrapFrame (see traps.cpp) and calls
 * x86_64_trap(frame). The stack is 16-byte aligned at the call: the CPU aligns it before
 * pushing its 5-word frame, and 2 + 15 words follow. */

#include "trap_frame.inc"

.macro TRAP_STUB vector
    .p2align 4
    .if (\vector == 8) || ((\vector >= 10) && (\vector <= 14)) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
    .else
    pushq $0
    .endif
    pushq $\vector
    jmp trap_common
.endm

.section .text
.p2align 4
.global trap_stubs
trap_stubs:
.altmacro
.set vector, 0
.rept 256
    TRAP_STUB %vector
    .set vector, vector + 1
.endr
.noaltmacro

/* The GS base must be this CPU's CpuLocal while the kernel runs (cpu_local.cpp). A trap from
 * user mode finds the user's (0) there; so may an NMI or machine check that lands in kernel
 * mode between a swapgs and the sysret/iret beside it. So the decision is by the GS base
 * itself: not a kernel address (sign bit clear) means swap now and swap back on the way out
 * (rbx, callee-saved, remembers). */
trap_common:
    SAVE_REGISTERS
    movl $0xc0000101, %ecx                      /* IA32_GS_BASE */
    rdmsr
    xorl %ebx, %ebx
    testl %edx, %edx
    js 1f
    swapgs
    movl $1, %ebx
1:  movq %rsp, %rdi
    cld
    call x86_64_trap
    testl %ebx, %ebx
    jz 2f
    swapgs
2:  RESTORE_REGISTERS
    addq $16, %rsp                              /* vector and error code */
    iretq

/* Memory probes: the one instruction that may fault is listed in probe_fixups with the
 * address to resume at; the #PF handler resumes there (returning 0) instead of panicking. */
.global x86_64_probe_write_u8
x86_64_probe_write_u8:                          /* (address, value) -> 1 written, 0 faulted */
.Lprobe_write:
    movb %sil, (%rdi)
    movl $1, %eax
    ret
.Lprobe_write_fault:
    xorl %eax, %eax
    ret

.global x86_64_probe_read_u8
x86_64_probe_read_u8:                           /* (address, out) -> 1 read, 0 faulted */
.Lprobe_read:
    movb (%rdi), %al
    movb %al, (%rsi)
    movl $1, %eax
    ret
.Lprobe_read_fault:
    xorl %eax, %eax
    ret

.global x86_64_switch_stack_and_call
x86_64_switch_stack_and_call:                   /* (stack top, entry, argument), no return */
    movq %rdi, %rsp
    movq %rdx, %rdi
    xorl %ebp, %ebp
    pushq $0                                    /* a zero return address ends backtraces */
    jmp *%rsi

.section .rodata
.p2align 3
.global probe_fixups
.global probe_fixups_end
probe_fixups:
    .quad .Lprobe_write, .Lprobe_write_fault
    .quad .Lprobe_read, .Lprobe_read_fault
probe_fixups_end:
