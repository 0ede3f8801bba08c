// move/forward, small type traits, alignment and overflow-checked arithmetic: what the kernel
// needs of <utility> and <type_traits>, written for a freestanding build.
#pragma once

#include "base/types.h"

#if __STDC_HOSTED__
#include <new>
#else
inline void* operator new(base::usize, void* place) noexcept { return place; }
inline void* operator new[](base::usize, void* place) noexcept { return place; }
#endif

namespace base {

template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T&> { using type = T; };
template <class T> struct remove_reference<T&&> { using type = T; };
template <class T> using remove_reference_t = typename remove_reference<T>::type;

template <class T> struct remove_cv { using type = T; };
template <class T> struct remove_cv<const T> { using type = T; };
template <class T> struct remove_cv<volatile T> { using type = T; };
template <class T> struct remove_cv<const volatile T> { using type = T; };
template <class T> using remove_cvref_t = typename remove_cv<remove_reference_t<T>>::type;

template <class A, class B> inline constexpr bool is_same_v = false;
template <class A> inline constexpr bool is_same_v<A, A> = true;

template <class T> inline constexpr bool is_lvalue_reference_v = false;
template <class T> inline constexpr bool is_lvalue_reference_v<T&> = true;

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
template <class T> constexpr const T& clamp(const T& v, const T& low, const T& high) {
    return v < low ? low : (high < v ? high : v);
}

// Alignment helpers; `alignment` must be a power of two.
template <class T> constexpr bool is_power_of_two(T value) { return value != 0 && (value & (value - 1)) == 0; }
template <class T> constexpr T align_down(T value, T alignment) { return value & ~(alignment - 1); }
template <class T> constexpr T align_up(T value, T alignment) { return (value + alignment - 1) & ~(alignment - 1); }
template <class T> constexpr bool is_aligned(T value, T alignment) { return (value & (alignment - 1)) == 0; }

template <class T, usize N> constexpr usize array_size(const T (&)[N]) { return N; }

// Overflow-checked arithmetic: false (and `out` unspecified) when the result does not fit.
template <class T> [[nodiscard]] constexpr bool checked_add(T a, T b, T* out) { return !__builtin_add_overflow(a, b, out); }
template <class T> [[nodiscard]] constexpr bool checked_mul(T a, T b, T* out) { return !__builtin_mul_overflow(a, b, out); }
template <class T> [[nodiscard]] constexpr bool checked_sub(T a, T b, T* out) { return !__builtin_sub_overflow(a, b, out); }

}  // namespace base
