/* A secondary CPU's first instructions. PSCI CPU_ON enters aarch64_secondary_entry at its
 * physical address, MMU off, at EL2 or EL1, with x0 = the context id smp.cpp gave: the physical
 * address of this CPU's SecondaryStart (secondary_start.h). We leave EL2, load the boot CPU's
 * MAIR, TCR and SCTLR and the kernel's own tables (TTBR1), with a one-block identity map in
 * TTBR0 so that the instruction after the MMU comes on is still mapped; then jump to the kernel's
 * high address, drop the identity map (lower-half walks off, as on the boot CPU until a user
 * Reticle is loaded), and call aarch64_secondary_start(record) on the stack we were given.
 * Until the MMU is on, only PC-relative addressing and the record (by physical address) are
 * used; smp.cpp cleaned the record and the identity tables to the point of coherency, since
 * these reads bypass the caches. */

#include "kernel/arch/aarch64/secondary_start.h"

#define TCR_EPD0 (1 << 7)

.section .text
.balign 8
.global aarch64_secondary_entry
aarch64_secondary_entry:
    mov x19, x0
    bl aarch64_leave_el2            /* boot.S: returns at EL1, DAIF masked */
    msr daifset, #0xf               /* entered at EL1: mask here too */
    ldr x1, [x19, #SECONDARY_START_MAIR]
    ldr x2, [x19, #SECONDARY_START_TCR]
    ldr x3, [x19, #SECONDARY_START_IDENTITY_ROOT]
    ldr x4, [x19, #SECONDARY_START_KERNEL_ROOT]
    ldr x5, [x19, #SECONDARY_START_SCTLR]
    ldr x20, [x19, #SECONDARY_START_STACK_TOP]
    ldr x21, [x19, #SECONDARY_START_RECORD]
    msr mair_el1, x1
    msr tcr_el1, x2
    msr ttbr0_el1, x3
    msr ttbr1_el1, x4
    isb
    tlbi vmalle1                    /* nothing cached from before reset may be used */
    dsb nsh
    isb
    msr sctlr_el1, x5
    isb
    ldr x1, =secondary_higher_half  /* the literal is read through the identity map */
    br x1

secondary_higher_half:
    msr spsel, #1
    mov sp, x20
    /* No CpuLocal yet: vectors.S's overflow check is off until aarch64_secondary_start sets it. */
    msr tpidr_el1, xzr
    mrs x1, tcr_el1
    orr x1, x1, #TCR_EPD0
    msr tcr_el1, x1
    msr ttbr0_el1, xzr
    isb
    tlbi vmalle1
    dsb nsh
    isb
    mov x29, xzr                    /* a null frame ends backtraces */
    mov x30, xzr
    mov x0, x21
    bl aarch64_secondary_start
1:  wfi                             /* aarch64_secondary_start never returns */
    b 1b
