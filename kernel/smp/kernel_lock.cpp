// The kernel lock (see kernel_lock.h): a ticket lock that records its holder.
#include "kernel/smp/kernel_lock.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "base/types.h"
#include "kernel/core/panic.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/lock_checks.h"
#include "kernel/smp/smp.h"

namespace kernel::kernel_lock {
namespace {

// A ticket lock: first come, first served.
constinit base::u32 next_ticket = 0;
constinit base::u32 now_serving = 0;  // the ticket that holds it; stored by the holder only
constexpr unsigned kNobody = ~0u;
constinit unsigned holder = kNobody;  // written only by the holder
// The CPU whose holds may have interrupts on (the boot CPU while it boots); written by it alone.
constinit unsigned interrupts_allowed_on = kNobody;

// Bit i: CPU i is asleep in its spin, or about to be (arch::sleep_while_spinning); the releaser
// wakes each. Set and cleared by that CPU only.
constinit base::u32 sleepers = 0;
// How long a waiter spins before it sleeps: far longer than a kernel path on real hardware, so
// only a holder that lost its (virtual) CPU makes others sleep.
constexpr base::u64 kSpinBeforeSleepNanoseconds = 50'000;

// Sleeps until woken, unless the lock moved on from `serving` or a shootdown is asked meanwhile.
// Lost wake-ups: this CPU's bit is set before it looks at the lock again, and the releaser looks
// at the bits after its store (both sequentially consistent), so either this CPU sees the new
// ticket or the releaser sees the bit and sends a wake, which stays pending and ends the sleep.
// A shootdown's ask interrupts this CPU too. And its tick ends any sleep within 10 ms.
// False: this CPU cannot sleep here (see arch::sleep_while_spinning), so it goes on spinning.
bool sleep_unless_served(base::u32 serving) {
    const base::u32 bit = 1u << this_cpu().index;
    bool could = true;
    __atomic_fetch_or(&sleepers, bit, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&now_serving, __ATOMIC_SEQ_CST) == serving && !smp::shootdown_asked_here()) could = arch::sleep_while_spinning();
    __atomic_fetch_and(&sleepers, ~bit, __ATOMIC_RELAXED);
    return could;
}

// Wakes every CPU asleep in its spin (each looks at the ticket again; the one served takes it).
void wake_sleepers() {
    base::u32 waiting = __atomic_load_n(&sleepers, __ATOMIC_RELAXED);
    // Bound: one pass per set bit.
    while (waiting != 0) {
        const unsigned index = static_cast<unsigned>(__builtin_ctz(waiting));
        waiting &= waiting - 1;
        arch::send_lock_wake(index);
    }
}

// Is this CPU's hold allowed to have interrupts on?
bool interrupts_allowed_here(unsigned self) { return __atomic_load_n(&interrupts_allowed_on, __ATOMIC_RELAXED) == self; }

}  // namespace

void acquire() {
    if (arch::interrupts_enabled()) panic("kernel lock: taken with interrupts on");
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) == self) panic("kernel lock: cpu {} takes it twice", self);
    lock_checks::acquiring(lock_classes::kernel_lock);
    const base::u32 ticket = __atomic_fetch_add(&next_ticket, 1, __ATOMIC_RELAXED);
    base::u32 serving = __atomic_load_n(&now_serving, __ATOMIC_ACQUIRE);
    constexpr base::u64 kNever = ~0ull;
    base::u64 sleep_after = 0;  // when this CPU may sleep instead (0: not yet timed)
    // Bound: the CPUs ahead of this one, each holding it for one bounded kernel path.
    while (serving != ticket) {
        // Spinning with interrupts off, this CPU cannot take a shootdown's IPI: it answers
        // here (the ask also ends the waits below: arch::spin_wake_others, and the IPI).
        smp::answer_shootdown();
        if (sleep_after == 0) {
            sleep_after = arch::monotonic_ns() + kSpinBeforeSleepNanoseconds;
        } else if (sleep_after != kNever && arch::monotonic_ns() > sleep_after) {
            if (!sleep_unless_served(serving)) sleep_after = kNever;
        }
        serving = arch::spin_wait_while_equal(&now_serving, serving);
    }
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
    // The store ends the next waiter's arch::spin_wait_while_equal (on aarch64, by clearing
    // its exclusive monitor: an event).
    __atomic_store_n(&now_serving, __atomic_load_n(&now_serving, __ATOMIC_RELAXED) + 1, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&sleepers, __ATOMIC_SEQ_CST) != 0) wake_sleepers();
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
