// Atomic<T> over the compiler's __atomic builtins, for integers, bool and pointers.
#pragma once

#include "base/types.h"

namespace base {

enum class MemoryOrder : int {
    Relaxed = __ATOMIC_RELAXED,
    Acquire = __ATOMIC_ACQUIRE,
    Release = __ATOMIC_RELEASE,
    AcqRel = __ATOMIC_ACQ_REL,
    SeqCst = __ATOMIC_SEQ_CST,
};

inline void atomic_thread_fence(MemoryOrder order = MemoryOrder::SeqCst) { __atomic_thread_fence(static_cast<int>(order)); }

template <class T>
class Atomic {
public:
    constexpr Atomic() : value_() {}
    constexpr Atomic(T initial) : value_(initial) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(MemoryOrder order = MemoryOrder::SeqCst) const { return __atomic_load_n(&value_, static_cast<int>(order)); }
    void store(T value, MemoryOrder order = MemoryOrder::SeqCst) { __atomic_store_n(&value_, value, static_cast<int>(order)); }
    T exchange(T value, MemoryOrder order = MemoryOrder::SeqCst) {
        return __atomic_exchange_n(&value_, value, static_cast<int>(order));
    }
    // On failure `expected` receives the current value.
    bool compare_exchange_strong(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst) {
        return __atomic_compare_exchange_n(&value_, &expected, desired, false, static_cast<int>(order), failure_order(order));
    }
    bool compare_exchange_weak(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst) {
        return __atomic_compare_exchange_n(&value_, &expected, desired, true, static_cast<int>(order), failure_order(order));
    }
    T fetch_add(T delta, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_add(&value_, delta, static_cast<int>(order)); }
    T fetch_sub(T delta, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_sub(&value_, delta, static_cast<int>(order)); }
    T fetch_and(T bits, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_and(&value_, bits, static_cast<int>(order)); }
    T fetch_or(T bits, MemoryOrder order = MemoryOrder::SeqCst) { return __atomic_fetch_or(&value_, bits, static_cast<int>(order)); }

private:
    // A failed compare-exchange only reads, so it cannot have release semantics.
    static constexpr int failure_order(MemoryOrder order) {
        switch (order) {
            case MemoryOrder::Release: return __ATOMIC_RELAXED;
            case MemoryOrder::AcqRel: return __ATOMIC_ACQUIRE;
            default: return static_cast<int>(order);
        }
    }

    alignas(sizeof(T)) T value_;
};

}  // namespace base
