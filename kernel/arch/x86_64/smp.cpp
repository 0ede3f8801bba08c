// x86_64 side of arch/smp.h. Not yet: starting the other CPUs (INIT-SIPI-SIPI) and the
// reschedule IPI; until then every CPU but the boot one is reported as refusing to start.
#include "arch/smp.h"

bool arch::start_cpu(unsigned, base::u64, base::uptr, base::uptr, kernel::CpuLocal*) { return false; }
void arch::send_reschedule(unsigned) {}
