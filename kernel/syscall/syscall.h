// The syscall layer: one file per object family, each syscall split into decode (look up every
// handle with its kind and rights, copy in and check every argument, change nothing) and
// invoke (make the change, which cannot fail half way). A syscall reaches an object only
// through a capability in the calling Task's table: there are no global names.
#pragma once

#include "abi/abi.h"
#include "arch/user_mode.h"
#include "kernel/capability/status_or.h"
#include "kernel/object/task.h"

namespace kernel {
class Bundle;
}

namespace kernel::syscall {

using Arguments = base::u64[6];
using Result = base::i64;  // >= 0 success value, < 0 the negated abi::Status

constexpr Result fail(vectra::abi::Status status) { return -static_cast<base::i64>(status); }
constexpr Result ok(base::u64 value = 0) { return static_cast<base::i64>(value); }
constexpr Result from(vectra::abi::Status status) { return status == vectra::abi::Status::Ok ? 0 : fail(status); }

// The object a handle names in the calling Task's table, of kind T, with `rights`.
template <class T>
StatusOr<T*> lookup(Task& task, base::u64 handle, base::u32 rights);

// The memory grant a creating syscall pays with: a Bundle of flavour Grant with kRightAllocate.
StatusOr<Bundle*> lookup_grant(Task& task, base::u64 handle);

Result handle_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result task_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result ring_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result signal_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result mask_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result bundle_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result reticle_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result cpu_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);
Result thread_syscalls(Task& task, vectra::abi::Syscall number, const Arguments& arguments);

// TRY for syscalls: on failure, returns the Status as a syscall result.
#define TRY_SYSCALL(expression)                                                     \
    ({                                                                              \
        auto&& syscall_try_ = (expression);                                         \
        if (syscall_try_.is_error()) return ::kernel::syscall::fail(syscall_try_.error()); \
        syscall_try_.release_value();                                               \
    })

// A relative timeout in ns (abi::kForever, 0 for none) as an absolute deadline.
base::u64 deadline_after(base::u64 timeout);

}  // namespace kernel::syscall
