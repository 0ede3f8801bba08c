// thread_create, thread_exit, thread_join, thread_detach, thread_self, thread_set_tls,
// thread_set_affinity: threads of the calling Task. A Task may always add threads to itself
// (they run its own code and are paid by its own grant), so these take no Task handle.
#include "kernel/mm/user_range.h"
#include "kernel/sched/scheduler.h"
#include "kernel/smp/smp.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

namespace {

// The calling thread's Task's thread `id`: a living thread, or NotFound.
StatusOr<Thread*> living_thread(Task& task, base::u64 id) {
    if (id > 0xffff'ffff) return Status::NotFound;
    Thread* thread = task.find_thread(static_cast<abi::ThreadId>(id));
    if (thread == nullptr) return Status::NotFound;
    return thread;
}

}  // namespace

Result thread_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    Thread& self = *sched::current();
    switch (number) {
        case Syscall::thread_create: {
            // (pc, stack pointer, argument): its id.
            if (!user_range_valid(arguments[0], 1) || (arguments[1] != 0 && !user_range_valid(arguments[1] - 1, 1)))
                return fail(Status::BadAddress);
            const abi::ThreadId id = TRY_SYSCALL(task.create_thread(arguments[0], arguments[1], arguments[2]));
            return ok(id);
        }
        case Syscall::thread_exit:
            task.exit_thread(self, arguments[0]);
            return ok();  // the thread leaves on its way back to user mode
        case Syscall::thread_join: {
            // (id, user address for its exit value or 0, timeout)
            if (arguments[0] > 0xffff'ffff) return fail(Status::NotFound);
            return from(task.join_thread(self, static_cast<abi::ThreadId>(arguments[0]), arguments[1], deadline_after(arguments[2])));
        }
        case Syscall::thread_detach:
            if (arguments[0] > 0xffff'ffff) return fail(Status::NotFound);
            return from(task.detach_thread(static_cast<abi::ThreadId>(arguments[0])));
        case Syscall::thread_self: return ok(task.thread_id(self));
        case Syscall::thread_set_tls: {
            // The thread pointer register (FS base / TPIDR_EL0). On x86_64 it must be a user-half
            // address (a non-canonical FS base would fault in the kernel's wrmsr); TPIDR_EL0 is
            // the thread's own register on aarch64, so anything goes.
            if (!arch::user_thread_pointer_valid(arguments[0])) return fail(Status::InvalidArgument);
            self.user_thread_pointer = arguments[0];
            arch::set_user_thread_pointer(arguments[0]);
            return ok();
        }
        case Syscall::thread_set_affinity: {
            // (id, mask): bit i lets the thread run on CPU i; at least one running CPU.
            Thread* thread = TRY_SYSCALL(living_thread(task, arguments[0]));
            if ((arguments[1] & smp::online_mask()) == 0) return fail(Status::InvalidArgument);
            sched::set_affinity(*thread, static_cast<base::u32>(arguments[1] & smp::online_mask()));
            return ok();
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
