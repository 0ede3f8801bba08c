// reticle_create, reticle_map, reticle_unmap, reticle_protect.
#include "kernel/object/bundle.h"
#include "kernel/object/reticle.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

Result reticle_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::reticle_create: {
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            if (!task.table().has_free_slots(1)) return fail(Status::TableFull);
            Reticle* reticle = TRY_SYSCALL(Reticle::create(*grant));
            return ok(task.table().insert_root(*reticle, abi::kRightsAll).value());
        }
        case Syscall::reticle_map: {
            // (reticle, bundle, bundle offset, address, size, protection)
            Reticle* reticle = TRY_SYSCALL(lookup<Reticle>(task, arguments[0], abi::kRightWrite));
            const base::u64 protection = arguments[5];
            if (protection > 7) return fail(Status::InvalidArgument);
            const base::u32 needed = abi::kRightMap | abi::kRightRead | ((protection & abi::kProtectWrite) ? abi::kRightWrite : 0) |
                                     ((protection & abi::kProtectExecute) ? abi::kRightExecute : 0);
            auto capability = task.table().lookup(static_cast<abi::Handle>(arguments[1] & 0xffff'ffff), abi::ObjectKind::Bundle, needed);
            if (arguments[1] > 0xffff'ffff) return fail(Status::BadHandle);
            if (capability.is_error()) return fail(capability.error());
            const base::u32 rights = capability.value()->rights();
            const base::u32 allowed = abi::kProtectRead | ((rights & abi::kRightWrite) ? abi::kProtectWrite : 0) |
                                      ((rights & abi::kRightExecute) ? abi::kProtectExecute : 0);
            // The mapping's node is derived from this capability: revoking it (or an ancestor) unmaps.
            return from(reticle->map(*capability.value(), arguments[2], arguments[3], arguments[4],
                                     static_cast<base::u32>(protection), allowed));
        }
        case Syscall::reticle_unmap: {
            Reticle* reticle = TRY_SYSCALL(lookup<Reticle>(task, arguments[0], abi::kRightWrite));
            return from(reticle->unmap(arguments[1], arguments[2]));
        }
        case Syscall::reticle_protect: {
            // Never beyond what the Bundle capability allowed when the mapping was made.
            Reticle* reticle = TRY_SYSCALL(lookup<Reticle>(task, arguments[0], abi::kRightWrite));
            if (arguments[3] > 7) return fail(Status::InvalidArgument);
            return from(reticle->protect(arguments[1], arguments[2], static_cast<base::u32>(arguments[3])));
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
