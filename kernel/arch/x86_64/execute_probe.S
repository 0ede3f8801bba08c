/* arch_probe_execute(address) -> 1 if the code at address ran and returned, 0 if fetching it
 * faulted (see kernel/core/execute_probe.h). On such a fault the trap handler resumes at
 * execute_probe_fault with every register as it was, so the call's return address is still
 * on the stack. */

.section .text
.p2align 4
.global arch_probe_execute
arch_probe_execute:
    movq %rdi, execute_probe_target(%rip)
    movq $1, execute_probe_armed(%rip)
    call *%rdi
    movl $1, %eax
    jmp 1f
.global execute_probe_fault
execute_probe_fault:
    addq $8, %rsp                               /* the return address the call pushed */
    xorl %eax, %eax
1:  movq $0, execute_probe_armed(%rip)
    ret

.p2align 4
.global execute_probe_return_code
execute_probe_return_code:
    ret
    .fill 15, 1, 0xcc                           /* int3 */

/* The same bytes in rodata, which must not execute. */
.section .rodata
.p2align 4
.global execute_probe_return_code_in_rodata
execute_probe_return_code_in_rodata:
    ret
    .fill 15, 1, 0xcc

.section .bss
.p2align 3
.global execute_probe_target
.global execute_probe_armed
execute_probe_target: .quad 0
execute_probe_armed: .quad 0
