// The user's thread pointer, TPIDR_EL0 (arch/user_mode.h).
#include "arch/user_mode.h"
#include "kernel/arch/aarch64/cpu.h"

base::u64 arch::user_thread_pointer() { return AARCH64_READ_SYSREG(tpidr_el0); }
void arch::set_user_thread_pointer(base::u64 value) { AARCH64_WRITE_SYSREG(tpidr_el0, value); }
bool arch::user_thread_pointer_valid(base::u64) { return true; }  // user code may write any value itself
