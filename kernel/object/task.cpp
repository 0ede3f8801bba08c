// Tasks (see task.h).
#include "kernel/object/task.h"
#include "kernel/smp/kernel_lock.h"

#include "kernel/core/log.h"
#include "kernel/object/bundle.h"
#include "kernel/object/object_memory.h"
#include "kernel/object/reticle.h"
#include "kernel/object/ring.h"
#include "kernel/mm/user_range.h"
#include "kernel/sched/scheduler.h"

namespace kernel {

namespace abi = vectra::abi;
using abi::Status;

namespace {

constexpr base::u64 kSlotPages = (Task::kTableSlots * sizeof(Capability) + layout::kPageSize - 1) / layout::kPageSize;
// What a thread costs its Task's grant: its record and its kernel stack.
constexpr base::u64 kThreadPages = 1 + layout::kKernelStackSize / layout::kPageSize;

}  // namespace

Task* current_task() {
    Thread* thread = sched::current();
    return thread == nullptr ? nullptr : thread->task;
}

StatusOr<Task*> Task::create(Bundle& grant, Reticle& reticle, base::StringView name) {
    void* slot_memory = TRY(allocate_object_pages(&grant, kSlotPages));
    auto memory = allocate_object_pages(&grant, pages_for<Task>());
    if (memory.is_error()) {
        free_object_pages(&grant, slot_memory, kSlotPages);
        return memory.error();
    }
    auto* task = new (memory.value()) Task(CapabilityTable::construct_slots(slot_memory, kTableSlots));
    task->reticle_ = &reticle;
    reticle.retain();
    task->paid_by_ = &grant;
    grant.retain();
    for (base::usize i = 0; i < name.size() && i + 1 < abi::kTaskNameMax; ++i) {
        const char c = name[i];
        task->name_[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return task;
}

void Task::thread_entry(void* argument) {
    auto* thread = static_cast<Thread*>(argument);
    // Switched to by a CPU that holds the kernel lock. Its first way to user mode passes the same
    // gate as every other: a thread killed before it ever ran leaves, a stop asked meanwhile
    // stops it, a reschedule asked is taken; then the lock is given up. (One stopped before it
    // ran is on no run queue, so it gets here only once resumed.)
    before_user_return(*thread->user_frame);
    arch::enter_user_mode(thread->user_frame);
}

Status Task::start(base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    if (started_ || dead_) return Status::BadState;
    auto slot = spawn(pc, stack_pointer, argument);
    if (slot.is_error()) return slot.error();
    started_ = true;
    return Status::Ok;
}

StatusOr<abi::ThreadId> Task::create_thread(base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    if (!started_ || dead_) return Status::BadState;
    const base::u32 index = TRY(spawn(pc, stack_pointer, argument));
    return threads_.id_of(index);
}

StatusOr<base::u32> Task::spawn(base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    const base::Optional<base::u32> taken = threads_.take();
    if (!taken.has_value()) return Status::TableFull;
    const base::u32 index = *taken;
    // Threads' kernel stacks and records come from the frame allocator; charge the grant for them.
    if (!paid_by_->charge(kThreadPages)) {
        threads_.release(index);
        return Status::OutOfMemory;
    }
    auto created = sched::create_thread(&Task::thread_entry, nullptr, priority_);
    if (created.is_error()) {
        paid_by_->refund(kThreadPages);
        threads_.release(index);
        return Status::OutOfMemory;
    }
    Thread* thread = created.value();
    thread->affinity = affinity_;
    thread->saved_stack_pointer = arch::prepare_kernel_stack(reinterpret_cast<base::uptr>(thread->user_frame),
                                                             &Task::thread_entry, thread);
    arch::user_frame_init(*thread->user_frame, pc, stack_pointer, argument);
    thread->task = this;
    thread->task_slot = index;
    thread->address_space_root = reticle_->root();
    retain();  // the thread's reference
    ThreadSlot& slot = threads_[index];
    slot.detached = false;
    slot.exit_value = 0;
    slot.thread = thread;
    ++live_threads_;
    sched::make_ready(*thread);
    return index;
}

abi::ThreadId Task::thread_id(const Thread& thread) const { return threads_.id_of(thread.task_slot); }

Thread* Task::find_thread(abi::ThreadId id) {
    ThreadSlot* slot = threads_.find(id);
    return slot == nullptr ? nullptr : slot->thread;
}

void Task::free_slot(base::u32 index) {
    ThreadSlot& slot = threads_[index];
    slot.thread = nullptr;
    slot.detached = false;
    slot.exit_value = 0;
    threads_.release(index);
}

void Task::thread_ended(Thread& thread) {
    ThreadSlot& slot = threads_[thread.task_slot];
    const base::u64 exit_value = slot.exit_value;  // a detached slot is cleared below
    const abi::ThreadId id = thread_id(thread);
    slot.thread = nullptr;
    // Joiners of a killed Task were killed with it; those of a thread_exit learn it now.
    sched::wake_all(slot.joiners, static_cast<base::i64>(Status::Ok));
    if (slot.detached) free_slot(thread.task_slot);
    thread.task = nullptr;
    paid_by_->refund(kThreadPages);
    if (--live_threads_ == 0) {
        if (!reported_end_) {  // the last thread left by thread_exit: the Task exited
            report(abi::FaultKind::Exited, 0, 0, exit_value, id);
            reported_end_ = true;
        }
        last_thread_gone();
    }
}

void Task::exit_thread(Thread& self, base::u64 value) {
    threads_[self.task_slot].exit_value = value;
    self.kill_pending = true;  // it leaves on its way back to user mode
}

Status Task::join_thread(Thread& self, abi::ThreadId id, base::u64 value_address, base::u64 deadline) {
    ThreadSlot* slot = threads_.find(id);
    if (slot == nullptr) return Status::NotFound;
    if (slot == &threads_[self.task_slot] || slot->detached) return Status::InvalidArgument;
    if (value_address != 0 && !user_range_valid(value_address, sizeof(base::u64))) return Status::BadAddress;
    // Bound: each pass blocks until the slot's thread ends, or gives up.
    while (slot->thread != nullptr) {
        if (deadline == 0) return Status::WouldBlock;
        const auto woken = static_cast<Status>(sched::block_current(slot->joiners, deadline));
        if (woken != Status::Ok) return woken;
        slot = threads_.find(id);  // another joiner, or a detach, may have freed it meanwhile
        if (slot == nullptr) return Status::NotFound;
        if (slot->detached) return Status::InvalidArgument;
    }
    if (value_address != 0 && !arch::copy_to_user(value_address, &slot->exit_value, sizeof slot->exit_value))
        return Status::BadAddress;  // the slot stays: joining again with a good address works
    free_slot(abi::thread_slot(id));
    return Status::Ok;
}

Status Task::detach_thread(abi::ThreadId id) {
    ThreadSlot* slot = threads_.find(id);
    if (slot == nullptr) return Status::NotFound;
    if (slot->detached) return Status::InvalidArgument;
    if (slot->thread == nullptr) {
        free_slot(abi::thread_slot(id));
        return Status::Ok;
    }
    slot->detached = true;
    sched::wake_all(slot->joiners, static_cast<base::i64>(Status::InvalidArgument));
    return Status::Ok;
}

Status Task::stop() {
    // A dying Task's threads are on their way out: stopping one would keep it (and the Task's
    // capabilities) for ever.
    if (dead_ || live_threads_ == 0) return Status::BadState;
    for (ThreadSlot& slot : threads_)
        if (slot.thread != nullptr) sched::stop(*slot.thread);
    return Status::Ok;
}

Status Task::resume() {
    if (dead_ || live_threads_ == 0) return Status::BadState;
    for (ThreadSlot& slot : threads_) {
        Thread* thread = slot.thread;
        if (thread == nullptr) continue;
        thread->stop_pending = false;
        if (thread->state == ThreadState::Stopped) sched::make_ready(*thread);
    }
    return Status::Ok;
}

void Task::set_priority(base::u32 priority) {
    priority_ = priority < abi::kPriorityLevels ? priority : abi::kPriorityLevels - 1;
    if (dead_) return;  // its threads keep the top priority they were given to leave
    for (ThreadSlot& slot : threads_)
        if (slot.thread != nullptr) sched::set_priority(*slot.thread, priority_);
}

void Task::set_affinity(base::u32 mask) {
    affinity_ = mask;
    for (ThreadSlot& slot : threads_)
        if (slot.thread != nullptr) sched::set_affinity(*slot.thread, mask);
}

void Task::set_fault_ring(Ring* ring) {
    if (ring != nullptr) ring->retain();
    if (fault_ring_ != nullptr) fault_ring_->release();
    fault_ring_ = ring;
}

void Task::report(abi::FaultKind kind, base::u64 pc, base::u64 address, base::u64 status, abi::ThreadId thread) {
    if (reported_end_ && kind != abi::FaultKind::Exited && kind != abi::FaultKind::Killed) return;
    abi::FaultReport report{};
    report.kind = static_cast<base::u32>(kind);
    report.task_id = static_cast<base::u32>(id());
    for (base::u32 i = 0; i < abi::kTaskNameMax; ++i) report.task_name[i] = name_[i];
    report.pc = pc;
    report.address = address;
    report.status = status;
    report.thread_id = thread;
    last_report_ = report;
    if (fault_ring_ != nullptr) {
        // Never blocks: a supervisor that lets its fault Ring fill loses reports, not the kernel.
        (void)fault_ring_->send(reinterpret_cast<const base::u8*>(&report), sizeof report, {}, table_, 0);
    }
}

void Task::kill(abi::FaultKind kind, base::u64 status) {
    if (dead_) return;
    dead_ = true;
    if (!reported_end_) {
        report(kind, 0, 0, status);
        reported_end_ = true;
    }
    if (live_threads_ == 0) {
        last_thread_gone();  // never started, or its threads already left
        return;
    }
    // Bound: the thread table. Every thread leaves by its own way out to user mode, never
    // from the middle of the kernel: a thread switched out inside a syscall (a Ring call that
    // handed its CPU to the server) holds references on its stack that only finishing the
    // syscall gives back. So blocked threads are woken (their wait ends as interrupted, and
    // kill_pending refuses any new one), stopped ones made ready, running ones on other CPUs
    // poked out of user mode (the caller leaves on its own way out); each is raised to the
    // top priority, so that a dying Task's threads cannot be starved of the CPU they need to
    // end, and its capabilities go without delay.
    for (ThreadSlot& slot : threads_) {
        Thread* thread = slot.thread;
        if (thread == nullptr) continue;
        thread->kill_pending = true;
        thread->stop_pending = false;
        sched::set_priority(*thread, abi::kPriorityLevels - 1);
        switch (thread->state) {
            case ThreadState::Blocked: sched::wake(*thread, static_cast<base::i64>(Status::BadState)); break;
            case ThreadState::Stopped: sched::make_ready(*thread); break;
            case ThreadState::Running: sched::poke(*thread); break;
            default: break;  // Ready: it leaves when it next runs
        }
    }
}

void Task::thread_faulted(Thread& thread, const arch::UserFault& fault, base::u64 pc) {
    using Kind = arch::UserFaultKind;
    abi::FaultKind kind = abi::FaultKind::Other;
    switch (fault.kind) {
        case Kind::PageRead: kind = abi::FaultKind::PageFaultRead; break;
        case Kind::PageWrite: kind = abi::FaultKind::PageFaultWrite; break;
        case Kind::PageExecute: kind = abi::FaultKind::PageFaultExecute; break;
        case Kind::IllegalInstruction: kind = abi::FaultKind::IllegalInstruction; break;
        case Kind::Breakpoint: kind = abi::FaultKind::Breakpoint; break;
        case Kind::Alignment: kind = abi::FaultKind::Alignment; break;
        case Kind::Arithmetic: kind = abi::FaultKind::Arithmetic; break;
        case Kind::Other: break;
    }
    if (fault_ring_ == nullptr) {
        report(kind, pc, fault.address, fault.code, thread_id(thread));
        reported_end_ = true;
        log("task {}: {} at {:#x}, pc {:#x}: killed (no supervisor)", name_, static_cast<base::u32>(kind), fault.address, pc);
        kill(abi::FaultKind::Killed, 0);
        return;
    }
    report(kind, pc, fault.address, fault.code, thread_id(thread));
    // The whole Task stops (the faulting thread before returning to user mode), as under a
    // debugger: the supervisor decides, killing or resuming it.
    thread.stop_pending = true;
    (void)stop();
}

void Task::last_thread_gone() {
    // Nothing can use the capabilities any more: they go now, as a process's files close when
    // it exits (Ring peers learn PeerClosed), not when the last capability to the Task goes.
    // Bound: the table's slots.
    dead_ = true;
    table_.clear_all();
}

void Task::exit_current_thread() {
    Thread& self = *sched::current();
    thread_ended(self);
    release();  // the thread's reference; the reaper may now destroy the Task
    sched::exit_current();
}

void Task::destroy() {
    // No thread is left (each held a reference). Deleting the table's capabilities may queue
    // more objects for the reaper.
    table_.clear_all();
    set_fault_ring(nullptr);
    Reticle* reticle = reticle_;
    Bundle* grant = paid_by_;
    void* slots = const_cast<Capability*>(&table_.slot(0));
    this->~Task();
    free_object_pages(grant, slots, kSlotPages);
    free_object_pages(grant, this, pages_for<Task>());
    reticle->release();
    grant->release();
}

}  // namespace kernel
