// This CPU's CpuLocal (arch/smp.h). One CPU for now: a plain pointer; TPIDR_EL1 replaces it
// before a second CPU runs kernel code that reads it.
#include "arch/smp.h"

namespace {
constinit kernel::CpuLocal* boot_cpu_local = nullptr;
}  // namespace

void arch::set_cpu_local(kernel::CpuLocal* local) { boot_cpu_local = local; }
kernel::CpuLocal* arch::cpu_local() { return boot_cpu_local; }
