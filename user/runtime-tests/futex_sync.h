// A mutex and a condition variable on the futex, as a C library's pthread_mutex_t and
// pthread_cond_t will stand on it; here for the stress tests, each wait bounded by a deadline
// so that a lost wake-up ends in a refusal the test reports, not in a hang.
//   FutexMutex: 0 free, 1 held, 2 held and someone may sleep on it (the classic three-state
//     futex mutex); an unlock that finds 2 wakes one sleeper.
//   FutexCondition: a sequence number every signal moves; a waiter reads it under the mutex,
//     unlocks and sleeps while it is unchanged, so a signal after the read is never lost
//     (futex_wait refuses with WouldBlock when the number moved before it could sleep).
#pragma once

#include "user/runtime/syscalls.h"

namespace stress {

class FutexMutex {
public:
    // False when `deadline` (clock_now ns) passed before the mutex was taken (not held then).
    [[nodiscard]] bool lock(base::u64 deadline) {
        base::u32 seen = compare_exchange(0, 1);
        if (seen == 0) return true;
        // Bound: each pass takes it, or sleeps until an unlock's wake or the deadline.
        do {
            if (seen == 2 || compare_exchange(1, 2) != 0) {
                const base::u64 now = vectra::sys::clock_now();
                if (now >= deadline) return false;
                (void)vectra::sys::futex_wait(&word_, 2, deadline - now);
            }
        } while ((seen = compare_exchange(0, 2)) != 0);
        return true;
    }
    void unlock() {
        if (__atomic_exchange_n(&word_, 0u, __ATOMIC_RELEASE) == 2) (void)vectra::sys::futex_wake(&word_, 1);
    }
    base::u32 state() const { return __atomic_load_n(&word_, __ATOMIC_RELAXED); }
    void reset() { __atomic_store_n(&word_, 0u, __ATOMIC_RELAXED); }

private:
    base::u32 compare_exchange(base::u32 expected, base::u32 desired) {
        __atomic_compare_exchange_n(&word_, &expected, desired, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
        return expected;  // the value seen
    }
    alignas(4) base::u32 word_ = 0;
};

class FutexCondition {
public:
    // Called holding `mutex`; returns holding it again, true when woken (or the number moved),
    // false when `deadline` passed first (a lost wake-up, if the condition already held) — the
    // mutex is then held only when the second value says so.
    struct Waited {
        bool woken;
        bool holds_mutex;
    };
    [[nodiscard]] Waited wait(FutexMutex& mutex, base::u64 deadline) {
        const base::u32 seen = __atomic_load_n(&sequence_, __ATOMIC_RELAXED);
        mutex.unlock();
        const base::u64 now = vectra::sys::clock_now();
        bool woken = false;
        if (now < deadline) woken = vectra::sys::futex_wait(&sequence_, seen, deadline - now).status() != vectra::Status::Timeout;
        const bool holds = mutex.lock(deadline);
        return {woken, holds};
    }
    // Called holding the mutex the waiters use.
    void signal() {
        __atomic_fetch_add(&sequence_, 1u, __ATOMIC_RELAXED);
        (void)vectra::sys::futex_wake(&sequence_, 1);
    }
    void broadcast() {
        __atomic_fetch_add(&sequence_, 1u, __ATOMIC_RELAXED);
        (void)vectra::sys::futex_wake(&sequence_, ~base::u64(0) >> 1);
    }
    void reset() { __atomic_store_n(&sequence_, 0u, __ATOMIC_RELAXED); }

private:
    alignas(4) base::u32 sequence_ = 0;
};

}  // namespace stress
