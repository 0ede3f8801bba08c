// signal_create, signal_raise, signal_clear, signal_wait.
#include "kernel/object/bundle.h"
#include "kernel/object/signal.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

Result signal_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    if (number != Syscall::signal_create && (arguments[1] & ~abi::kSignalBitsMask) != 0) return fail(Status::InvalidArgument);
    switch (number) {
        case Syscall::signal_create: {
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            if (!task.table().has_free_slots(1)) return fail(Status::TableFull);
            Signal* signal = TRY_SYSCALL(Signal::create(*grant));
            auto handle = task.table().insert_root(*signal, abi::kRightsAll);
            if (handle.is_error()) return fail(handle.error());
            return ok(handle.value());
        }
        case Syscall::signal_raise: {
            Signal* signal = TRY_SYSCALL(lookup<Signal>(task, arguments[0], abi::kRightWrite));
            signal->raise(arguments[1]);
            return ok();
        }
        case Syscall::signal_clear: {
            Signal* signal = TRY_SYSCALL(lookup<Signal>(task, arguments[0], abi::kRightWrite));
            signal->clear(arguments[1]);
            return ok();
        }
        case Syscall::signal_wait: {
            Signal* signal = TRY_SYSCALL(lookup<Signal>(task, arguments[0], abi::kRightRead));
            // The Signal may die while we wait (its last capability closed): hold it.
            signal->retain();
            auto bits = signal->wait(arguments[1], deadline_after(arguments[2]));
            signal->release();
            return bits.is_ok() ? ok(bits.value()) : fail(bits.error());
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
