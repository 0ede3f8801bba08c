// cpu_count, cpu_current, task_set_affinity, futex_wait, futex_wake, cpu_online_mask.
#include "kernel/object/reticle.h"
#include "kernel/sched/futex.h"
#include "kernel/smp/smp.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

Result cpu_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::cpu_count: return ok(smp::online_count());
        case Syscall::cpu_current: return ok(this_cpu().index);
        case Syscall::cpu_online_mask: return ok(smp::online_mask());
        case Syscall::task_set_affinity: {
            // (task, mask): bit i lets its threads run on CPU i; at least one running CPU.
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            if ((arguments[1] & smp::online_mask()) == 0) return fail(Status::InvalidArgument);
            child->set_affinity(static_cast<base::u32>(arguments[1] & smp::online_mask()));
            return ok();
        }
        case Syscall::futex_wait: {
            // (address, expected value, timeout): in the caller's own address space.
            if (arguments[1] > 0xffff'ffff) return fail(Status::InvalidArgument);
            return from(futex::wait(task.reticle(), arguments[0], static_cast<base::u32>(arguments[1]), deadline_after(arguments[2])));
        }
        case Syscall::futex_wake: {
            const base::u64 woken = TRY_SYSCALL(futex::wake(task.reticle(), arguments[0], arguments[1]));
            return ok(woken);
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
