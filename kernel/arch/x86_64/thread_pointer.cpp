// The user's thread pointer on x86_64 (arch/user_mode.h): the FS base. thread_set_tls sets it;
// a selector load by user code may reset it, so the MSR is the truth and is read on every save.
#include "arch/user_mode.h"
#include "abi/abi.h"
#include "kernel/arch/x86_64/cpu.h"

namespace {
constexpr base::u32 kFsBaseMsr = 0xc000'0100;
}

base::u64 arch::user_thread_pointer() { return x86_64::read_msr(kFsBaseMsr); }
void arch::set_user_thread_pointer(base::u64 value) { x86_64::write_msr(kFsBaseMsr, value); }
// Canonical and in the user half: anything else would fault the kernel's wrmsr, or point user
// code's %fs accesses at the kernel.
bool arch::user_thread_pointer_valid(base::u64 value) { return value < vectra::abi::kUserSpaceEnd; }
