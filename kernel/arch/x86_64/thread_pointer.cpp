// The user's thread pointer on x86_64 (arch/user_mode.h): the FS base, which user code cannot
// set today (CR4.FSGSBASE is off and no syscall sets it; a selector load makes it 0), so every
// thread's is 0 and there is nothing to switch.
#include "arch/user_mode.h"

base::u64 arch::user_thread_pointer() { return 0; }
void arch::set_user_thread_pointer(base::u64) {}
