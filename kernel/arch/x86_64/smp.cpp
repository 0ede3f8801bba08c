// x86_64 side of arch/smp.h. Not yet: starting the other CPUs (INIT-SIPI-SIPI) and the
// reschedule IPI; until then every CPU but the boot one is reported as refusing to start.
#include "arch/smp.h"

namespace {
constinit kernel::CpuLocal* boot_cpu_local = nullptr;
}  // namespace

bool arch::start_cpu(unsigned, base::u64, base::uptr, base::uptr, kernel::CpuLocal*) { return false; }
void arch::send_reschedule(unsigned) {}

// One CPU for now: a plain pointer (the GS base comes with secondary CPUs).
void arch::set_cpu_local(kernel::CpuLocal* local) { boot_cpu_local = local; }
kernel::CpuLocal* arch::cpu_local() { return boot_cpu_local; }
