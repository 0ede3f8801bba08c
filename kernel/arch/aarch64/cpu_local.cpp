// This CPU's CpuLocal (arch/smp.h) in TPIDR_EL1, which only EL1 can read or write. vectors.S
// reads it for the kernel-stack overflow check (0 before kernel_main sets it: no check then).
#include "arch/smp.h"
#include "kernel/arch/aarch64/cpu.h"

void arch::set_cpu_local(kernel::CpuLocal* local) { AARCH64_WRITE_SYSREG(tpidr_el1, reinterpret_cast<base::u64>(local)); }

kernel::CpuLocal* arch::cpu_local() { return reinterpret_cast<kernel::CpuLocal*>(AARCH64_READ_SYSREG(tpidr_el1)); }
