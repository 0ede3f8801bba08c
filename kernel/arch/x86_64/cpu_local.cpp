// This CPU's CpuLocal (arch/smp.h) through the GS base. In the kernel, IA32_GS_BASE holds the
// CpuLocal and IA32_KERNEL_GS_BASE the user's GS base (always 0: user code cannot set one);
// every way in from user mode does swapgs first and every way out does it last (user_entry.S,
// trap_entry.S — traps decide by the GS base's sign, which also covers an NMI or machine check
// that lands between a swapgs and the sysret/iret next to it).
#include "arch/smp.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/smp/cpu_local.h"

namespace {
constexpr base::u32 kGsBase = 0xc000'0101;
constexpr base::u32 kKernelGsBase = 0xc000'0102;
}  // namespace

void arch::set_cpu_local(kernel::CpuLocal* local) {
    x86_64::write_msr(kGsBase, reinterpret_cast<base::u64>(local));
    x86_64::write_msr(kKernelGsBase, 0);
}

kernel::CpuLocal* arch::cpu_local() {
    kernel::CpuLocal* local;
    asm volatile("movq %%gs:%c1, %0" : "=r"(local) : "i"(CPU_LOCAL_SELF));
    return local;
}
