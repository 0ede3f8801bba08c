// arch::probe_execute and the trap handlers' lookup (see execute_probe.h). The probe itself is
// a few instructions of assembly per architecture (kernel/arch/<arch>/execute_probe.S).
#include "kernel/core/execute_probe.h"

#include "arch/arch.h"

// Written by the assembly probe: the address it calls while armed is non-zero, and the label
// its fault path starts at.
extern "C" volatile base::u64 execute_probe_target;
extern "C" volatile base::u64 execute_probe_armed;
extern "C" const char execute_probe_fault[];
extern "C" int arch_probe_execute(base::uptr address);

bool arch::probe_execute(base::uptr address) { return arch_probe_execute(address) != 0; }

namespace kernel {

base::u64 execute_probe_resume(base::u64 faulting_pc) {
    if (execute_probe_armed == 0 || faulting_pc != execute_probe_target) return 0;
    return reinterpret_cast<base::u64>(execute_probe_fault);
}

}  // namespace kernel
