// Result<T>: a value or an Error. Functions that can fail return one ([[nodiscard]]), and
// callers propagate failures with TRY:
//     Fdt fdt = TRY(Fdt::parse(blob));     // on error, returns it from the enclosing function
// Asking an error for its value (or a value for its error) is a caller bug and traps.
#pragma once

#include "base/error.h"
#include "base/utility.h"

namespace base {

template <class T>
class [[nodiscard]] Result {
    static constexpr bool trivially_copyable = is_trivially_copy_constructible_v<T> && is_trivially_copy_assignable_v<T> &&
                                               is_trivially_move_assignable_v<T> && is_trivially_destructible_v<T>;

public:
    constexpr Result(const T& value) : value_(value), is_ok_(true) {}
    constexpr Result(T&& value) : value_(base::move(value)), is_ok_(true) {}
    constexpr Result(Error error) : error_(error), is_ok_(false) {}
    // From anything that converts to T: `return none;` for a Result<Optional<X>>, a Span<u8>
    // for a Result<Span<const u8>>.
    template <class U>
        requires(is_convertible_v<U &&, T> && !is_same_v<remove_cvref_t<U>, T> && !is_same_v<remove_cvref_t<U>, Result> &&
                 !is_same_v<remove_cvref_t<U>, Error>)
    constexpr Result(U&& value) : value_(base::forward<U>(value)), is_ok_(true) {}

    constexpr Result(const Result&) requires(trivially_copyable) = default;
    constexpr Result(const Result& other) requires(!trivially_copyable) : error_(other.error_), is_ok_(other.is_ok_) {
        if (is_ok_) new (&value_) T(other.value_);
    }
    constexpr Result(Result&&) requires(trivially_copyable) = default;
    constexpr Result(Result&& other) requires(!trivially_copyable) : error_(other.error_), is_ok_(other.is_ok_) {
        if (is_ok_) new (&value_) T(base::move(other.value_));
    }
    constexpr Result& operator=(const Result&) requires(trivially_copyable) = default;
    constexpr Result& operator=(const Result& other) requires(!trivially_copyable) {
        if (this != &other) {
            destroy();
            construct_from(other);
        }
        return *this;
    }
    constexpr Result& operator=(Result&&) requires(trivially_copyable) = default;
    constexpr Result& operator=(Result&& other) requires(!trivially_copyable) {
        if (this != &other) {
            destroy();
            construct_from(base::move(other));
        }
        return *this;
    }
    constexpr ~Result() requires(is_trivially_destructible_v<T>) = default;
    constexpr ~Result() requires(!is_trivially_destructible_v<T>) { destroy(); }

    constexpr bool is_ok() const { return is_ok_; }
    constexpr bool is_error() const { return !is_ok_; }

    constexpr T& value() & { return check_ok(), value_; }
    constexpr const T& value() const& { return check_ok(), value_; }
    constexpr T&& value() && { return check_ok(), base::move(value_); }
    // Moves the value out (what TRY yields).
    constexpr T release_value() { return check_ok(), base::move(value_); }

    template <class U>
    constexpr T value_or(U&& fallback) const& {
        return is_ok_ ? value_ : static_cast<T>(base::forward<U>(fallback));
    }
    template <class U>
    constexpr T value_or(U&& fallback) && {
        return is_ok_ ? base::move(value_) : static_cast<T>(base::forward<U>(fallback));
    }

    constexpr Error error() const {
        if (is_ok_) __builtin_trap();  // a success has no error to give
        return error_;
    }

private:
    constexpr void check_ok() const {
        if (!is_ok_) __builtin_trap();  // an error has no value to give
    }
    constexpr void destroy() {
        if (is_ok_) value_.~T();
    }
    template <class Other>
    constexpr void construct_from(Other&& other) {
        is_ok_ = other.is_ok_;
        if (is_ok_) {
            new (&value_) T(base::forward<Other>(other).value_);
        } else {
            new (&error_) Error(other.error_);
        }
    }

    // Exactly one member is alive: value_ when is_ok_, error_ otherwise.
    union {
        Error error_;
        T value_;
    };
    bool is_ok_;
};

// Success carries nothing; `return {};` is success.
template <>
class [[nodiscard]] Result<void> {
public:
    constexpr Result() = default;
    constexpr Result(Error error) : error_(error), is_ok_(false) {}

    constexpr bool is_ok() const { return is_ok_; }
    constexpr bool is_error() const { return !is_ok_; }
    constexpr void value() const {
        if (!is_ok_) __builtin_trap();  // an error has no value to give
    }
    constexpr void release_value() const { value(); }
    constexpr Error error() const {
        if (is_ok_) __builtin_trap();  // a success has no error to give
        return error_;
    }

private:
    Error error_{ErrorCode::InvalidArgument, ""};
    bool is_ok_ = true;
};

}  // namespace base

// Evaluates `expression` (a Result); on error returns that Error from the enclosing function
// (which returns some Result or an Error), otherwise yields the value (nothing, for Result<void>).
// A GNU statement expression, which clang and GCC both support.
#define TRY(expression)                                               \
    ({                                                                \
        auto&& try_result_ = (expression);                            \
        if (try_result_.is_error()) return try_result_.error();       \
        ::base::move(try_result_).release_value();                    \
    })
