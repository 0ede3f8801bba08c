// The scheduler (see scheduler.h for the design and invariants).
#include "kernel/sched/scheduler.h"

#include "kernel/sched/run_queues.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "abi/abi.h"
#include "base/fixed_vector.h"
#include "kernel/core/panic.h"
#include "kernel/debug/trace.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/object/object.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/kernel_lock.h"
#include "kernel/smp/smp.h"

namespace kernel::sched {
namespace {

using base::u32;
using base::u64;
using vectra::abi::kPriorityLevels;
using vectra::abi::Status;

using TimeoutList = base::IntrusiveList<Thread, &Thread::timeout_link>;

using ThreadRunQueues = RunQueues<Thread, &Thread::queue_link, kPriorityLevels>;

// What each CPU schedules (all of it under the kernel lock, except `reschedule`, which the
// reschedule IPI sets on its own CPU).
struct CpuScheduler {
    ThreadRunQueues run_queues;
    Thread* running = nullptr;
    Thread* idle_thread = nullptr;
    Thread* reclaim_after_switch = nullptr;  // a Dead thread whose stack this CPU just left
    Thread boot_context;                     // the stack this CPU started on
    bool reschedule = false;
    u32 slice_left = kSliceTicks;
    u64 active_root = 0;  // the user half loaded on this CPU now (0: none)
    bool started = false;  // runs the scheduler (init done)
};

constinit CpuScheduler per_cpu[arch::kMaxCpus];
constinit TimeoutList timeouts;  // sorted by deadline, earliest first; any CPU, under the lock
// The first deadline of `timeouts` (kNoDeadline: none): written under the lock whenever the
// list's front changes, read without it by every tick, which takes the lock only once it is due.
constinit u64 earliest_deadline = kNoDeadline;
constinit u64 switches = 0;
constinit u32 next_thread_id = 1;
// Kernel stacks of dead threads, reused by new ones (the stacks window is never unmapped). Room
// for every slot the window has, so no stack is ever lost: threads coming and going cannot use
// the window up.
constexpr base::usize kStackSlots = layout::kKernelStacksSize / layout::kKernelStackSlot;
constinit base::FixedVector<mm::KernelStack, kStackSlots> spare_stacks;

unsigned here_index() { return this_cpu().index; }
CpuScheduler& here() { return per_cpu[here_index()]; }
bool allowed_on(const Thread& thread, unsigned cpu) { return (thread.affinity >> cpu) & 1u; }

void reclaim_dead_thread() {
    CpuScheduler& cpu = here();
    Thread* dead = cpu.reclaim_after_switch;
    cpu.reclaim_after_switch = nullptr;
    if (dead != nullptr) destroy_thread(*dead);
}

// Switches this CPU from its running thread to `next` (not on any queue). The caller has put
// the running thread where it belongs (a run queue, a wait queue, or nowhere if it is Dead).
void switch_from_running(Thread& next) {
    CpuScheduler& cpu = here();
    Thread* previous = cpu.running;
    if (&next == previous) {
        next.state = ThreadState::Running;
        return;
    }
    if (previous->task != nullptr) {
        arch::fpu_save(previous->fpu);
        previous->user_thread_pointer = arch::user_thread_pointer();
    }
    if (next.task != nullptr) {
        arch::fpu_restore(next.fpu);
        arch::set_user_thread_pointer(next.user_thread_pointer);
    }
    // An idle CPU keeps no user half loaded: a Reticle that dies meanwhile is then loaded on no
    // CPU but one running a thread of it (which keeps it alive).
    const u64 root = next.task != nullptr ? next.address_space_root : 0;
    if (root != cpu.active_root && (root != 0 || &next == cpu.idle_thread)) {
        arch::user_page_table_activate(root);
        cpu.active_root = root;
    }
    arch::set_kernel_stack(next.stack.top, next.stack.bottom);
    next.state = ThreadState::Running;
    next.cpu = here_index();
    cpu.running = &next;
    cpu.slice_left = kSliceTicks;
    ++switches;
    if (previous->state == ThreadState::Dead) cpu.reclaim_after_switch = previous;
    trace::record(trace::Event::Switch, previous->id, next.id);
    arch::context_switch(&previous->saved_stack_pointer, next.saved_stack_pointer);
    // Back on `previous`'s stack (on whichever CPU switched to it): whoever switched to us may
    // have left a dead thread behind.
    reclaim_dead_thread();
}

// A ready thread another CPU queued that may run here: the front of the highest priority
// queue among the other CPUs, when its affinity allows and it is at least `minimum` (work
// stealing). Taken off its queue.
Thread* steal(int minimum = 0) {
    const unsigned self = here_index();
    CpuScheduler* best = nullptr;
    int best_priority = minimum - 1;
    for (unsigned index = 0; index < arch::kMaxCpus; ++index) {
        CpuScheduler& other = per_cpu[index];
        if (index == self || !other.started) continue;
        const int priority = other.run_queues.highest();
        if (priority <= best_priority) continue;
        Thread* candidate = other.run_queues.peek_highest();
        if (candidate == nullptr || !allowed_on(*candidate, self)) continue;
        best = &other;
        best_priority = priority;
    }
    if (best == nullptr) return nullptr;
    Thread* stolen = best->run_queues.pop_highest();
    trace::record(trace::Event::Stolen, stolen->id, static_cast<u64>(best - per_cpu));
    return stolen;
}

// Picks this CPU's next thread (its own queue, else one stolen, else idle) and switches to it.
void run_next() {
    CpuScheduler& cpu = here();
    Thread* next = cpu.run_queues.pop_highest();
    if (next == nullptr) next = steal();
    if (next == nullptr) next = cpu.idle_thread;
    cpu.reschedule = false;
    switch_from_running(*next);
}

// The CPU a ready thread goes to: where it last ran when allowed (its cache is warm there),
// else the first CPU it may run on that runs the scheduler.
unsigned cpu_for(const Thread& thread) {
    if (allowed_on(thread, thread.cpu) && per_cpu[thread.cpu].started) return thread.cpu;
    for (unsigned index = 0; index < arch::kMaxCpus; ++index)
        if (allowed_on(thread, index) && per_cpu[index].started) return index;
    return here_index();
}

// Asks CPU `index` to look at its queues again: at once for this CPU, by IPI for another.
void kick(unsigned index) {
    if (index == here_index()) {
        here().reschedule = true;
    } else {
        trace::record(trace::Event::KickSent, index);
        arch::send_reschedule(index);
    }
}

// A ready thread waits on CPU `queued_on` behind another: the first idle CPU its affinity
// allows is kicked, and steals it (or another) when it looks at the queues.
void kick_an_idle_cpu_for(const Thread& thread, unsigned queued_on) {
    for (unsigned index = 0; index < arch::kMaxCpus; ++index) {
        CpuScheduler& other = per_cpu[index];
        if (index == queued_on || !other.started || other.running != other.idle_thread || !allowed_on(thread, index)) continue;
        kick(index);
        return;
    }
}

void note_earliest_deadline() {
    const Thread* first = timeouts.front();
    __atomic_store_n(&earliest_deadline, first != nullptr ? first->deadline : kNoDeadline, __ATOMIC_RELAXED);
}

void add_timeout(Thread& thread) {
    // Bound: the list holds at most every thread once.
    for (Thread& other : timeouts) {
        if (other.deadline > thread.deadline) {
            timeouts.insert_before(other, thread);
            note_earliest_deadline();
            return;
        }
    }
    timeouts.push_back(thread);
    note_earliest_deadline();
}

// Whether some CPU has a thread waiting in its queue (read without the lock: a hint).
bool any_thread_queued_hint() {
    for (const CpuScheduler& cpu : per_cpu)
        if (cpu.started && !cpu.run_queues.empty()) return true;
    return false;
}

// `thread` (the running one) waits on `queue` until woken or `deadline`.
void enqueue_waiter(Thread& thread, WaitQueue& queue, u64 deadline) {
    thread.state = ThreadState::Blocked;
    thread.waiting_on = &queue;
    thread.wake_status = 0;
    queue.threads.push_back(thread);
    thread.deadline = deadline;
    trace::record(trace::Event::Blocked, thread.id, deadline == kNoDeadline ? 0 : deadline);
    if (deadline != kNoDeadline) add_timeout(thread);
}

// `thread` (Blocked) leaves its wait queue and the timeout list, woken with `status`.
void dequeue_waiter(Thread& thread, base::i64 status) {
    thread.waiting_on->threads.remove(thread);
    thread.waiting_on = nullptr;
    if (thread.timeout_link.is_linked()) {
        timeouts.remove(thread);
        note_earliest_deadline();
    }
    thread.deadline = kNoDeadline;
    thread.wake_status = status;
}

[[noreturn]] void idle_loop(void*) {
    for (;;) {
        // Interrupts come in here only. The kernel lock is given up while waiting (interrupt
        // hooks take it themselves), and taken again only when there is something to look at:
        // a reschedule asked for by IPI (a thread made ready here, or one to steal) or by the
        // tick (timeouts, the reaper, stealing). The request is checked with interrupts off and
        // slept on by wait_for_interrupt, so one that comes in between is not lost.
        kernel_lock::release();
        // Bound: the next tick asks.
        while (!reschedule_requested()) {
            trace::record(trace::Event::IdleSleep);
            arch::wait_for_interrupt();
            arch::interrupts_disable();
        }
        trace::record(trace::Event::IdleWake);
        kernel_lock::acquire();
        // Objects left for the reaper when nobody makes syscalls: a bounded amount per wake-up.
        (void)reap_objects(16);
        run_next();  // its own queue, or steals, or stays idle
    }
}

}  // namespace

void init() {
    CpuScheduler& cpu = here();
    cpu.boot_context.state = ThreadState::Running;
    cpu.boot_context.priority = 0;
    cpu.boot_context.cpu = here_index();
    cpu.boot_context.affinity = 1u << here_index();  // kernel code that asked for this CPU
    cpu.running = &cpu.boot_context;
    auto idle = create_thread(reinterpret_cast<void (*)(void*)>(&idle_loop), nullptr, 0);
    if (idle.is_error()) panic("scheduler: cannot create cpu {}'s idle thread: {}", here_index(), idle.error().message);
    cpu.idle_thread = idle.value();
    cpu.idle_thread->cpu = here_index();
    cpu.idle_thread->affinity = 1u << here_index();
    cpu.started = true;
}

[[noreturn]] void start() {
    arch::interrupts_disable();
    CpuScheduler& cpu = here();
    cpu.boot_context.state = ThreadState::Dead;  // never resumed; its stack is the boot one
    cpu.reclaim_after_switch = nullptr;
    Thread* next = cpu.run_queues.pop_highest();
    if (next == nullptr) next = steal();
    if (next == nullptr) next = cpu.idle_thread;
    Thread* previous = cpu.running;
    next->state = ThreadState::Running;
    next->cpu = here_index();
    cpu.running = next;
    arch::set_kernel_stack(next->stack.top, next->stack.bottom);
    if (next->task != nullptr) {
        arch::fpu_restore(next->fpu);
        arch::set_user_thread_pointer(next->user_thread_pointer);
        arch::user_page_table_activate(next->address_space_root);
        cpu.active_root = next->address_space_root;
    }
    arch::context_switch(&previous->saved_stack_pointer, next->saved_stack_pointer);
    panic("scheduler: the boot context was resumed");
}

Thread* current() { return here().running; }

base::Result<Thread*> create_thread(void (*entry)(void*), void* argument, u32 priority) {
    kernel_lock::assert_held();
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
    kernel_lock::assert_held();
    if (thread.state == ThreadState::Running || thread.queue_link.is_linked() || thread.timeout_link.is_linked())
        panic("scheduler: destroying thread {} while it runs or waits", thread.id);
    const mm::KernelStack stack = thread.stack;
    const u64 physical = reinterpret_cast<u64>(&thread) - layout::kDirectMapBase;
    thread.~Thread();
    (void)mm::frame_allocator().free(physical);
    // The list has room for every slot of the window, so this always succeeds.
    if (!spare_stacks.try_append(stack)) panic("scheduler: more kernel stacks than the window has slots");
}

void make_ready(Thread& thread) {
    kernel_lock::assert_held();
    thread.state = ThreadState::Ready;
    const unsigned target = cpu_for(thread);
    thread.cpu = target;
    CpuScheduler& cpu = per_cpu[target];
    cpu.run_queues.push(thread);
    trace::record(trace::Event::MadeReady, thread.id, target);
    // An idle CPU is asked at once (not left to its next tick); a busy one when the thread
    // outranks what runs there.
    if (cpu.running != nullptr && (cpu.running == cpu.idle_thread || thread.priority > cpu.running->priority)) {
        kick(target);
        return;
    }
    kick_an_idle_cpu_for(thread, target);  // it waits behind something there
}

base::i64 block_current(WaitQueue& queue, u64 deadline) {
    kernel_lock::assert_held();
    Thread& self = *here().running;
    if (self.kill_pending) return static_cast<base::i64>(Status::BadState);
    enqueue_waiter(self, queue, deadline);
    run_next();
    return self.wake_status;
}

bool would_run_first(const Thread& thread) {
    return allowed_on(thread, here_index()) && here().run_queues.highest() <= static_cast<int>(thread.priority);
}

base::i64 block_current_and_run(WaitQueue& queue, u64 deadline, Thread& thread) {
    kernel_lock::assert_held();
    Thread& self = *here().running;
    if (self.kill_pending) return static_cast<base::i64>(Status::BadState);
    dequeue_waiter(thread, 0);  // straight to running here, past the run queues
    enqueue_waiter(self, queue, deadline);
    here().reschedule = false;
    switch_from_running(thread);
    return self.wake_status;
}

u64 loaded_address_space() { return here().active_root; }

void wake(Thread& thread, base::i64 status) {
    kernel_lock::assert_held();
    if (thread.state != ThreadState::Blocked) return;
    trace::record(trace::Event::Woken, thread.id, static_cast<u64>(status));
    dequeue_waiter(thread, status);
    make_ready(thread);
}

void wake_all(WaitQueue& queue, base::i64 status) {
    // Bound: each wake removes one thread from the queue.
    while (Thread* thread = queue.front()) wake(*thread, status);
}

void switch_to(Thread& thread) {
    kernel_lock::assert_held();
    if (thread.state != ThreadState::Ready || !allowed_on(thread, here_index())) return;
    CpuScheduler& cpu = here();
    CpuScheduler& owner = per_cpu[thread.cpu];
    if (cpu.run_queues.highest() > static_cast<int>(thread.priority)) return;  // someone outranks it
    owner.run_queues.remove(thread);
    Thread& self = *cpu.running;
    self.state = ThreadState::Ready;
    self.cpu = here_index();
    cpu.run_queues.push(self);
    switch_from_running(thread);
}

void yield() {
    kernel_lock::assert_held();
    CpuScheduler& cpu = here();
    Thread& self = *cpu.running;
    if (!allowed_on(self, here_index())) {  // its affinity changed: off to a CPU it may use
        make_ready(self);
        run_next();
        return;
    }
    if (cpu.run_queues.highest() < static_cast<int>(self.priority)) {
        // Nothing here at its level: another CPU's ready thread may be waiting for a CPU.
        Thread* stolen = steal(static_cast<int>(self.priority));
        if (stolen == nullptr) {
            cpu.reschedule = false;
            return;
        }
        self.state = ThreadState::Ready;
        self.cpu = here_index();
        cpu.run_queues.push(self);
        cpu.reschedule = false;
        switch_from_running(*stolen);
        return;
    }
    self.state = ThreadState::Ready;
    self.cpu = here_index();
    cpu.run_queues.push(self);
    run_next();
}

[[noreturn]] void exit_current() {
    kernel_lock::assert_held();
    Thread& self = *here().running;
    self.state = ThreadState::Dead;
    run_next();
    panic("scheduler: a dead thread was resumed");
}

void stop_current() {
    kernel_lock::assert_held();
    Thread& self = *here().running;
    self.stop_pending = false;
    self.state = ThreadState::Stopped;
    run_next();
}

void poke(Thread& thread) {
    if (thread.state == ThreadState::Running && thread.cpu != here_index()) smp::interrupt_and_wait(thread.cpu);
}

void stop(Thread& thread) {
    kernel_lock::assert_held();
    switch (thread.state) {
        case ThreadState::Ready:
            per_cpu[thread.cpu].run_queues.remove(thread);
            thread.state = ThreadState::Stopped;
            break;
        case ThreadState::Blocked:
            // Its wait ends as interrupted; it stops before returning to user mode.
            thread.stop_pending = true;
            wake(thread, static_cast<base::i64>(Status::BadState));
            break;
        case ThreadState::Running:
            thread.stop_pending = true;  // at its next return to user mode: now, if it runs elsewhere
            poke(thread);
            break;
        default: break;
    }
}

void set_priority(Thread& thread, u32 priority) {
    kernel_lock::assert_held();
    if (priority >= kPriorityLevels) priority = kPriorityLevels - 1;
    if (thread.state == ThreadState::Ready) {
        ThreadRunQueues& queues = per_cpu[thread.cpu].run_queues;
        queues.remove(thread);
        thread.priority = priority;
        queues.push(thread);
        if (per_cpu[thread.cpu].running != nullptr && priority > per_cpu[thread.cpu].running->priority) kick(thread.cpu);
    } else {
        thread.priority = priority;
    }
    CpuScheduler& cpu = here();
    if (cpu.running != nullptr && cpu.run_queues.highest() > static_cast<int>(cpu.running->priority)) cpu.reschedule = true;
}

void set_affinity(Thread& thread, u32 mask) {
    kernel_lock::assert_held();
    if (mask == 0) return;
    thread.affinity = mask;
    if (allowed_on(thread, thread.cpu)) return;
    switch (thread.state) {
        case ThreadState::Ready:
            per_cpu[thread.cpu].run_queues.remove(thread);
            make_ready(thread);  // onto a CPU it may use
            break;
        case ThreadState::Running:
            if (thread.cpu == here_index()) {
                here().reschedule = true;
            } else {
                poke(thread);
            }
            break;
        default: break;  // Blocked or Stopped: it goes where it may when made ready
    }
}

bool tick_without_lock() {
    CpuScheduler& cpu = here();
    if (!cpu.started) return true;
    trace::record(trace::Event::Tick, cpu.running == cpu.idle_thread ? 1 : 0);
    if (__atomic_load_n(&earliest_deadline, __ATOMIC_RELAXED) <= arch::monotonic_ns()) return false;
    if (!cpu.run_queues.empty()) return false;  // threads wait here: their turn, or an idle CPU for them
    if (cpu.running == cpu.idle_thread) {
        // The idle loop looks again (under the lock) only when there is something to take.
        if (any_thread_queued_hint() || objects_waiting_for_reaper()) reschedule_interrupt_here();
        return true;
    }
    if (cpu.slice_left > 0) --cpu.slice_left;  // nobody here to hand the CPU to when it ends
    return true;
}

void tick() {
    kernel_lock::assert_held();
    const u64 now = arch::monotonic_ns();
    // Bound: each pass removes one expired thread from the list.
    while (Thread* first = timeouts.front()) {
        if (first->deadline > now) break;
        wake(*first, static_cast<base::i64>(Status::Timeout));
    }
    CpuScheduler& cpu = here();
    if (cpu.running == cpu.idle_thread) {
        cpu.reschedule = true;  // the idle loop looks at the queues (its own, and others' to steal)
        return;
    }
    if (cpu.slice_left > 0) --cpu.slice_left;
    if (cpu.slice_left == 0 && cpu.run_queues.highest() >= static_cast<int>(cpu.running->priority)) cpu.reschedule = true;
    // Threads wait here while another CPU may be idle: ask it to steal one now.
    if (Thread* waiting = cpu.run_queues.peek_highest()) kick_an_idle_cpu_for(*waiting, here_index());
}

bool reschedule_requested() { return __atomic_load_n(&here().reschedule, __ATOMIC_RELAXED); }

void reschedule_if_requested() {
    kernel_lock::assert_held();
    CpuScheduler& cpu = here();
    if (!__atomic_load_n(&cpu.reschedule, __ATOMIC_RELAXED)) return;
    cpu.reschedule = false;
    yield();
}

void reschedule_interrupt_here() { __atomic_store_n(&here().reschedule, true, __ATOMIC_RELAXED); }

u64 context_switches() { return switches; }

bool cpu_may_hold(unsigned index, u64 root) { return index < arch::kMaxCpus && per_cpu[index].active_root == root; }

void load_address_space(u64 root) {
    arch::user_page_table_activate(root);
    here().active_root = root;
}

void address_space_destroyed(u64 root) {
    CpuScheduler& cpu = here();
    if (cpu.active_root != root) return;
    arch::user_page_table_activate(0);
    cpu.active_root = 0;
}

}  // namespace kernel::sched
