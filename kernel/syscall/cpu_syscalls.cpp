// cpu_count, cpu_current, task_set_affinity.
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
        case Syscall::task_set_affinity: {
            // (task, mask): bit i lets its threads run on CPU i; at least one running CPU.
            Task* child = TRY_SYSCALL(lookup<Task>(task, arguments[0], abi::kRightWrite));
            if ((arguments[1] & smp::online_mask()) == 0) return fail(Status::InvalidArgument);
            child->set_affinity(static_cast<base::u32>(arguments[1] & smp::online_mask()));
            return ok();
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
