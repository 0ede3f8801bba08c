// Optional<T>: a value or nothing, without exceptions or heap. `return base::none;` makes an
// empty one. Reading the value of an empty Optional is a caller bug and traps. An Optional of a
// trivially copyable or destructible T is itself trivially so, so it stays cheap to pass around
// and a global of it needs no destructor.
#pragma once

#include "base/utility.h"

namespace base {

struct None {
    explicit constexpr None(int) {}
};
inline constexpr None none{0};

template <class T>
class Optional {
    static constexpr bool trivially_assignable = is_trivially_copy_constructible_v<T> && is_trivially_copy_assignable_v<T> &&
                                                 is_trivially_move_assignable_v<T> && is_trivially_destructible_v<T>;

public:
    constexpr Optional() : empty_{}, has_value_(false) {}
    constexpr Optional(None) : empty_{}, has_value_(false) {}
    constexpr Optional(const T& value) : value_(value), has_value_(true) {}
    constexpr Optional(T&& value) : value_(base::move(value)), has_value_(true) {}
    // From anything T can be made of (a u32 for an Optional<u64>, a literal for a string type).
    template <class U>
        requires(is_convertible_v<U &&, T> && !is_same_v<remove_cvref_t<U>, T> && !is_same_v<remove_cvref_t<U>, Optional> &&
                 !is_same_v<remove_cvref_t<U>, None>)
    constexpr Optional(U&& value) : value_(base::forward<U>(value)), has_value_(true) {}

    constexpr Optional(const Optional&) requires(is_trivially_copy_constructible_v<T>) = default;
    constexpr Optional(const Optional& other) requires(!is_trivially_copy_constructible_v<T>) : empty_{}, has_value_(other.has_value_) {
        if (has_value_) new (&value_) T(other.value_);
    }
    constexpr Optional(Optional&&) requires(is_trivially_move_constructible_v<T>) = default;
    constexpr Optional(Optional&& other) requires(!is_trivially_move_constructible_v<T>) : empty_{}, has_value_(other.has_value_) {
        if (has_value_) new (&value_) T(base::move(other.value_));
    }

    // Assignment destroys the old value and constructs the new one, so it also works for a T
    // that can be constructed but not assigned (one with const members).
    constexpr Optional& operator=(const Optional&) requires(trivially_assignable) = default;
    constexpr Optional& operator=(const Optional& other) requires(!trivially_assignable) {
        if (this == &other) return *this;
        reset();
        if (other.has_value_) emplace(other.value_);
        return *this;
    }
    constexpr Optional& operator=(Optional&&) requires(trivially_assignable) = default;
    constexpr Optional& operator=(Optional&& other) requires(!trivially_assignable) {
        if (this == &other) return *this;
        reset();
        if (other.has_value_) emplace(base::move(other.value_));
        return *this;
    }

    constexpr ~Optional() requires(is_trivially_destructible_v<T>) = default;
    constexpr ~Optional() requires(!is_trivially_destructible_v<T>) { reset(); }

    // Destroys any current value, then makes one from `args`.
    template <class... Args>
    constexpr T& emplace(Args&&... args) {
        reset();
        new (&value_) T(base::forward<Args>(args)...);
        has_value_ = true;
        return value_;
    }
    constexpr void reset() {
        if (!has_value_) return;
        value_.~T();
        has_value_ = false;
    }

    constexpr bool has_value() const { return has_value_; }
    constexpr explicit operator bool() const { return has_value_; }

    constexpr T& value() & { return checked(), value_; }
    constexpr const T& value() const& { return checked(), value_; }
    constexpr T&& value() && { return checked(), base::move(value_); }

    constexpr T& operator*() & { return value(); }
    constexpr const T& operator*() const& { return value(); }
    constexpr T&& operator*() && { return base::move(*this).value(); }
    constexpr T* operator->() { return &value(); }
    constexpr const T* operator->() const { return &value(); }

    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return has_value_ ? value_ : static_cast<T>(base::forward<U>(fallback));
    }
    template <class U>
    constexpr T value_or(U&& fallback) && {
        return has_value_ ? base::move(value_) : static_cast<T>(base::forward<U>(fallback));
    }

    // Equal when both are empty, or both hold equal values.
    constexpr bool operator==(const Optional& other) const {
        if (has_value_ != other.has_value_) return false;
        return !has_value_ || value_ == other.value_;
    }
    constexpr bool operator==(None) const { return !has_value_; }
    template <class U>
        requires(!is_same_v<remove_cvref_t<U>, Optional> && !is_same_v<remove_cvref_t<U>, None>)
    constexpr bool operator==(const U& other) const {
        return has_value_ && value_ == other;
    }

private:
    constexpr void checked() const {
        if (!has_value_) __builtin_trap();  // an empty Optional has no value to give
    }

    struct Empty {};
    // A union so that an empty Optional constructs no T; `empty_` keeps constant evaluation
    // happy (some member is always active).
    union {
        Empty empty_;
        T value_;
    };
    bool has_value_;
};

}  // namespace base
