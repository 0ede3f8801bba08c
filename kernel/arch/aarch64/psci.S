/* PSCI calls (DEN0022) by the SMC Calling Convention: x0 = function id, x1-x3 = arguments,
 * x0 = result; the callee may change x4-x17, all of which AAPCS64 lets a callee change too.
 * Which instruction reaches the firmware is the device tree's word (smp.cpp picks). Where
 * nothing answers, the call must fail, not stop the kernel: an hvc or smc with no EL2 or EL3
 * behind it is an undefined instruction at EL1, and traps.cpp resumes after it with
 * NOT_SUPPORTED in x0 (aarch64::psci_undefined_resume); an hvc into the EL2 the kernel left gets
 * the same answer from boot.S's EL2 vectors. */

.section .text
.balign 4
.global aarch64_psci_hvc
aarch64_psci_hvc:
.Lhvc:
    hvc #0
    ret

.global aarch64_psci_smc
aarch64_psci_smc:
.Lsmc:
    smc #0
    ret

.section .rodata
.balign 8
.global aarch64_psci_instructions
aarch64_psci_instructions:
    .quad .Lhvc, .Lsmc
