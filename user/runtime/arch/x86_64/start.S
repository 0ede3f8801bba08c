/* x86_64 program entry. The kernel starts the first thread here with its argument in rdi and
 * a stack pointer (any alignment) in rsp. The frame-pointer chain ends here (rbp = 0), the
 * stack is aligned as the SysV ABI expects at a call, and the runtime takes over; it never
 * returns. */
.section .text.start, "ax"
.global _start
.type _start, @function
_start:
    xorl %ebp, %ebp
    andq $-16, %rsp
    call vectra_runtime_start
    ud2
.size _start, . - _start
