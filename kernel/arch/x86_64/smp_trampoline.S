/* x86_64 secondary CPU start code. A started-up CPU (INIT, then SIPI with vector V) begins in
 * real mode at V:0000, i.e. physical V * 4096: smp.cpp copies the blob between
 * x86_64_trampoline_start and x86_64_trampoline_end to such a page T below 1 MiB at boot and
 * builds, in the three pages after it, a temporary page table (T + 0x1000) that maps the
 * first GiB of physical memory both at its own address (for this code) and at the kernel
 * image's link address (boot.S makes the same assumption: the image lies in the first GiB).
 *
 * The blob is position-independent: it learns T from CS and patches its own GDT pointer and
 * far-jump targets (each CPU writes the same values, so a late CPU cannot disturb another).
 * It goes real mode -> 32-bit protected mode -> long mode on the temporary table, then jumps
 * to x86_64_secondary_entry in the kernel image, which switches to the kernel's own page
 * tables (no identity mapping of low memory survives there) and its stack, and calls C++.
 * Nothing here uses a stack. */

#define OFFSET(label) ((label) - x86_64_trampoline_start)

#define CR0_PE (1 << 0)
#define CR0_ET (1 << 4)
#define CR0_NE (1 << 5)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)
#define CR4_PGE (1 << 7)
#define EFER_MSR 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define TEMPORARY_PML4 0x1000                   /* from T; smp.cpp builds it */

/* Offsets in x86_64_secondary_start (smp.cpp's SecondaryStart, checked there). */
#define START_PAGE_TABLE_ROOT 0
#define START_STACK_TOP 8

.section .rodata
.p2align 12
.code16
.global x86_64_trampoline_start
x86_64_trampoline_start:
    cli
    cld
    movw %cs, %ax
    movw %ax, %ds
    xorl %ebx, %ebx
    movw %ax, %bx
    shll $4, %ebx                               /* ebx = T, kept until long mode */

    leal OFFSET(trampoline_gdt)(%ebx), %eax
    movl %eax, OFFSET(trampoline_gdt_pointer) + 2
    leal OFFSET(protected_mode_entry)(%ebx), %eax
    movl %eax, OFFSET(protected_mode_target)
    leal OFFSET(long_mode_entry)(%ebx), %eax
    movl %eax, OFFSET(long_mode_target)

    lgdtl OFFSET(trampoline_gdt_pointer)
    movl %cr0, %eax
    orl $CR0_PE, %eax
    movl %eax, %cr0
    ljmpl *OFFSET(protected_mode_target)

.code32
protected_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs

    /* Like boot.S: PAE and global pages, long mode with no-execute (the kernel's tables set
     * NX bits, reserved without EFER.NXE), paging with write protection. CR0 is written whole:
     * INIT leaves caching disabled (CD, NW), which must not stay. */
    movl $(CR4_PAE | CR4_PGE), %eax
    movl %eax, %cr4
    leal TEMPORARY_PML4(%ebx), %eax
    movl %eax, %cr3
    movl $EFER_MSR, %ecx
    rdmsr
    orl $(EFER_LME | EFER_NXE), %eax
    wrmsr
    movl $(CR0_PG | CR0_WP | CR0_NE | CR0_ET | CR0_PE), %eax
    movl %eax, %cr0
    ljmpl *OFFSET(long_mode_target)(%ebx)

.code64
long_mode_entry:
    movabsq $x86_64_secondary_entry, %rax
    jmp *%rax

.p2align 3
/* Selectors as in the kernel's GDT (descriptor_tables.cpp): 0x08 64-bit code, 0x10 data;
 * 0x18 is the 32-bit code this blob passes through. */
trampoline_gdt:
    .quad 0
    .quad 0x00af9a000000ffff                    /* 0x08: 64-bit code */
    .quad 0x00cf92000000ffff                    /* 0x10: data, flat 4 GiB */
    .quad 0x00cf9a000000ffff                    /* 0x18: 32-bit code, flat 4 GiB */
trampoline_gdt_end:
trampoline_gdt_pointer:
    .word trampoline_gdt_end - trampoline_gdt - 1
    .long 0                                     /* T + OFFSET(trampoline_gdt), patched */
.p2align 2
protected_mode_target:
    .long 0                                     /* T + OFFSET(protected_mode_entry), patched */
    .word 0x18
.p2align 2
long_mode_target:
    .long 0                                     /* T + OFFSET(long_mode_entry), patched */
    .word 0x08
.global x86_64_trampoline_end
x86_64_trampoline_end:

/* In the kernel image, still on the temporary table (which maps the image, so the parameters
 * can be read): the kernel's own root, the stack, then C++ with interrupts off. The root may
 * lie above 4 GiB, which only long mode can load. */
.section .text
.p2align 4
x86_64_secondary_entry:
    movq x86_64_secondary_start + START_PAGE_TABLE_ROOT(%rip), %rax
    movq %rax, %cr3
    movq x86_64_secondary_start + START_STACK_TOP(%rip), %rsp
    xorl %ebp, %ebp
    pushq $0                                    /* a zero return address ends backtraces */
    jmp x86_64_secondary_cpu_start
