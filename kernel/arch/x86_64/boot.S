/* x86_64 entry: QEMU's PVH loader enters pvh_start32 in 32-bit protected mode, paging off,
 * with ebx = physical address of the hvm_start_info. We build boot page tables (the first
 * 4 GiB identity-mapped and at the direct map, the kernel image in the top 2 GiB; 2 MiB
 * pages), enter long mode with NX and CR0.WP on, jump to the higher half and call
 * arch_x86_64_start(start_info_physical). Until paging is on, symbols are used at their
 * physical addresses (virtual - KERNEL_VIRTUAL_OFFSET). */

#define KERNEL_VIRTUAL_OFFSET 0xffffffff80000000
#define PHYSICAL(symbol) ((symbol) - KERNEL_VIRTUAL_OFFSET)

/* The PVH note: XEN_ELFNOTE_PHYS32_ENTRY (18) with the physical entry address. QEMU reads
 * the descriptor as a 64-bit word at the name's end rounded up to the segment's alignment,
 * so the note stays 4-byte aligned and the descriptor is a full quad. */
.section .note.pvh, "a", @note
    .p2align 2
    .long 4                     /* name size: "Xen\0" */
    .long 8                     /* descriptor size */
    .long 18                    /* XEN_ELFNOTE_PHYS32_ENTRY */
    .asciz "Xen"
    .p2align 2
    .quad PHYSICAL(pvh_start32)
    .p2align 2

.section .boot.text, "ax"
.code32
.global pvh_start32
pvh_start32:
    cli
    cld
    movl %ebx, %edi                             /* start info, kept for arch_x86_64_start */

    /* Can this CPU run us at all? Long mode and no-execute, or a message and QEMU ends. */
    movl $0x80000000, %eax
    cpuid
    cmpl $0x80000001, %eax
    jb unsupported_cpu
    movl $0x80000001, %eax
    cpuid
    testl $(1 << 29), %edx                      /* long mode */
    jz unsupported_cpu
    testl $(1 << 20), %edx                      /* no-execute */
    jz unsupported_cpu

    /* Page directories: 2048 entries of 2 MiB covering [0, 4 GiB), present+writable+large. */
    movl $PHYSICAL(boot_page_directories), %edx
    xorl %ecx, %ecx
1:  movl %ecx, %eax
    shll $21, %eax
    orl $0x83, %eax
    movl %eax, (%edx,%ecx,8)
    movl $0, 4(%edx,%ecx,8)
    incl %ecx
    cmpl $2048, %ecx
    jne 1b

    /* The low PDPT points at the four directories (identity and direct map share it). */
    movl $PHYSICAL(boot_pdpt_low), %edx
    movl $PHYSICAL(boot_page_directories) + 0x003, %eax
    movl %eax, 0(%edx)
    addl $0x1000, %eax
    movl %eax, 8(%edx)
    addl $0x1000, %eax
    movl %eax, 16(%edx)
    addl $0x1000, %eax
    movl %eax, 24(%edx)

    /* The high PDPT: entry 510 (0xffffffff80000000) maps the first GiB: the kernel image. */
    movl $PHYSICAL(boot_pdpt_high), %edx
    movl $PHYSICAL(boot_page_directories) + 0x003, %eax
    movl %eax, 510 * 8(%edx)

    /* PML4: 0 identity, 256 direct map (0xffff800000000000), 511 the kernel image. */
    movl $PHYSICAL(boot_pml4), %edx
    movl $PHYSICAL(boot_pdpt_low) + 0x003, %eax
    movl %eax, 0(%edx)
    movl %eax, 256 * 8(%edx)
    movl $PHYSICAL(boot_pdpt_high) + 0x003, %eax
    movl %eax, 511 * 8(%edx)

    movl %cr4, %eax
    orl $((1 << 5) | (1 << 7)), %eax            /* PAE, global pages (kernel mappings are global) */
    movl %eax, %cr4
    movl $PHYSICAL(boot_pml4), %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx                      /* EFER */
    rdmsr
    orl $((1 << 8) | (1 << 11)), %eax           /* long mode, no-execute enable */
    wrmsr
    movl %cr0, %eax
    orl $((1 << 31) | (1 << 16) | 1), %eax      /* paging, write protect, protected mode */
    movl %eax, %cr0

    lgdt PHYSICAL(boot_gdt_pointer)
    ljmp $0x08, $PHYSICAL(long_mode_entry)

/* Paging is off and nothing is set up: say why on COM1 byte by byte (the UART works at
 * QEMU's defaults) and leave through isa-debug-exit with ExitCode::Panicked (0x12). */
unsupported_cpu:
    movl $PHYSICAL(unsupported_cpu_message), %esi
    movw $0x3f8, %dx
1:  movb (%esi), %al
    testb %al, %al
    jz 2f
    outb %al, %dx
    incl %esi
    jmp 1b
2:  movw $0xf4, %dx
    movl $0x12, %eax
    outl %eax, %dx
3:  cli
    hlt
    jmp 3b

.code64
long_mode_entry:
    movw $0x10, %ax
    movw %ax, %ds
    movw %ax, %es
    movw %ax, %ss
    xorw %ax, %ax
    movw %ax, %fs
    movw %ax, %gs
    movabsq $higher_half_entry, %rax
    jmp *%rax

higher_half_entry:
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    movl %edi, %edi                             /* zero-extend the start info address */
    call arch_x86_64_start
2:  cli
    hlt
    jmp 2b

.section .rodata
.p2align 4
boot_gdt:
    .quad 0
    .quad 0x00af9a000000ffff                    /* 0x08: 64-bit kernel code */
    .quad 0x00cf92000000ffff                    /* 0x10: kernel data */
boot_gdt_end:
boot_gdt_pointer:
    .word boot_gdt_end - boot_gdt - 1
    .long PHYSICAL(boot_gdt)
unsupported_cpu_message:
    .asciz "VectraOS cannot boot: this CPU lacks long mode or no-execute (try -cpu max)\r\n"

.section .bss
.p2align 12
.global boot_pml4
boot_pml4: .skip 4096
boot_pdpt_low: .skip 4096
boot_pdpt_high: .skip 4096
boot_page_directories: .skip 4 * 4096
.p2align 4
boot_stack: .skip 16384
boot_stack_top:
