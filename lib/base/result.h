// Result<T>: a value or an Error. Functions that can fail return one ([[nodiscard]]), and
// callers propagate failures with TRY:
//     Fdt fdt = TRY(Fdt::parse(blob));     // returns the Error from the enclosing function
#pragma once

#include "base/error.h"
#include "base/utility.h"

namespace base {

template <class T>
class [[nodiscard]] Result {
public:
    Result(const T& value) : is_ok_(true) { new (&storage_) T(value); }
    Result(T&& value) : is_ok_(true) { new (&storage_) T(base::move(value)); }
    Result(Error error) : error_(error), is_ok_(false) {}
    Result(const Result& other) : error_(other.error_), is_ok_(other.is_ok_) {
        if (is_ok_) new (&storage_) T(other.stored());
    }
    Result(Result&& other) : error_(other.error_), is_ok_(other.is_ok_) {
        if (is_ok_) new (&storage_) T(base::move(other.stored()));
    }
    Result& operator=(const Result&) = delete;
    Result& operator=(Result&&) = delete;
    ~Result() {
        if (is_ok_) stored().~T();
    }

    bool is_ok() const { return is_ok_; }
    bool is_error() const { return !is_ok_; }

    T& value() & { return checked(); }
    const T& value() const& { return const_cast<Result*>(this)->checked(); }
    T&& value() && { return base::move(checked()); }
    T release_value() { return base::move(checked()); }
    template <class U>
    T value_or(U&& fallback) const { return is_ok_ ? stored_const() : static_cast<T>(base::forward<U>(fallback)); }

    Error error() const {
        if (is_ok_) __builtin_trap();
        return error_;
    }

private:
    T& stored() { return *reinterpret_cast<T*>(&storage_); }
    const T& stored_const() const { return *reinterpret_cast<const T*>(&storage_); }
    T& checked() {
        if (!is_ok_) __builtin_trap();
        return stored();
    }

    alignas(T) unsigned char storage_[sizeof(T)];
    Error error_{ErrorCode::InvalidArgument, ""};
    bool is_ok_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(error), is_ok_(false) {}

    bool is_ok() const { return is_ok_; }
    bool is_error() const { return !is_ok_; }
    void value() const {
        if (!is_ok_) __builtin_trap();
    }
    void release_value() const { value(); }
    Error error() const {
        if (is_ok_) __builtin_trap();
        return error_;
    }

private:
    Error error_{ErrorCode::InvalidArgument, ""};
    bool is_ok_ = true;
};

}  // namespace base

// Evaluates `expression` (a Result); on error returns that Error from the enclosing function,
// otherwise yields the value (nothing, for Result<void>).
#define TRY(expression)                                              \
    ({                                                               \
        auto&& try_result_ = (expression);                           \
        if (try_result_.is_error()) return try_result_.error();      \
        ::base::move(try_result_).release_value();                   \
    })
