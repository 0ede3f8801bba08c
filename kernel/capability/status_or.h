// StatusOr<T>: a value or a failed vectra::abi::Status, for kernel operations whose failures
// go back to user space as syscall statuses (BadHandle, WrongKind, MissingRights, ...). It works
// with TRY from base/result.h: on failure TRY returns the Status from the enclosing function,
// which returns a StatusOr or a plain abi::Status.
#pragma once

#include "abi/abi.h"
#include "base/result.h"  // TRY
#include "base/type_traits.h"

namespace kernel {

template <class T>
class [[nodiscard]] StatusOr {
    static_assert(base::is_trivially_copy_constructible_v<T> && base::is_trivially_destructible_v<T>,
                  "StatusOr holds handles, pointers and counts");

public:
    constexpr StatusOr(T value) : value_(value), status_(vectra::abi::Status::Ok) {}
    // `status` must be a failure: success carries a value.
    constexpr StatusOr(vectra::abi::Status status) : value_(), status_(status) {
        if (status == vectra::abi::Status::Ok) __builtin_trap();
    }

    constexpr bool is_ok() const { return status_ == vectra::abi::Status::Ok; }
    constexpr bool is_error() const { return !is_ok(); }
    // Ok, or the failure.
    constexpr vectra::abi::Status status() const { return status_; }
    constexpr vectra::abi::Status error() const {
        if (is_ok()) __builtin_trap();  // a success has no error to give
        return status_;
    }
    constexpr T value() const {
        if (!is_ok()) __builtin_trap();  // a failure has no value to give
        return value_;
    }
    constexpr T release_value() const { return value(); }

private:
    T value_;
    vectra::abi::Status status_;
};

}  // namespace kernel
