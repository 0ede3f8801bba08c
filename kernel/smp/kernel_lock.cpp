// The kernel lock (see kernel_lock.h): a ticket lock that records its holder.
#include "kernel/smp/kernel_lock.h"

#include "arch/arch.h"
#include "base/spinlock.h"
#include "kernel/core/panic.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/lock_checks.h"
#include "kernel/smp/smp.h"

namespace kernel::kernel_lock {
namespace {

constinit base::Spinlock lock;
constexpr unsigned kNobody = ~0u;
constinit unsigned holder = kNobody;  // written only by the holder
// The CPU whose holds may have interrupts on (the boot CPU while it boots); written by it alone.
constinit unsigned interrupts_allowed_on = kNobody;

// Is this CPU's hold allowed to have interrupts on?
bool interrupts_allowed_here(unsigned self) { return __atomic_load_n(&interrupts_allowed_on, __ATOMIC_RELAXED) == self; }

}  // namespace

void acquire() {
    if (arch::interrupts_enabled()) panic("kernel lock: taken with interrupts on");
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) == self) panic("kernel lock: cpu {} takes it twice", self);
    lock_checks::acquiring(lock_classes::kernel_lock);
    // Spinning with interrupts off, this CPU cannot take a shootdown's IPI: it answers here.
    lock.lock([] { smp::answer_shootdown(); });
    __atomic_store_n(&holder, self, __ATOMIC_RELAXED);
    lock_checks::acquired(lock_classes::kernel_lock);
}

void release() {
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) != self) panic("kernel lock: cpu {} releases it without holding it", self);
    if (lock_checks::kEnabled && arch::interrupts_enabled() && !interrupts_allowed_here(self))
        panic("kernel lock: cpu {} held it with interrupts on (found at its release)", self);
    lock_checks::releasing(lock_classes::kernel_lock);
    __atomic_store_n(&holder, kNobody, __ATOMIC_RELAXED);
    lock.unlock();
}

bool held_here() { return __atomic_load_n(&holder, __ATOMIC_RELAXED) == this_cpu().index; }

void assert_held(const char* where) {
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) != self) panic("kernel lock: {} runs on cpu {} without it", where, self);
    if (lock_checks::kEnabled && arch::interrupts_enabled() && !interrupts_allowed_here(self))
        panic("kernel lock: {} runs on cpu {} holding it with interrupts on", where, self);
}

void allow_interrupts_while_held(bool allowed) {
    const unsigned self = this_cpu().index;
    if (allowed) {
        __atomic_store_n(&interrupts_allowed_on, self, __ATOMIC_RELAXED);
    } else if (interrupts_allowed_here(self)) {
        __atomic_store_n(&interrupts_allowed_on, kNobody, __ATOMIC_RELAXED);
    }
}

void check_interrupt_under_hold() {
    if (!lock_checks::kEnabled) return;
    const unsigned self = this_cpu().index;
    if (!interrupts_allowed_here(self)) panic("kernel lock: an interrupt came in on cpu {} while it held it (interrupts were on)", self);
}

}  // namespace kernel::kernel_lock
