/* arch_probe_execute(address) -> 1 if the code at address ran and returned, 0 if fetching it
 * faulted (see kernel/core/execute_probe.h). On such a fault the trap handler resumes at
 * execute_probe_fault with every register as it was but x30, which the frame saved. */

.section .text
.p2align 4
.global arch_probe_execute
arch_probe_execute:
    stp x29, x30, [sp, #-16]!
    mov x29, sp
    adrp x1, execute_probe_target
    str x0, [x1, :lo12:execute_probe_target]
    adrp x1, execute_probe_armed
    mov x2, #1
    str x2, [x1, :lo12:execute_probe_armed]
    blr x0
    mov w0, #1
    b 1f
.global execute_probe_fault
execute_probe_fault:
    mov w0, #0
1:  adrp x1, execute_probe_armed
    str xzr, [x1, :lo12:execute_probe_armed]
    ldp x29, x30, [sp], #16
    ret

.p2align 4
.global execute_probe_return_code
execute_probe_return_code:
    ret
    brk #0
    brk #0
    brk #0

/* The same bytes in rodata, which must not execute. */
.section .rodata
.p2align 4
.global execute_probe_return_code_in_rodata
execute_probe_return_code_in_rodata:
    ret
    brk #0
    brk #0
    brk #0

.section .bss
.p2align 3
.global execute_probe_target
.global execute_probe_armed
execute_probe_target: .quad 0
execute_probe_armed: .quad 0
