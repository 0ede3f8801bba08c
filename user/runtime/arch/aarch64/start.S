/* aarch64 program entry. The kernel starts the first thread here with its argument in x0 and
 * a stack pointer (any alignment) in sp. The frame record chain ends here (x29 = x30 = 0), sp
 * is aligned to 16 as AAPCS64 requires, and the runtime takes over; it never returns. */
.section .text.start, "ax"
.global _start
.type _start, %function
_start:
    mov x29, #0
    mov x30, #0
    mov x9, sp
    and x9, x9, #~15
    mov sp, x9
    bl vectra_runtime_start
    brk #0
.size _start, . - _start
