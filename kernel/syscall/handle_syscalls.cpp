// handle_close, handle_derive, handle_revoke, handle_info: capabilities themselves.
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

namespace {

// Revoke works in bounded steps: at most this many descendants per call (MoreToDo: call again).
constexpr base::usize kRevokeBudget = 256;

bool fits_handle(base::u64 value) { return value <= ~base::u32(0); }

}  // namespace

Result handle_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    const base::u64 handle = arguments[0];
    if (!fits_handle(handle)) return fail(Status::BadHandle);
    const auto h = static_cast<abi::Handle>(handle);
    CapabilityTable& table = task.table();
    switch (number) {
        case Syscall::handle_close: return from(table.close(h));
        case Syscall::handle_derive: {
            if (arguments[1] > abi::kRightsAll) return fail(Status::InvalidArgument);
            auto derived = table.derive(h, static_cast<base::u32>(arguments[1]));
            return derived.is_ok() ? ok(derived.value()) : fail(derived.error());
        }
        case Syscall::handle_revoke: return from(table.revoke(h, kRevokeBudget));
        case Syscall::handle_info: {
            auto capability = table.lookup(h, abi::ObjectKind::None, 0);
            if (capability.is_error()) return fail(capability.error());
            const abi::HandleInfo info{static_cast<base::u32>(capability.value()->object()->kind()),
                                       capability.value()->rights(), capability.value()->object()->id()};
            if (!arch::copy_to_user(arguments[1], &info, sizeof info)) return fail(Status::BadAddress);
            return ok();
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
