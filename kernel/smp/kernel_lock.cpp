// The kernel lock (see kernel_lock.h): a test-and-set lock that records its holder.
#include "kernel/smp/kernel_lock.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "base/types.h"
#include "kernel/core/panic.h"
#include "kernel/debug/trace.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/lock_checks.h"
#include "kernel/smp/smp.h"

namespace kernel::kernel_lock {
namespace {

// A test-and-set lock, not a ticket lock: whichever CPU looks first once it is free takes it.
// VectraOS runs in virtual machines, whose virtual CPUs the host may deschedule at any moment
// for milliseconds. A ticket lock hands the lock to the next waiter in line even while that
// waiter's virtual CPU is not running, and then every CPU waits for the host to run it: with
// more virtual CPUs than the host gives, each hand-off cost a host time slice, and all CPUs
// crawled (Linux uses a test-and-set lock in guests without paravirtual locks for this reason).
// Fairness is given up: a CPU can lose the race repeatedly, but only while others make progress.
constinit base::u32 locked = 0;   // 1 while held
constinit base::u32 waiting = 0;  // CPUs spinning for it now (read by the hang dump)
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

// Sleeps until woken, unless the lock is free or a shootdown is asked meanwhile. Lost
// wake-ups: this CPU's bit is set before it looks at the lock again, and the releaser looks at
// the bits after its store (both sequentially consistent), so either this CPU sees the lock free
// or the releaser sees the bit and sends a wake, which stays pending and ends the sleep.
// A shootdown's ask interrupts this CPU too. And its tick ends any sleep within 10 ms.
// False: this CPU cannot sleep here (see arch::sleep_while_spinning), so it goes on spinning.
bool sleep_unless_free() {
    const base::u32 bit = 1u << this_cpu().index;
    bool could = true;
    __atomic_fetch_or(&sleepers, bit, __ATOMIC_SEQ_CST);
    if (__atomic_load_n(&locked, __ATOMIC_SEQ_CST) != 0 && !smp::shootdown_asked_here()) could = arch::sleep_while_spinning();
    __atomic_fetch_and(&sleepers, ~bit, __ATOMIC_RELAXED);
    return could;
}

// Wakes every CPU asleep in its spin (each looks at the lock again; the first takes it).
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
    constexpr base::u64 kNever = ~0ull;
    base::u64 sleep_after = 0;  // when this CPU may sleep instead (0: not spun yet)
    base::u64 began = 0;
    // Bound: other CPUs hold it for one bounded kernel path each; one that keeps losing the race
    // still sees them progress.
    while (__atomic_exchange_n(&locked, 1u, __ATOMIC_ACQUIRE) != 0) {
        if (sleep_after == 0) {
            __atomic_fetch_add(&waiting, 1, __ATOMIC_RELAXED);
            began = arch::monotonic_ns();
            sleep_after = began + kSpinBeforeSleepNanoseconds;
        }
        // Bound: until it looks free (reading, not writing, so the holder's line stays put).
        while (__atomic_load_n(&locked, __ATOMIC_RELAXED) != 0) {
            // Spinning with interrupts off, this CPU cannot take a shootdown's IPI: it answers
            // here (the ask also ends the waits below: arch::spin_wake_others, and the IPI).
            smp::answer_shootdown();
            if (sleep_after != kNever && arch::monotonic_ns() > sleep_after && !sleep_unless_free()) sleep_after = kNever;
            (void)arch::spin_wait_while_equal(&locked, 1u);
        }
    }
    if (sleep_after != 0) __atomic_fetch_sub(&waiting, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&holder, self, __ATOMIC_RELAXED);
    if (sleep_after != 0) trace::record(trace::Event::LockWaited, arch::monotonic_ns() - began);
    lock_checks::acquired(lock_classes::kernel_lock);
}

void release() {
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) != self) panic("kernel lock: cpu {} releases it without holding it", self);
    if (lock_checks::kEnabled && arch::interrupts_enabled() && !interrupts_allowed_here(self))
        panic("kernel lock: cpu {} held it with interrupts on (found at its release)", self);
    lock_checks::releasing(lock_classes::kernel_lock);
    __atomic_store_n(&holder, kNobody, __ATOMIC_RELAXED);
    // The store ends the waiters' arch::spin_wait_while_equal (on aarch64, by clearing their
    // exclusive monitors: an event).
    __atomic_store_n(&locked, 0u, __ATOMIC_SEQ_CST);
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
