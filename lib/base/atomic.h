// Atomic<T> over the compiler's __atomic builtins, for integers, bool, enums and pointers up to
// eight bytes: the same code runs on x86_64 and aarch64 (and the host). Every operation takes
// a MemoryOrder, sequentially consistent unless the caller says why less is enough.
#pragma once

#include "base/type_traits.h"
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
// Orders this thread against a signal handler (interrupt) on the same CPU: a compiler barrier.
inline void atomic_signal_fence(MemoryOrder order = MemoryOrder::SeqCst) { __atomic_signal_fence(static_cast<int>(order)); }

// What the builtins operate on: enums as their underlying integer.
template <class T, bool = __is_enum(T)> struct AtomicStorage { using type = T; };
template <class T> struct AtomicStorage<T, true> { using type = __underlying_type(T); };

template <class T>
class Atomic {
    static_assert(is_integral_v<T> || is_pointer_v<T> || is_enum_v<T>, "Atomic holds integers, bool, enums and pointers");
    static_assert(sizeof(T) <= 8 && (sizeof(T) & (sizeof(T) - 1)) == 0, "Atomic needs a lock-free size");
    // Pointers step by whole objects, as with ordinary pointer arithmetic.
    using Difference = conditional_t<is_pointer_v<T>, isize, T>;
    using Storage = typename AtomicStorage<T>::type;

public:
    constexpr Atomic() : value_() {}
    constexpr Atomic(T initial) : value_(static_cast<Storage>(initial)) {}
    Atomic(const Atomic&) = delete;
    Atomic& operator=(const Atomic&) = delete;

    T load(MemoryOrder order = MemoryOrder::SeqCst) const { return static_cast<T>(__atomic_load_n(&value_, static_cast<int>(order))); }
    void store(T value, MemoryOrder order = MemoryOrder::SeqCst) {
        __atomic_store_n(&value_, static_cast<Storage>(value), static_cast<int>(order));
    }
    T exchange(T value, MemoryOrder order = MemoryOrder::SeqCst) {
        return static_cast<T>(__atomic_exchange_n(&value_, static_cast<Storage>(value), static_cast<int>(order)));
    }

    // Sets `desired` if the value is `expected`; otherwise `expected` receives the current value.
    // The weak form may fail spuriously and belongs in a retry loop.
    bool compare_exchange_strong(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst) {
        return __atomic_compare_exchange_n(&value_, reinterpret_cast<Storage*>(&expected), static_cast<Storage>(desired), false,
                                           static_cast<int>(order), failure_order(order));
    }
    bool compare_exchange_weak(T& expected, T desired, MemoryOrder order = MemoryOrder::SeqCst) {
        return __atomic_compare_exchange_n(&value_, reinterpret_cast<Storage*>(&expected), static_cast<Storage>(desired), true,
                                           static_cast<int>(order), failure_order(order));
    }

    // Each returns the value from before the operation.
    T fetch_add(Difference delta, MemoryOrder order = MemoryOrder::SeqCst)
        requires(!is_enum_v<T> && !is_same_v<T, bool>)
    {
        return __atomic_fetch_add(&value_, scaled(delta), static_cast<int>(order));
    }
    T fetch_sub(Difference delta, MemoryOrder order = MemoryOrder::SeqCst)
        requires(!is_enum_v<T> && !is_same_v<T, bool>)
    {
        return __atomic_fetch_sub(&value_, scaled(delta), static_cast<int>(order));
    }
    T fetch_and(T bits, MemoryOrder order = MemoryOrder::SeqCst) requires(is_integral_v<T>) {
        return __atomic_fetch_and(&value_, bits, static_cast<int>(order));
    }
    T fetch_or(T bits, MemoryOrder order = MemoryOrder::SeqCst) requires(is_integral_v<T>) {
        return __atomic_fetch_or(&value_, bits, static_cast<int>(order));
    }
    T fetch_xor(T bits, MemoryOrder order = MemoryOrder::SeqCst) requires(is_integral_v<T>) {
        return __atomic_fetch_xor(&value_, bits, static_cast<int>(order));
    }

private:
    // The __atomic builtins add bytes to a pointer, not objects.
    static constexpr Difference scaled(Difference delta) {
        if constexpr (is_pointer_v<T>) {
            return delta * static_cast<isize>(sizeof(remove_pointer_t<T>));
        } else {
            return delta;
        }
    }

    // A failed compare-exchange only reads, so it cannot have release semantics.
    static constexpr int failure_order(MemoryOrder order) {
        switch (order) {
            case MemoryOrder::Release: return __ATOMIC_RELAXED;
            case MemoryOrder::AcqRel: return __ATOMIC_ACQUIRE;
            default: return static_cast<int>(order);
        }
    }

    alignas(sizeof(T)) Storage value_;
};

}  // namespace base
