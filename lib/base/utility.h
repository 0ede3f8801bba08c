// move/forward/swap, min/max, alignment and overflow-checked arithmetic: what the kernel needs
// of <utility> and <algorithm>, written for a freestanding build. Also placement new, which a
// freestanding build must define itself (a hosted one takes it from <new>).
#pragma once

#include "base/type_traits.h"
#include "base/types.h"

#if __STDC_HOSTED__
#include <new>
#else
inline void* operator new(base::usize, void* place) noexcept { return place; }
inline void* operator new[](base::usize, void* place) noexcept { return place; }
#endif

namespace base {

template <class T>
constexpr remove_reference_t<T>&& move(T&& value) noexcept {
    return static_cast<remove_reference_t<T>&&>(value);
}

template <class T>
constexpr T&& forward(remove_reference_t<T>& value) noexcept {
    return static_cast<T&&>(value);
}
template <class T>
constexpr T&& forward(remove_reference_t<T>&& value) noexcept {
    static_assert(!is_lvalue_reference_v<T>, "forwarding an rvalue as an lvalue");
    return static_cast<T&&>(value);
}

template <class T>
constexpr void swap(T& a, T& b) noexcept {
    T temporary = base::move(a);
    a = base::move(b);
    b = base::move(temporary);
}

template <class T, class U = T>
constexpr T exchange(T& object, U&& new_value) {
    T old = base::move(object);
    object = base::forward<U>(new_value);
    return old;
}

template <class T> constexpr const T& min(const T& a, const T& b) { return b < a ? b : a; }
template <class T> constexpr const T& max(const T& a, const T& b) { return a < b ? b : a; }
// `low` must not be above `high`.
template <class T> constexpr const T& clamp(const T& value, const T& low, const T& high) {
    return value < low ? low : (high < value ? high : value);
}

template <class T> constexpr bool is_power_of_two(T value) { return value != 0 && (value & (value - 1)) == 0; }

// Alignment of unsigned values; `alignment` must be a power of two. The result has the type of
// `value`, so `align_up(address, 4096)` works for any address type. align_up wraps to 0 when the
// aligned value does not fit: callers near the top of the range check with checked_align_up.
template <class T, class A> constexpr T align_down(T value, A alignment) { return value & ~(static_cast<T>(alignment) - 1); }
template <class T, class A> constexpr T align_up(T value, A alignment) {
    return (value + (static_cast<T>(alignment) - 1)) & ~(static_cast<T>(alignment) - 1);
}
template <class T, class A> constexpr bool is_aligned(T value, A alignment) { return (value & (static_cast<T>(alignment) - 1)) == 0; }
template <class T, class A> [[nodiscard]] constexpr bool checked_align_up(T value, A alignment, T* out) {
    T rounded;
    if (__builtin_add_overflow(value, static_cast<T>(alignment) - 1, &rounded)) return false;
    *out = rounded & ~(static_cast<T>(alignment) - 1);
    return true;
}

template <class T, usize N> constexpr usize array_size(const T (&)[N]) { return N; }

// Overflow-checked arithmetic on the exact mathematical values (operands may differ in type):
// true and `*out` set when the result fits in *out's type, false (and *out unspecified) if not.
template <class A, class B, class R> [[nodiscard]] constexpr bool checked_add(A a, B b, R* out) { return !__builtin_add_overflow(a, b, out); }
template <class A, class B, class R> [[nodiscard]] constexpr bool checked_sub(A a, B b, R* out) { return !__builtin_sub_overflow(a, b, out); }
template <class A, class B, class R> [[nodiscard]] constexpr bool checked_mul(A a, B b, R* out) { return !__builtin_mul_overflow(a, b, out); }

}  // namespace base
