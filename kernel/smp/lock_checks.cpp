// Lock-order and interrupt-state checks (see lock_checks.h). Each CPU's list of held classes
// lives in its CpuLocal and is touched only by that CPU with interrupts off or for a lock it
// takes itself, so it needs no lock of its own.
#include "kernel/smp/lock_checks.h"

#include "arch/arch.h"
#include "kernel/core/panic.h"
#include "kernel/smp/cpu_local.h"

namespace kernel::lock_checks {

void acquiring(const LockClass& lock_class) {
    if constexpr (!kEnabled) return;
    const CpuLocal& local = this_cpu();
    // Is it safe to spin here if an interrupt handler may take it too?
    if (lock_class.taken_in_interrupts && arch::interrupts_enabled())
        panic("lock checks: cpu {} takes the {} with interrupts on (an interrupt handler may take it: a deadlock)", local.index,
              lock_class.name);
    // Does it rank above every lock this CPU holds? (The list rises, so its last is the highest.)
    if (local.held_lock_count > 0) {
        const LockClass& highest = *local.held_locks[local.held_lock_count - 1];
        if (highest.rank >= lock_class.rank)
            panic("lock checks: cpu {} takes the {} (rank {}) while holding the {} (rank {}): out of order", local.index,
                  lock_class.name, lock_class.rank, highest.name, highest.rank);
    }
    if (local.held_lock_count == kMaxHeldLocks) panic("lock checks: cpu {} holds {} locks already", local.index, kMaxHeldLocks);
}

void acquired(const LockClass& lock_class) {
    if constexpr (!kEnabled) return;
    CpuLocal& local = this_cpu();
    local.held_locks[local.held_lock_count++] = &lock_class;
}

void releasing(const LockClass& lock_class) {
    if constexpr (!kEnabled) return;
    CpuLocal& local = this_cpu();
    // Bound: kMaxHeldLocks. Locks may be given up in any order; the rest keep theirs.
    for (unsigned i = local.held_lock_count; i-- > 0;) {
        if (local.held_locks[i] != &lock_class) continue;
        for (unsigned j = i; j + 1 < local.held_lock_count; ++j) local.held_locks[j] = local.held_locks[j + 1];
        local.held_locks[--local.held_lock_count] = nullptr;
        return;
    }
    panic("lock checks: cpu {} gives up the {}, which it does not hold", local.index, lock_class.name);
}

unsigned held_count() { return this_cpu().held_lock_count; }

}  // namespace kernel::lock_checks
