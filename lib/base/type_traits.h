// The few type traits base needs, written for a freestanding build (no <type_traits> there).
// Where clang has a builtin trait we use it: it is exact and costs no template instantiations.
#pragma once

namespace base {

template <class T> struct remove_reference { using type = T; };
template <class T> struct remove_reference<T&> { using type = T; };
template <class T> struct remove_reference<T&&> { using type = T; };
template <class T> using remove_reference_t = typename remove_reference<T>::type;

template <class T> struct remove_cv { using type = T; };
template <class T> struct remove_cv<const T> { using type = T; };
template <class T> struct remove_cv<volatile T> { using type = T; };
template <class T> struct remove_cv<const volatile T> { using type = T; };
template <class T> using remove_cv_t = typename remove_cv<T>::type;
template <class T> using remove_cvref_t = remove_cv_t<remove_reference_t<T>>;

template <class T> struct remove_pointer { using type = T; };
template <class T> struct remove_pointer<T*> { using type = T; };
template <class T> struct remove_pointer<T* const> { using type = T; };
template <class T> using remove_pointer_t = typename remove_pointer<T>::type;

template <bool Condition, class IfTrue, class IfFalse> struct conditional { using type = IfTrue; };
template <class IfTrue, class IfFalse> struct conditional<false, IfTrue, IfFalse> { using type = IfFalse; };
template <bool Condition, class IfTrue, class IfFalse>
using conditional_t = typename conditional<Condition, IfTrue, IfFalse>::type;

template <class A, class B> inline constexpr bool is_same_v = false;
template <class A> inline constexpr bool is_same_v<A, A> = true;

template <class T> inline constexpr bool is_lvalue_reference_v = false;
template <class T> inline constexpr bool is_lvalue_reference_v<T&> = true;

template <class T> inline constexpr bool is_const_v = false;
template <class T> inline constexpr bool is_const_v<const T> = true;

template <class T> inline constexpr bool is_pointer_v = __is_pointer(T);
template <class T> inline constexpr bool is_enum_v = __is_enum(T);
template <class T> inline constexpr bool is_integral_v = __is_integral(T);
template <class T> inline constexpr bool is_signed_v = __is_signed(T);
template <class T> inline constexpr bool is_unsigned_v = __is_unsigned(T);

template <class T> inline constexpr bool is_trivially_copyable_v = __is_trivially_copyable(T);
template <class T> inline constexpr bool is_trivially_destructible_v = __is_trivially_destructible(T);
template <class T> inline constexpr bool is_trivially_copy_constructible_v = __is_trivially_constructible(T, const T&);
template <class T> inline constexpr bool is_trivially_move_constructible_v = __is_trivially_constructible(T, T&&);
template <class T> inline constexpr bool is_trivially_copy_assignable_v = __is_trivially_assignable(T&, const T&);
template <class T> inline constexpr bool is_trivially_move_assignable_v = __is_trivially_assignable(T&, T&&);
template <class T, class... Args> inline constexpr bool is_constructible_v = __is_constructible(T, Args...);
template <class From, class To> inline constexpr bool is_convertible_v = __is_convertible(From, To);

template <class T> T&& declval() noexcept;  // only in unevaluated contexts

}  // namespace base
