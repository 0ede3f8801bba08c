// The scheduler (see scheduler.h for the design and invariants).
#include "kernel/sched/scheduler.h"

#include "kernel/sched/run_queues.h"

#include "arch/arch.h"
#include "abi/abi.h"
#include "base/fixed_vector.h"
#include "kernel/core/panic.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/object/object.h"
#include "kernel/smp/kernel_lock.h"

namespace kernel::sched {
namespace {

using base::u32;
using base::u64;
using vectra::abi::kPriorityLevels;
using vectra::abi::Status;

using TimeoutList = base::IntrusiveList<Thread, &Thread::timeout_link>;

using ThreadRunQueues = RunQueues<Thread, &Thread::queue_link, kPriorityLevels>;


constinit ThreadRunQueues run_queues;
constinit TimeoutList timeouts;  // sorted by deadline, earliest first
constinit Thread* running = nullptr;
constinit Thread* idle_thread = nullptr;
constinit Thread* reclaim_after_switch = nullptr;  // a Dead thread whose stack we just left
constinit Thread boot_context;                     // the stack kernel_main runs on; never resumed
constinit bool reschedule = false;
constinit u32 slice_left = kSliceTicks;
constinit u64 switches = 0;
constinit u32 next_thread_id = 1;
constinit u64 active_root = 0;  // the user half loaded now (0: none)
// Kernel stacks of dead threads, reused by new ones (the stacks window is never unmapped). Room
// for every slot the window has, so no stack is ever lost: threads coming and going cannot use
// the window up.
constexpr base::usize kStackSlots = layout::kKernelStacksSize / layout::kKernelStackSlot;
constinit base::FixedVector<mm::KernelStack, kStackSlots> spare_stacks;

void reclaim_dead_thread() {
    Thread* dead = reclaim_after_switch;
    reclaim_after_switch = nullptr;
    if (dead != nullptr) destroy_thread(*dead);
}

// Switches from the running thread to `next` (not on any queue). The caller has put the
// running thread where it belongs (a run queue, a wait queue, or nowhere if it is Dead).
void switch_from_running(Thread& next) {
    Thread* previous = running;
    if (&next == previous) {
        next.state = ThreadState::Running;
        return;
    }
    if (previous->task != nullptr) arch::fpu_save(previous->fpu);
    if (next.task != nullptr) {
        arch::fpu_restore(next.fpu);
    }
    if (next.task != nullptr && next.address_space_root != active_root) {
        arch::user_page_table_activate(next.address_space_root);
        active_root = next.address_space_root;
    }
    arch::set_kernel_stack(next.stack.top, next.stack.bottom);
    next.state = ThreadState::Running;
    running = &next;
    slice_left = kSliceTicks;
    ++switches;
    if (previous->state == ThreadState::Dead) reclaim_after_switch = previous;
    arch::context_switch(&previous->saved_stack_pointer, next.saved_stack_pointer);
    // Back on `previous`'s stack: whoever switched to us may have left a dead thread behind.
    reclaim_dead_thread();
}

// Picks the next thread (the idle thread when nothing is ready) and switches to it.
void run_next() {
    Thread* next = run_queues.pop_highest();
    if (next == nullptr) next = idle_thread;
    reschedule = false;
    switch_from_running(*next);
}

void add_timeout(Thread& thread) {
    // Bound: the list holds at most every thread once.
    for (Thread& other : timeouts) {
        if (other.deadline > thread.deadline) {
            timeouts.insert_before(other, thread);
            return;
        }
    }
    timeouts.push_back(thread);
}

[[noreturn]] void idle_loop(void*) {
    for (;;) {
        // Interrupts come in here only; wfi cannot miss one (see arch::wait_for_interrupt). The
        // kernel lock is given up while waiting (interrupt hooks take it themselves).
        kernel_lock::release();
        arch::wait_for_interrupt();
        arch::interrupts_disable();
        kernel_lock::acquire();
        // Objects left for the reaper when nobody makes syscalls: a bounded amount per wake-up.
        (void)reap_objects(16);
        if (run_queues.highest() >= 0) run_next();
    }
}

}  // namespace

void init() {
    boot_context.state = ThreadState::Running;
    boot_context.priority = 0;
    running = &boot_context;
    auto idle = create_thread(reinterpret_cast<void (*)(void*)>(&idle_loop), nullptr, 0);
    if (idle.is_error()) panic("scheduler: cannot create the idle thread: {}", idle.error().message);
    idle_thread = idle.value();
}

[[noreturn]] void start() {
    arch::interrupts_disable();
    boot_context.state = ThreadState::Dead;  // never resumed; its stack is the boot one
    reclaim_after_switch = nullptr;
    Thread* next = run_queues.pop_highest();
    if (next == nullptr) next = idle_thread;
    Thread* previous = running;
    next->state = ThreadState::Running;
    running = next;
    arch::set_kernel_stack(next->stack.top, next->stack.bottom);
    if (next->task != nullptr) {
        arch::fpu_restore(next->fpu);
        arch::user_page_table_activate(next->address_space_root);
        active_root = next->address_space_root;
    }
    arch::context_switch(&previous->saved_stack_pointer, next->saved_stack_pointer);
    panic("scheduler: the boot context was resumed");
}

Thread* current() { return running; }

base::Result<Thread*> create_thread(void (*entry)(void*), void* argument, u32 priority) {
    static_assert(sizeof(Thread) <= layout::kPageSize, "a Thread fits in one frame");
    mm::KernelStack stack{};
    bool reused = false;
    if (!spare_stacks.empty()) {
        stack = spare_stacks.back();
        spare_stacks.pop_back();
        reused = true;
    } else {
        stack = TRY(mm::allocate_kernel_stack_with_bounds());
    }
    const base::Optional<u64> frame = mm::frame_allocator().allocate();
    if (!frame.has_value()) {
        (void)reused;
        (void)spare_stacks.try_append(stack);
        return base::make_error(base::ErrorCode::OutOfMemory, "scheduler: no frame for a thread");
    }
    auto* thread = new (layout::physical_to_pointer<void>(*frame)) Thread();
    thread->stack = stack;
    thread->priority = priority < kPriorityLevels ? priority : kPriorityLevels - 1;
    thread->id = next_thread_id++;
    thread->state = ThreadState::Stopped;
    arch::fpu_init(thread->fpu);
    // The top of the stack holds the user registers while the thread is in the kernel (traps
    // and syscalls from user mode save them exactly there); the kernel's frames go below.
    thread->user_frame = reinterpret_cast<arch::UserFrame*>(stack.top - sizeof(arch::UserFrame));
    thread->saved_stack_pointer = arch::prepare_kernel_stack(reinterpret_cast<base::uptr>(thread->user_frame), entry, argument);
    return thread;
}

void destroy_thread(Thread& thread) {
    if (&thread == running || thread.queue_link.is_linked() || thread.timeout_link.is_linked())
        panic("scheduler: destroying thread {} while it runs or waits", thread.id);
    const mm::KernelStack stack = thread.stack;
    const u64 physical = reinterpret_cast<u64>(&thread) - layout::kDirectMapBase;
    thread.~Thread();
    (void)mm::frame_allocator().free(physical);
    // The list has room for every slot of the window, so this always succeeds.
    if (!spare_stacks.try_append(stack)) panic("scheduler: more kernel stacks than the window has slots");
}

void make_ready(Thread& thread) {
    thread.state = ThreadState::Ready;
    run_queues.push(thread);
    if (running != nullptr && thread.priority > running->priority) reschedule = true;
}

base::i64 block_current(WaitQueue& queue, u64 deadline) {
    Thread& self = *running;
    if (self.kill_pending) return static_cast<base::i64>(Status::BadState);
    self.state = ThreadState::Blocked;
    self.waiting_on = &queue;
    self.wake_status = 0;
    queue.threads.push_back(self);
    self.deadline = deadline;
    if (deadline != kNoDeadline) add_timeout(self);
    run_next();
    return self.wake_status;
}

bool would_run_first(const Thread& thread) { return run_queues.highest() <= static_cast<int>(thread.priority); }

base::i64 block_current_and_run(WaitQueue& queue, u64 deadline, Thread& thread) {
    Thread& self = *running;
    if (self.kill_pending) return static_cast<base::i64>(Status::BadState);
    // The woken thread: off its wait queue (and the timeout list), straight to running.
    thread.waiting_on->threads.remove(thread);
    thread.waiting_on = nullptr;
    if (thread.timeout_link.is_linked()) timeouts.remove(thread);
    thread.deadline = kNoDeadline;
    thread.wake_status = 0;
    // The caller: blocked, as in block_current.
    self.state = ThreadState::Blocked;
    self.waiting_on = &queue;
    self.wake_status = 0;
    queue.threads.push_back(self);
    self.deadline = deadline;
    if (deadline != kNoDeadline) add_timeout(self);
    reschedule = false;
    switch_from_running(thread);
    return self.wake_status;
}

u64 loaded_address_space() { return active_root; }

void wake(Thread& thread, base::i64 status) {
    if (thread.state != ThreadState::Blocked) return;
    thread.waiting_on->threads.remove(thread);
    thread.waiting_on = nullptr;
    if (thread.timeout_link.is_linked()) timeouts.remove(thread);
    thread.deadline = kNoDeadline;
    thread.wake_status = status;
    make_ready(thread);
}

void wake_all(WaitQueue& queue, base::i64 status) {
    // Bound: each wake removes one thread from the queue.
    while (Thread* thread = queue.front()) wake(*thread, status);
}

void switch_to(Thread& thread) {
    if (thread.state != ThreadState::Ready) return;
    if (run_queues.highest() > static_cast<int>(thread.priority)) return;  // someone outranks it
    run_queues.remove(thread);
    Thread& self = *running;
    self.state = ThreadState::Ready;
    run_queues.push(self);
    switch_from_running(thread);
}

void yield() {
    Thread& self = *running;
    if (run_queues.highest() < static_cast<int>(self.priority)) {
        reschedule = false;
        return;
    }
    self.state = ThreadState::Ready;
    run_queues.push(self);
    run_next();
}

[[noreturn]] void exit_current() {
    Thread& self = *running;
    self.state = ThreadState::Dead;
    run_next();
    panic("scheduler: a dead thread was resumed");
}

void stop_current() {
    Thread& self = *running;
    self.stop_pending = false;
    self.state = ThreadState::Stopped;
    run_next();
}

void stop(Thread& thread) {
    switch (thread.state) {
        case ThreadState::Ready:
            run_queues.remove(thread);
            thread.state = ThreadState::Stopped;
            break;
        case ThreadState::Blocked:
            // Its wait ends as interrupted; it stops before returning to user mode.
            thread.stop_pending = true;
            wake(thread, static_cast<base::i64>(Status::BadState));
            break;
        case ThreadState::Running: thread.stop_pending = true; break;
        default: break;
    }
}

void set_priority(Thread& thread, u32 priority) {
    if (priority >= kPriorityLevels) priority = kPriorityLevels - 1;
    if (thread.state == ThreadState::Ready) {
        run_queues.remove(thread);
        thread.priority = priority;
        run_queues.push(thread);
    } else {
        thread.priority = priority;
    }
    if (running != nullptr && run_queues.highest() > static_cast<int>(running->priority)) reschedule = true;
}

void tick() {
    const u64 now = arch::monotonic_ns();
    // Bound: each pass removes one expired thread from the list.
    while (Thread* first = timeouts.front()) {
        if (first->deadline > now) break;
        wake(*first, static_cast<base::i64>(Status::Timeout));
    }
    if (running == idle_thread) {
        if (run_queues.highest() >= 0) reschedule = true;
        return;
    }
    if (slice_left > 0) --slice_left;
    if (slice_left == 0 && run_queues.highest() >= static_cast<int>(running->priority)) reschedule = true;
}

bool reschedule_requested() { return reschedule; }

void reschedule_if_requested() {
    if (!reschedule) return;
    reschedule = false;
    yield();
}

u64 context_switches() { return switches; }

void load_address_space(u64 root) {
    arch::user_page_table_activate(root);
    active_root = root;
}

void address_space_destroyed(u64 root) {
    if (active_root != root) return;
    arch::user_page_table_activate(0);
    active_root = 0;
}

}  // namespace kernel::sched
