// Errors as values: a code for programs to act on and a static message for people to read
// ("fdt: string offset past end of strings block"). Messages are string literals, so an Error
// is two words and never allocates.
#pragma once

#include "base/types.h"

namespace base {

enum class ErrorCode : u16 {
    InvalidArgument,
    OutOfMemory,
    NotFound,
    AlreadyExists,
    OutOfRange,
    Malformed,
    Unsupported,
    Busy,
    PermissionDenied,
    Timeout,
    Overflow,
    Corrupt,
    Closed,
    WouldBlock,   // a non-blocking operation could not proceed now; retrying later may work
    Interrupted,  // a wait ended early (cancelled, or its object went away)
};

constexpr const char* error_code_name(ErrorCode code) {
    switch (code) {
        case ErrorCode::InvalidArgument: return "invalid argument";
        case ErrorCode::OutOfMemory: return "out of memory";
        case ErrorCode::NotFound: return "not found";
        case ErrorCode::AlreadyExists: return "already exists";
        case ErrorCode::OutOfRange: return "out of range";
        case ErrorCode::Malformed: return "malformed";
        case ErrorCode::Unsupported: return "unsupported";
        case ErrorCode::Busy: return "busy";
        case ErrorCode::PermissionDenied: return "permission denied";
        case ErrorCode::Timeout: return "timed out";
        case ErrorCode::Overflow: return "overflow";
        case ErrorCode::Corrupt: return "corrupt";
        case ErrorCode::Closed: return "closed";
        case ErrorCode::WouldBlock: return "would block";
        case ErrorCode::Interrupted: return "interrupted";
    }
    return "unknown error";
}

// `message` is a string literal naming the part and the problem; never null.
struct Error {
    ErrorCode code;
    const char* message;
};

constexpr Error make_error(ErrorCode code, const char* message) { return Error{code, message}; }

}  // namespace base
