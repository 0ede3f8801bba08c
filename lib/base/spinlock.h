// A ticket spinlock: fair (first come, first served) and small. It does not mask interrupts:
// kernel code that can be interrupted by a taker of the same lock masks them itself.
#pragma once

#include "base/atomic.h"

namespace base {

inline void cpu_relax() {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield" ::: "memory");
#endif
}

class Spinlock {
public:
    constexpr Spinlock() = default;

    void lock() {
        lock([] {});
    }
    // Calls `while_waiting` on every turn of the spin (work a waiting CPU must not leave undone).
    template <class F>
    void lock(F&& while_waiting) {
        const u32 ticket = next_ticket_.fetch_add(1, MemoryOrder::Relaxed);
        while (now_serving_.load(MemoryOrder::Acquire) != ticket) {
            while_waiting();
            cpu_relax();
        }
    }
    bool try_lock() {
        u32 serving = now_serving_.load(MemoryOrder::Relaxed);
        u32 expected = serving;
        return next_ticket_.compare_exchange_strong(expected, serving + 1, MemoryOrder::Acquire);
    }
    void unlock() { now_serving_.store(now_serving_.load(MemoryOrder::Relaxed) + 1, MemoryOrder::Release); }
    bool is_locked() const { return next_ticket_.load(MemoryOrder::Relaxed) != now_serving_.load(MemoryOrder::Relaxed); }

private:
    Atomic<u32> next_ticket_{0};
    Atomic<u32> now_serving_{0};
};

// Holds any lock with lock() and unlock() (a Spinlock, the kernel's ranked SpinLock) for a scope.
template <class Lock>
class SpinlockGuard {
public:
    explicit SpinlockGuard(Lock& lock) : lock_(lock) { lock_.lock(); }
    ~SpinlockGuard() { lock_.unlock(); }
    SpinlockGuard(const SpinlockGuard&) = delete;
    SpinlockGuard& operator=(const SpinlockGuard&) = delete;

private:
    Lock& lock_;
};

}  // namespace base
