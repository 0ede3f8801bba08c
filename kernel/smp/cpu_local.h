// CpuLocal: what each CPU keeps for itself, in one place (arch/smp.h says how a CPU finds its
// own). The first fields are read by the architecture's entry code at fixed offsets
// (cpu_local_offsets.h, checked below); the rest belongs to the scheduler and the SMP code.
#pragma once

#include "arch/smp.h"
#include "base/types.h"
#include "kernel/smp/cpu_local_offsets.h"

namespace kernel {

struct LockClass;
struct Thread;

// How many spinlocks one CPU may hold at once (lock_checks.h; two classes exist today).
inline constexpr unsigned kMaxHeldLocks = 4;

struct CpuLocal {
    // --- Read by entry code (offsets fixed) ---
    CpuLocal* self = nullptr;             // 0: x86_64 reads %gs:0 to get the pointer itself
    base::u64 kernel_stack_top = 0;       // 8: x86_64 syscall entry: the running thread's stack
    base::u64 user_stack_scratch = 0;     // 16: x86_64 syscall entry: the user's rsp, briefly
    base::u64 stack_limit = 0;            // 24: aarch64: the running stack's lowest byte
    base::u64 overflow_stack_top = 0;     // 32: aarch64: where a kernel stack overflow moves to
    // --- The kernel's ---
    unsigned index = 0;                   // 0 for the boot CPU
    bool online = false;                  // set by the CPU itself in secondary_cpu_main
    base::u64 hardware_id = 0;            // BootInfo::cpu_ids[index]
    Thread* running = nullptr;
    Thread* idle = nullptr;
    base::u64 reschedule_interrupts = 0;  // taken on this CPU (tests)
    base::u64 shootdown_asked = 0;        // the newest shootdown another CPU asked of this one
    base::u64 shootdown_done = 0;         // the newest this CPU has done
    // --- Lock checks (lock_checks.h): the classes this CPU holds, in the order it took them ---
    const LockClass* held_locks[kMaxHeldLocks] = {};
    unsigned held_lock_count = 0;
};

static_assert(__builtin_offsetof(CpuLocal, self) == CPU_LOCAL_SELF);
static_assert(__builtin_offsetof(CpuLocal, kernel_stack_top) == CPU_LOCAL_KERNEL_STACK_TOP);
static_assert(__builtin_offsetof(CpuLocal, user_stack_scratch) == CPU_LOCAL_USER_STACK_SCRATCH);
static_assert(__builtin_offsetof(CpuLocal, stack_limit) == CPU_LOCAL_STACK_LIMIT);
static_assert(__builtin_offsetof(CpuLocal, overflow_stack_top) == CPU_LOCAL_OVERFLOW_STACK_TOP);

// Every CPU's CpuLocal, by index.
CpuLocal& cpu(unsigned index);
// The CpuLocal of the CPU running this code.
inline CpuLocal& this_cpu() { return *arch::cpu_local(); }

}  // namespace kernel
