/* aarch64 exception vectors (VBAR_EL1): 16 entries of 0x80 bytes. The kernel runs on SP_EL0,
 * so its exceptions arrive as "current EL with SP0" (kinds 0-3) and are handled on SP_EL1, a
 * separate exception stack; kinds 4-7 are faults inside a handler. Each entry saves x0/x1, loads
 * its kind (0-15: {current EL with SP0, current EL with SPx, lower EL AArch64, lower EL
 * AArch32} × {sync, IRQ, FIQ, SError}) and joins the common path, which saves every register
 * into a TrapFrame (see traps.cpp), calls aarch64_trap(frame, kind) and restores it — ELR and
 * SPSR included, so a handler may redirect the return (the probe fixups do). */

#define FRAME_SIZE 288   /* x0-x30, sp, elr, spsr, esr, far: 36 words, 16-byte aligned */

.macro VECTOR kind
    .balign 0x80
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
    VECTOR 4
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
    /* The interrupted sp: SP_EL0 when the kernel was running (kinds 0-3, the normal case),
     * else the exception stack itself, below which this frame was pushed. */
    mrs x2, sp_el0
    cmp x1, #4
    b.lo 1f
    add x2, sp, #FRAME_SIZE
1:  stp x30, x2, [sp, #240]
    mrs x2, elr_el1
    mrs x3, spsr_el1
    stp x2, x3, [sp, #256]
    mrs x2, esr_el1
    mrs x3, far_el1
    stp x2, x3, [sp, #272]
    mov x0, sp
    bl aarch64_trap
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
