// SysResult<T>: what a typed system call returns — a value, or the abi::Status the kernel
// refused it with. Works with base's TRY: inside a function returning SysResult<U> (or anything
// constructible from abi::Status), `Handle ring = TRY(sys::ring_create(grant, 16, 0));` returns
// the Status on failure. to_error() turns a Status into a base::Error for code that speaks
// base::Result.
#pragma once

#include "abi/abi.h"
#include "base/error.h"
#include "base/format.h"
#include "base/result.h"  // TRY works on SysResult too

namespace vectra {

using abi::Status;

template <class T>
class [[nodiscard]] SysResult {
    static_assert(__is_trivially_copyable(T), "syscall results are plain values");

public:
    constexpr SysResult(T value) : value_(value), status_(Status::Ok) {}
    // `status` must not be Ok (a success needs its value); Ok is taken as a caller bug.
    constexpr SysResult(Status status) : value_(), status_(status) {
        if (status == Status::Ok) __builtin_trap();
    }

    constexpr bool is_ok() const { return status_ == Status::Ok; }
    constexpr bool is_error() const { return status_ != Status::Ok; }
    // Ok on success, else why it failed.
    constexpr Status status() const { return status_; }
    constexpr Status error() const {
        if (is_ok()) __builtin_trap();  // a success has no error to give
        return status_;
    }
    constexpr const T& value() const {
        if (is_error()) __builtin_trap();  // a failure has no value to give
        return value_;
    }
    constexpr T release_value() const { return value(); }
    constexpr T value_or(T fallback) const { return is_ok() ? value_ : fallback; }

private:
    T value_;
    Status status_;
};

template <>
class [[nodiscard]] SysResult<void> {
public:
    constexpr SysResult() = default;
    constexpr SysResult(Status status) : status_(status) {}  // Ok is success here

    constexpr bool is_ok() const { return status_ == Status::Ok; }
    constexpr bool is_error() const { return status_ != Status::Ok; }
    constexpr Status status() const { return status_; }
    constexpr Status error() const {
        if (is_ok()) __builtin_trap();
        return status_;
    }
    constexpr void value() const {
        if (is_error()) __builtin_trap();
    }
    constexpr void release_value() const { value(); }

private:
    Status status_ = Status::Ok;
};

// The status a raw result word carries: Ok for >= 0, else the negated value (status_name()
// says "Unknown" for a code the header does not list).
constexpr Status status_of(base::i64 word) { return word >= 0 ? Status::Ok : static_cast<Status>(-word); }

// base::Error for a Status: the nearest ErrorCode, and the header's text as the message.
constexpr base::ErrorCode error_code_of(Status status) {
    using base::ErrorCode;
    switch (status) {
        case Status::Ok: return ErrorCode::InvalidArgument;  // not an error; never asked in practice
        case Status::BadSyscall: return ErrorCode::Unsupported;
        case Status::BadHandle: return ErrorCode::NotFound;
        case Status::WrongKind: return ErrorCode::InvalidArgument;
        case Status::MissingRights: return ErrorCode::PermissionDenied;
        case Status::BadAddress: return ErrorCode::OutOfRange;
        case Status::InvalidArgument: return ErrorCode::InvalidArgument;
        case Status::OutOfMemory: return ErrorCode::OutOfMemory;
        case Status::TableFull: return ErrorCode::OutOfMemory;
        case Status::WouldBlock: return ErrorCode::WouldBlock;
        case Status::Timeout: return ErrorCode::Timeout;
        case Status::PeerClosed: return ErrorCode::Closed;
        case Status::TooLarge: return ErrorCode::Overflow;
        case Status::AlreadyExists: return ErrorCode::AlreadyExists;
        case Status::NotFound: return ErrorCode::NotFound;
        case Status::BadState: return ErrorCode::Busy;
        case Status::MoreToDo: return ErrorCode::Busy;
        case Status::Unsupported: return ErrorCode::Unsupported;
    }
    return base::ErrorCode::InvalidArgument;
}
constexpr base::Error to_error(Status status) { return base::make_error(error_code_of(status), abi::status_text(status)); }

}  // namespace vectra

namespace vectra::abi {
// print("{}", status) shows the name: "BadHandle".
inline void format_value(base::Sink& sink, const base::FormatSpec& spec, Status status) {
    base::format_text(sink, spec, status_name(status));
}
}  // namespace vectra::abi
