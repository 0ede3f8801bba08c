/* aarch64 entry. QEMU loads the Image at 0x4020_0000 and enters image_header with x0 = the
 * device tree's physical address, MMU off, at EL2 (virtualization=on) or EL1. Secondary CPUs
 * stay powered off until smp.cpp starts them (PSCI CPU_ON, into smp_entry.S). We drop to EL1,
 * zero .bss, build boot page tables (TTBR0: identity of [0, 4 GiB) with 1 GiB blocks; TTBR1:
 * the same at the direct map plus the kernel image in the top 2 GiB), enable the MMU and jump
 * to arch_aarch64_start(dtb) in the higher half.
 * Until the MMU is on only PC-relative addressing (adr/adrp) is used. */

#define KERNEL_VIRTUAL_OFFSET 0xffffffff80000000
#define RAM_BASE 0x40000000

/* Descriptor bits (see include/arch/page_table_format.h): AF, inner shareable, AttrIndx. */
#define BLOCK_NORMAL ((1 << 10) | (3 << 8) | (0 << 2) | 1)
#define BLOCK_DEVICE ((1 << 10) | (1 << 2) | 1 | (1 << 54) | (1 << 53))
#define TABLE 3

.section .image_header, "ax"
.global image_header
image_header:
    b primary_entry                 /* code0 */
    .long 0                         /* code1 */
    .quad 0x200000                  /* text_offset: loaded at RAM base + 2 MiB */
    .quad __kernel_image_size       /* image_size, .bss included */
    .quad 0x2                       /* flags: little-endian, 4 KiB pages */
    .quad 0, 0, 0                   /* reserved */
    .ascii "ARM\x64"                /* magic */
    .long 0                         /* reserved */

.section .boot.text, "ax"
primary_entry:
    mov x19, x0                     /* the device tree, kept for C++ */
    bl aarch64_leave_el2
    msr daifset, #0xf
    /* Zero .bss (physical addresses: the MMU is off). */
    adrp x1, __bss_start
    adrp x2, __bss_end
1:  cmp x1, x2
    b.hs 2f
    stp xzr, xzr, [x1], #16
    b 1b
2:
    /* Identity / direct map L1: [0, 1 GiB) device, [1, 4 GiB) normal memory. */
    adrp x1, boot_l1_low
    ldr x2, =BLOCK_DEVICE
    str x2, [x1]
    ldr x2, =(BLOCK_NORMAL | (1 << 30))
    str x2, [x1, #8]
    ldr x2, =(BLOCK_NORMAL | (2 << 30))
    str x2, [x1, #16]
    ldr x2, =(BLOCK_NORMAL | (3 << 30))
    str x2, [x1, #24]
    /* TTBR0 L0[0] → L1 low (identity). */
    adrp x3, boot_l0_low
    orr x2, x1, #TABLE
    str x2, [x3]
    /* TTBR1 L0[0] → L1 low (direct map at 0xffff000000000000), L0[511] → L1 high. */
    adrp x4, boot_l0_high
    str x2, [x4]
    adrp x5, boot_l1_high
    orr x2, x5, #TABLE
    str x2, [x4, #511 * 8]
    /* L1 high[510]: 0xffffffff80000000 → RAM base, one 1 GiB block holding the kernel. */
    ldr x2, =(BLOCK_NORMAL | RAM_BASE)
    str x2, [x5, #510 * 8]

    ldr x1, =0x04ff                 /* MAIR: 0 normal write-back, 1 device-nGnRE */
    msr mair_el1, x1
    mrs x1, id_aa64mmfr0_el1
    and x1, x1, #0x7                /* PARange → TCR.IPS */
    ldr x2, =((16 << 0) | (1 << 8) | (1 << 10) | (3 << 12) | (0 << 14) | (16 << 16) | (1 << 24) | (1 << 26) | (3 << 28) | (2 << 30))
    orr x2, x2, x1, lsl #32
    msr tcr_el1, x2
    msr ttbr0_el1, x3
    msr ttbr1_el1, x4
    isb
    tlbi vmalle1
    dsb nsh
    isb
    ldr x1, =0x30d01805             /* SCTLR_EL1: RES1 bits, M, C, I */
    msr sctlr_el1, x1
    isb

    ldr x1, =higher_half
    br x1
higher_half:
    /* The kernel runs on SP_EL1 (SPSel = 1); SP_EL0 belongs to user mode. vectors.S's
     * overflow check starts with kernel_main (TPIDR_EL1 is 0 until then). */
    msr spsel, #1
    msr tpidr_el1, xzr
    ldr x1, =boot_stack_top
    mov sp, x1
    mov x29, xzr
    mov x30, xzr
    mov x0, x19
    bl arch_aarch64_start
3:  wfe
    b 3b

/* Leaves EL2 for EL1, or returns at once at EL1. QEMU (virtualization=on) enters the boot CPU
 * at EL2, and PSCI starts every other CPU at the highest EL too, so each CPU calls this first
 * (smp_entry.S too), MMU off, PC-relative code only. At EL1, AArch64, EL1 owns the timers and
 * counters (the virtual counter offset 0, so every CPU reads the same time), nothing traps to
 * EL2, EL1's MMU and caches are off. Returns to x30 at EL1h with DAIF masked; SP_EL1 is unset.
 * Clobbers x1. */
.global aarch64_leave_el2
aarch64_leave_el2:
    mrs x1, CurrentEL
    lsr x1, x1, #2
    cmp x1, #2
    b.ne 1f
    mov x1, #(1 << 31)              /* HCR_EL2.RW */
    msr hcr_el2, x1
    mrs x1, cnthctl_el2
    orr x1, x1, #3                  /* EL1PCTEN, EL1PCEN */
    msr cnthctl_el2, x1
    msr cntvoff_el2, xzr
    mov x1, #0x33ff                 /* CPTR_EL2: no traps */
    msr cptr_el2, x1
    ldr x1, =0x30d00800             /* SCTLR_EL1: RES1 bits, MMU and caches off */
    msr sctlr_el1, x1
    adr x1, el2_vectors
    msr vbar_el2, x1
    mov x1, #0x3c5                  /* EL1h, DAIF masked */
    msr spsr_el2, x1
    msr elr_el2, x30
    eret
1:  ret

/* EL2's vectors once the CPU has left it. Only an hvc should ever come here — a device tree
 * naming hvc where the firmware answers smc — and it returns PSCI's NOT_SUPPORTED (-1) in x0
 * (ELR_EL2 already points past the hvc), so a wrong conduit is a refusal, not a hang.
 * Anything else stops this CPU here. */
.balign 2048
el2_vectors:
    .rept 8                         /* from EL2 itself (SP_EL0, SP_EL2): sync, IRQ, FIQ, SError */
    .balign 0x80
    b .
    .endr
    .balign 0x80                    /* synchronous, from EL1 (AArch64) */
    mov x0, #-1
    eret
    .rept 7                         /* the rest from EL1; AArch32 */
    .balign 0x80
    b .
    .endr

.section .bss
.p2align 12
boot_l0_low: .skip 4096
boot_l1_low: .skip 4096
boot_l0_high: .skip 4096
boot_l1_high: .skip 4096
.p2align 4
boot_stack: .skip 16384
boot_stack_top:
