// A kernel spinlock of a lock class (lock_checks.h): the ticket lock, with its rank and
// interrupt rule checked on every take and its holder recorded for assert_held. For the small
// locks taken inside the kernel lock; the kernel lock itself is kernel_lock.h.
#pragma once

#include "base/spinlock.h"
#include "kernel/core/panic.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/lock_checks.h"

namespace kernel {

class SpinLock {
public:
    constexpr explicit SpinLock(const LockClass& lock_class) : class_(lock_class) {}
    SpinLock(const SpinLock&) = delete;
    SpinLock& operator=(const SpinLock&) = delete;

    void lock() {
        lock_checks::acquiring(class_);
        lock_.lock();
        holder_ = this_cpu().index;
        lock_checks::acquired(class_);
    }
    void unlock() {
        assert_held(__builtin_FUNCTION());
        lock_checks::releasing(class_);
        holder_ = kNobody;
        lock_.unlock();
    }
    // Panics unless this CPU holds it; `where` names the caller.
    void assert_held(const char* where = __builtin_FUNCTION()) const {
        if (holder_ != this_cpu().index) panic("{}: {} runs on cpu {} without it", class_.name, where, this_cpu().index);
    }

private:
    static constexpr unsigned kNobody = ~0u;
    const LockClass& class_;
    base::Spinlock lock_;
    unsigned holder_ = kNobody;  // written by the holder only, under the lock
};

}  // namespace kernel
