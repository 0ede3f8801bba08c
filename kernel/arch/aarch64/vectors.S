/* aarch64 exception vectors (VBAR_EL1): 16 entries of 0x80 bytes. The kernel runs on SP_EL1
 * (each thread's kernel stack); user mode runs on SP_EL0. Kinds: {current EL with SP0, current
 * EL with SPx, lower EL AArch64, lower EL AArch32} × {sync, IRQ, FIQ, SError}, numbered 0-15.
 * Kinds 4-7 are the kernel's own exceptions, 8-11 come from user mode, 0-3 cannot happen (the
 * kernel never runs on SP_EL0) and 12-15 are AArch32 code, which VectraOS does not run.
 *
 * Each entry saves x0/x1 and joins the common path, which saves every register into a
 * UserFrame-shaped frame (arch/user_frame.h), calls aarch64_trap (kernel) or aarch64_user_trap
 * (user) and restores it — ELR, SPSR and, from user mode, SP_EL0 included.
 *
 * A kernel stack overflow: the synchronous kernel entry first checks that the frame it is about
 * to push stays above this CPU's stack limit (CpuLocal, reached through TPIDR_EL1: the running
 * stack's lowest byte); if not, it moves to this CPU's overflow stack, so the fault on the guard
 * page becomes a dump instead of a fault loop. While the kernel runs, SP_EL0 holds nothing (the
 * user's SP_EL0 is in its frame), so the check uses it as its one scratch register. Before
 * kernel_main sets TPIDR_EL1 it is 0 and there is no check. */

#include "kernel/smp/cpu_local_offsets.h"

#define FRAME_SIZE 288   /* x0-x30, sp, elr, spsr, esr, far: 36 words, 16-byte aligned */

.macro VECTOR kind
    .balign 0x80
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0]
    mov x1, #\kind
    b vector_common
.endm

.macro VECTOR_KERNEL_SYNC kind
    .balign 0x80
    msr sp_el0, x0
    mrs x0, tpidr_el1
    cbz x0, 1f
    ldr x0, [x0, #CPU_LOCAL_STACK_LIMIT]
    add x0, x0, #FRAME_SIZE
    cmp sp, x0
    b.hs 1f
    mrs x0, tpidr_el1
    ldr x0, [x0, #CPU_LOCAL_OVERFLOW_STACK_TOP]
    mov sp, x0
1:  mrs x0, sp_el0
    sub sp, sp, #FRAME_SIZE
    stp x0, x1, [sp, #0]
    mov x1, #\kind
    b vector_common
.endm

.section .text
.balign 2048
.global exception_vectors
exception_vectors:
    VECTOR 0
    VECTOR 1
    VECTOR 2
    VECTOR 3
    VECTOR_KERNEL_SYNC 4
    VECTOR 5
    VECTOR 6
    VECTOR 7
    VECTOR 8
    VECTOR 9
    VECTOR 10
    VECTOR 11
    VECTOR 12
    VECTOR 13
    VECTOR 14
    VECTOR 15

vector_common:
    stp x2, x3, [sp, #16]
    stp x4, x5, [sp, #32]
    stp x6, x7, [sp, #48]
    stp x8, x9, [sp, #64]
    stp x10, x11, [sp, #80]
    stp x12, x13, [sp, #96]
    stp x14, x15, [sp, #112]
    stp x16, x17, [sp, #128]
    stp x18, x19, [sp, #144]
    stp x20, x21, [sp, #160]
    stp x22, x23, [sp, #176]
    stp x24, x25, [sp, #192]
    stp x26, x27, [sp, #208]
    stp x28, x29, [sp, #224]
    /* The interrupted sp: SP_EL0 for user mode (kinds 8-15), else the kernel stack above
     * this frame. */
    mrs x2, sp_el0
    cmp x1, #8
    b.hs 1f
    add x2, sp, #FRAME_SIZE
1:  stp x30, x2, [sp, #240]
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #256]
    mrs x2, esr_el1
    mrs x3, far_el1
    stp x2, x3, [sp, #272]
    mov x0, sp
    cmp x1, #8
    b.hs 2f
    bl aarch64_trap
    b restore_frame
2:  mov x29, xzr                        /* backtraces stop at the user boundary */
    bl aarch64_user_trap
    /* fall through: back to user mode */
restore_user_frame:
    ldr x2, [sp, #248]
    msr sp_el0, x2
restore_frame:
    ldp x2, x3, [sp, #256]
    msr elr_el1, x2
    msr spsr_el1, x3
    ldp x2, x3, [sp, #16]
    ldp x4, x5, [sp, #32]
    ldp x6, x7, [sp, #48]
    ldp x8, x9, [sp, #64]
    ldp x10, x11, [sp, #80]
    ldp x12, x13, [sp, #96]
    ldp x14, x15, [sp, #112]
    ldp x16, x17, [sp, #128]
    ldp x18, x19, [sp, #144]
    ldp x20, x21, [sp, #160]
    ldp x22, x23, [sp, #176]
    ldp x24, x25, [sp, #192]
    ldp x26, x27, [sp, #208]
    ldp x28, x29, [sp, #224]
    ldr x30, [sp, #240]
    ldp x0, x1, [sp, #0]
    add sp, sp, #FRAME_SIZE
    eret

/* enter_user_mode(frame): the frame is at the top of the current kernel stack. */
.global aarch64_enter_user_mode
aarch64_enter_user_mode:
    mov sp, x0
    b restore_user_frame

/* context_switch(save_stack_pointer, next_stack_pointer) */
.global aarch64_context_switch
aarch64_context_switch:
    sub sp, sp, #96
    stp x19, x20, [sp, #0]
    stp x21, x22, [sp, #16]
    stp x23, x24, [sp, #32]
    stp x25, x26, [sp, #48]
    stp x27, x28, [sp, #64]
    stp x29, x30, [sp, #80]
    mov x2, sp
    str x2, [x0]
    mov sp, x1
    ldp x19, x20, [sp, #0]
    ldp x21, x22, [sp, #16]
    ldp x23, x24, [sp, #32]
    ldp x25, x26, [sp, #48]
    ldp x27, x28, [sp, #64]
    ldp x29, x30, [sp, #80]
    add sp, sp, #96
    ret

/* A fresh thread's first switch lands here with entry in x19 and its argument in x20. */
.global aarch64_thread_start
aarch64_thread_start:
    mov x0, x20
    mov x29, xzr
    mov x30, xzr
    br x19

/* copy_from_user(destination, user source, length) -> 1 copied, 0 faulted. LDTR/STTR access
 * memory with EL0's permissions (and are allowed under PAN), so a kernel page passed as a user
 * pointer faults like an unmapped one. The caller has checked the range is in the user half. */
.global aarch64_copy_from_user
aarch64_copy_from_user:
    cmp x2, #8
    b.lo 2f
1:
.Lfrom_user_word:
    ldtr x3, [x1]
    str x3, [x0], #8
    add x1, x1, #8
    sub x2, x2, #8
    cmp x2, #8
    b.hs 1b
2:  cbz x2, 3f
.Lfrom_user_byte:
    ldtrb w3, [x1]
    strb w3, [x0], #1
    add x1, x1, #1
    sub x2, x2, #1
    b 2b
3:  mov w0, #1
    ret
.Lfrom_user_fault:
    mov w0, #0
    ret

.global aarch64_copy_to_user
aarch64_copy_to_user:                    /* (user destination, source, length) */
    cmp x2, #8
    b.lo 2f
1:  ldr x3, [x1], #8
.Lto_user_word:
    sttr x3, [x0]
    add x0, x0, #8
    sub x2, x2, #8
    cmp x2, #8
    b.hs 1b
2:  cbz x2, 3f
    ldrb w3, [x1], #1
.Lto_user_byte:
    sttrb w3, [x0]
    add x0, x0, #1
    sub x2, x2, #1
    b 2b
3:  mov w0, #1
    ret
.Lto_user_fault:
    mov w0, #0
    ret

.section .rodata
.balign 8
.global user_access_fixups
.global user_access_fixups_end
user_access_fixups:
    .quad .Lfrom_user_word, .Lfrom_user_fault
    .quad .Lfrom_user_byte, .Lfrom_user_fault
    .quad .Lto_user_word, .Lto_user_fault
    .quad .Lto_user_byte, .Lto_user_fault
user_access_fixups_end:

.section .text
/* Memory probes: the one instruction that may fault is listed in probe_fixups with the
 * address to resume at; the data-abort handler resumes there (returning 0). */
.global aarch64_probe_write_u8
aarch64_probe_write_u8:                 /* (address, value) -> 1 written, 0 faulted */
.Lprobe_write:
    strb w1, [x0]
    mov w0, #1
    ret
.Lprobe_write_fault:
    mov w0, #0
    ret

.global aarch64_probe_read_u8
aarch64_probe_read_u8:                  /* (address, out) -> 1 read, 0 faulted */
.Lprobe_read:
    ldrb w2, [x0]
    strb w2, [x1]
    mov w0, #1
    ret
.Lprobe_read_fault:
    mov w0, #0
    ret

.global aarch64_switch_stack_and_call
aarch64_switch_stack_and_call:          /* (stack top, entry, argument), no return */
    mov sp, x0
    mov x0, x2
    mov x29, xzr                        /* a null frame ends backtraces */
    mov x30, xzr
    br x1

.section .rodata
.balign 8
.global probe_fixups
.global probe_fixups_end
probe_fixups:
    .quad .Lprobe_write, .Lprobe_write_fault
    .quad .Lprobe_read, .Lprobe_read_fault
probe_fixups_end:
