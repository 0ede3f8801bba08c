// task_create, task_give, task_start, task_stop, task_resume, task_kill, task_set_priority,
// task_set_fault_ring, task_exit, task_yield.
#include "kernel/object/bundle.h"
#include "kernel/object/reticle.h"
#include "kernel/object/ring.h"
#include "kernel/mm/user_range.h"
#include "kernel/sched/scheduler.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

Result task_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::task_create: {
            // (grant, reticle, user address of the name, name length): an empty table, not started.
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            Reticle* reticle = TRY_SYSCALL(lookup<Reticle>(task, arguments[1], abi::kRightWrite));
            char name[abi::kTaskNameMax] = {};
            if (arguments[3] >= abi::kTaskNameMax) return fail(Status::TooLarge);
            if (!arch::copy_from_user(name, arguments[2], arguments[3])) return fail(Status::BadAddress);
            if (!task.table().has_free_slots(1)) return fail(Status::TableFull);
            Task* child = TRY_SYSCALL(Task::create(*grant, *reticle, base::StringView(name, arguments[3])));
            return ok(task.table().insert_root(*child, abi::kRightsAll).value());
        }
        case Syscall::task_give: {
            // (task, handle in the caller's table, rights): a derived copy in the child's table.
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            if (arguments[1] > 0xffff'ffff || arguments[2] > abi::kRightsAll) return fail(Status::InvalidArgument);
            if (child->dead()) return fail(Status::BadState);  // its table is gone for good
            auto given = task.table().copy_into(static_cast<abi::Handle>(arguments[1]), child->table(), static_cast<base::u32>(arguments[2]));
            return given.is_ok() ? ok(given.value()) : fail(given.error());
        }
        case Syscall::task_start: {
            // (task, pc, stack pointer, argument)
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            if (!user_range_valid(arguments[1], 1) || (arguments[2] != 0 && !user_range_valid(arguments[2] - 1, 1)))
                return fail(Status::BadAddress);
            return from(child->start(arguments[1], arguments[2], arguments[3]));
        }
        case Syscall::task_stop: {
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            return from(child->stop());
        }
        case Syscall::task_resume: {
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            return from(child->resume());
        }
        case Syscall::task_kill: {
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            child->kill(abi::FaultKind::Killed, 0);
            return ok();
        }
        case Syscall::task_set_priority: {
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightSupervise));
            if (arguments[1] >= abi::kPriorityLevels) return fail(Status::InvalidArgument);
            child->set_priority(static_cast<base::u32>(arguments[1]));
            return ok();
        }
        case Syscall::task_set_fault_ring: {
            // (task, ring end): the kernel sends the task's fault reports from this end.
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightSupervise));
            Ring* ring = TRY_SYSCALL(lookup<Ring>(task, arguments[1], abi::kRightWrite));
            child->set_fault_ring(ring);
            return ok();
        }
        case Syscall::task_exit:
            task.kill(abi::FaultKind::Exited, arguments[0]);
            return ok();  // the thread leaves on its way back to user mode
        case Syscall::task_yield: sched::yield(); return ok();
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
