// mask_bind, mask_acknowledge.
#include "kernel/object/mask.h"
#include "kernel/object/signal.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

Result mask_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::mask_bind: {
            Mask* mask = TRY_SYSCALL(lookup<Mask>(task, arguments[0], abi::kRightWrite));
            Signal* signal = TRY_SYSCALL(lookup<Signal>(task, arguments[1], abi::kRightWrite));
            if ((arguments[2] & ~abi::kSignalBitsMask) != 0) return fail(Status::InvalidArgument);
            return from(mask->bind(*signal, arguments[2]));
        }
        case Syscall::mask_acknowledge: {
            Mask* mask = TRY_SYSCALL(lookup<Mask>(task, arguments[0], abi::kRightWrite));
            return from(mask->acknowledge());
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
