// Run queues: one FIFO per priority and a bitmap of the non-empty ones, so the next thread is a
// find-highest-bit away whatever the number of threads. Portable and host-tested; the scheduler
// keeps one set (per CPU, once there are several). T has a `priority` below kLevels and the
// intrusive link named by the template argument; an item is on at most one queue.
#pragma once

#include "base/intrusive_list.h"
#include "base/types.h"

namespace kernel {

template <class T, base::IntrusiveListNode T::*Link, base::u32 kLevels = 32>
class RunQueues {
    static_assert(kLevels >= 1 && kLevels <= 32, "the non-empty bitmap is one 32-bit word");

public:
    // May also be read without the lock that guards the queues (by a tick deciding whether it
    // needs that lock): a hint then, right as of some moment just past.
    bool empty() const { return __atomic_load_n(&non_empty_, __ATOMIC_RELAXED) == 0; }
    // The highest priority with a queued item, or -1.
    int highest() const { return non_empty_ == 0 ? -1 : 31 - __builtin_clz(non_empty_); }

    // Queues `item` behind the others of its priority (round robin within a priority).
    void push(T& item) {
        queues_[item.priority].push_back(item);
        set_non_empty(non_empty_ | 1u << item.priority);
    }
    // `item` must be queued here, at its current priority.
    void remove(T& item) {
        queues_[item.priority].remove(item);
        if (queues_[item.priority].empty()) set_non_empty(non_empty_ & ~(1u << item.priority));
    }
    // The first item of the highest non-empty priority, left in place; null when empty.
    T* peek_highest() const {
        const int priority = highest();
        return priority < 0 ? nullptr : queues_[priority].front();
    }

    // The first item of the highest non-empty priority, taken off; null when empty.
    T* pop_highest() {
        const int priority = highest();
        if (priority < 0) return nullptr;
        T* item = queues_[priority].pop_front();
        if (queues_[priority].empty()) set_non_empty(non_empty_ & ~(1u << priority));
        return item;
    }

private:
    // One store, so that empty() without the lock never reads half of an update.
    void set_non_empty(base::u32 bits) { __atomic_store_n(&non_empty_, bits, __ATOMIC_RELAXED); }

    base::IntrusiveList<T, Link> queues_[kLevels];
    base::u32 non_empty_ = 0;  // bit p set <=> queues_[p] is not empty
};

}  // namespace kernel
