// Syscall entry from the architecture: routes by number to the family that decodes and invokes
// it, and the lookup every family uses. Also the user-fault and return-to-user hooks.
#include "kernel/syscall/syscall.h"

#include "arch/arch.h"
#include "kernel/debug/trace.h"
#include "kernel/object/bundle.h"
#include "kernel/object/mask.h"
#include "kernel/object/reticle.h"
#include "kernel/object/ring.h"
#include "kernel/object/signal.h"
#include "kernel/sched/scheduler.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/kernel_lock.h"

namespace kernel {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

namespace syscall {

template <class T>
constexpr abi::ObjectKind kind_of();
template <> constexpr abi::ObjectKind kind_of<Task>() { return abi::ObjectKind::Task; }
template <> constexpr abi::ObjectKind kind_of<Ring>() { return abi::ObjectKind::Ring; }
template <> constexpr abi::ObjectKind kind_of<Signal>() { return abi::ObjectKind::Signal; }
template <> constexpr abi::ObjectKind kind_of<Mask>() { return abi::ObjectKind::Mask; }
template <> constexpr abi::ObjectKind kind_of<Bundle>() { return abi::ObjectKind::Bundle; }
template <> constexpr abi::ObjectKind kind_of<Reticle>() { return abi::ObjectKind::Reticle; }

template <class T>
StatusOr<T*> lookup(Task& task, base::u64 handle, base::u32 rights) {
    if (handle > ~base::u32(0)) return Status::BadHandle;
    Capability* capability = TRY(task.table().lookup(static_cast<abi::Handle>(handle), kind_of<T>(), rights));
    // The kind was checked, so the object is a T.
    return static_cast<T*>(capability->object());
}
template StatusOr<Task*> lookup<Task>(Task&, base::u64, base::u32);
template StatusOr<Ring*> lookup<Ring>(Task&, base::u64, base::u32);
template StatusOr<Signal*> lookup<Signal>(Task&, base::u64, base::u32);
template StatusOr<Mask*> lookup<Mask>(Task&, base::u64, base::u32);
template StatusOr<Bundle*> lookup<Bundle>(Task&, base::u64, base::u32);
template StatusOr<Reticle*> lookup<Reticle>(Task&, base::u64, base::u32);

StatusOr<Bundle*> lookup_grant(Task& task, base::u64 handle) {
    Bundle* grant = TRY(lookup<Bundle>(task, handle, abi::kRightAllocate));
    if (grant->flavour() != abi::BundleFlavour::Grant) return Status::WrongKind;
    return grant;
}

base::u64 deadline_after(base::u64 timeout) {
    if (timeout == abi::kForever) return kNoDeadline;
    if (timeout == 0) return 0;
    const base::u64 now = arch::monotonic_ns();
    base::u64 deadline = 0;
    if (!base::checked_add(now, timeout, &deadline) || deadline == kNoDeadline) return kNoDeadline - 1;
    return deadline;
}

namespace {

Result dispatch(Task& task, base::u64 number, const Arguments& arguments) {
    if (number >= abi::kSyscallLimit) return fail(Status::BadSyscall);
    const auto call = static_cast<Syscall>(number);
    switch (call) {
#define X(name, value, count) case Syscall::name:
        VECTRA_SYSCALL_LIST(X)
#undef X
        break;
        default: return fail(Status::BadSyscall);
    }
    // Numbers are grouped by family in tens.
    switch (number / 10) {
        case 0: return handle_syscalls(task, call, arguments);
        case 1: return task_syscalls(task, call, arguments);
        case 2: return ring_syscalls(task, call, arguments);
        case 3: return signal_syscalls(task, call, arguments);
        case 4: return mask_syscalls(task, call, arguments);
        case 5: return bundle_syscalls(task, call, arguments);
        case 6: return reticle_syscalls(task, call, arguments);
        case 8: return cpu_syscalls(task, call, arguments);
        case 9: return thread_syscalls(task, call, arguments);
        default: break;
    }
    if (call == Syscall::clock_now) return ok(arch::monotonic_ns());
    return fail(Status::BadSyscall);
}

}  // namespace
}  // namespace syscall

void handle_syscall(arch::UserFrame& frame) {
    // Reading the clock or the CPU's number touches nothing shared: no lock (a thread that polls
    // the clock would otherwise hold up every other CPU's syscalls).
    if (arch::syscall_number(frame) == base::u64(abi::Syscall::clock_now)) {
        arch::set_syscall_result(frame, syscall::ok(arch::monotonic_ns()));
        return;
    }
    if (arch::syscall_number(frame) == base::u64(abi::Syscall::cpu_current)) {
        arch::set_syscall_result(frame, syscall::ok(this_cpu().index));
        return;
    }
    kernel_lock::acquire();  // given up in before_user_return
    Task* task = current_task();
    if (task == nullptr) return;
    trace::record(trace::Event::Syscall, sched::current()->id, arch::syscall_number(frame));
    const syscall::Arguments arguments = {arch::syscall_argument(frame, 0), arch::syscall_argument(frame, 1),
                                          arch::syscall_argument(frame, 2), arch::syscall_argument(frame, 3),
                                          arch::syscall_argument(frame, 4), arch::syscall_argument(frame, 5)};
    arch::set_syscall_result(frame, syscall::dispatch(*task, arch::syscall_number(frame), arguments));
}

void handle_user_fault(arch::UserFrame& frame, const arch::UserFault& fault) {
    kernel_lock::acquire();  // given up in before_user_return
    Thread* thread = sched::current();
    if (thread->task == nullptr) return;
    thread->task->thread_faulted(*thread, fault, arch::user_pc(frame));
}

void before_user_return(arch::UserFrame&) {
    if (!kernel_lock::held_here()) {
        // After an interrupt from user mode (or a syscall that needs no lock): the lock is taken
        // only when there is something to do first. Whoever sets one of these flags for this
        // thread from another CPU interrupts this one after (sched::poke, the reschedule IPI).
        const Thread* running = sched::current();
        if (!sched::reschedule_requested() && !__atomic_load_n(&running->kill_pending, __ATOMIC_ACQUIRE) &&
            !__atomic_load_n(&running->stop_pending, __ATOMIC_ACQUIRE))
            return;
        kernel_lock::acquire();
    }
    // Objects released by this syscall or by others: a bounded amount of destruction per return.
    if (objects_waiting_for_reaper()) (void)reap_objects(16);
    Thread* self = sched::current();
    // Bound: each pass either leaves (kill), stops until resumed, or reschedules once.
    while ((self->kill_pending && self->task != nullptr) || self->stop_pending || sched::reschedule_requested()) {
        if (self->kill_pending && self->task != nullptr) self->task->exit_current_thread();
        if (self->stop_pending) {
            sched::stop_current();
            continue;
        }
        if (sched::reschedule_requested()) sched::reschedule_if_requested();
    }
    kernel_lock::release();
}

void scheduler_tick() {
    if (sched::tick_without_lock()) return;
    kernel_lock::Scope locked;  // from user mode, or from the idle loop, which holds no lock
    sched::tick();
}

}  // namespace kernel
