// Futex waiters, keyed by the physical address of the word they wait on (so Tasks that map the
// same Bundle at different addresses meet on it). Portable and host-tested: a fixed number of
// buckets, each a FIFO queue of waiters that may hold several keys; the key lives in the
// waiter (`wait_argument`). The scheduler owns the queues' links (sched::block_current,
// sched::wake); this only picks the bucket and the waiters to wake.
#pragma once

#include "base/types.h"

namespace kernel {

template <class Queue, base::usize kBuckets>
class FutexBuckets {
public:
    static_assert((kBuckets & (kBuckets - 1)) == 0, "a power of two");

    Queue& bucket(base::u64 key) { return buckets_[index(key)]; }

    // Calls `wake(waiter)` for the oldest waiters on `key`, at most `count` of them; `wake`
    // takes the waiter off its queue. Returns how many. Bound: the bucket's length.
    template <class Wake>
    base::usize wake(base::u64 key, base::usize count, Wake&& wake_one) {
        base::usize woken = 0;
        auto& waiters = bucket(key).threads;
        for (auto it = waiters.begin(); it != waiters.end() && woken < count;) {
            auto& waiter = *it;
            ++it;  // before wake_one unlinks it
            if (waiter.wait_argument != key) continue;
            wake_one(waiter);
            ++woken;
        }
        return woken;
    }

private:
    // Words are 4-byte aligned: drop those bits, then mix so neighbouring words spread.
    static base::usize index(base::u64 key) {
        base::u64 mixed = (key >> 2) * 0x9e37'79b9'7f4a'7c15ull;
        return static_cast<base::usize>(mixed >> 40) & (kBuckets - 1);
    }

    Queue buckets_[kBuckets];
};

}  // namespace kernel
