// Tasks (see task.h).
#include "kernel/object/task.h"
#include "kernel/smp/kernel_lock.h"

#include "kernel/core/log.h"
#include "kernel/object/bundle.h"
#include "kernel/object/object_memory.h"
#include "kernel/object/reticle.h"
#include "kernel/object/ring.h"
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
    kernel_lock::release();  // switched to by a CPU that holds it; user mode runs without
    arch::enter_user_mode(thread->user_frame);
}

Status Task::start(base::u64 pc, base::u64 stack_pointer, base::u64 argument) {
    if (started_ || dead_) return Status::BadState;
    // Threads' kernel stacks and records come from the frame allocator; charge the grant for them.
    if (!paid_by_->charge(kThreadPages)) return Status::OutOfMemory;
    auto created = sched::create_thread(&Task::thread_entry, nullptr, priority_);
    if (created.is_error()) {
        paid_by_->refund(kThreadPages);
        return Status::OutOfMemory;
    }
    Thread* thread = created.value();
    thread->affinity = affinity_;
    thread->saved_stack_pointer = arch::prepare_kernel_stack(reinterpret_cast<base::uptr>(thread->user_frame),
                                                             &Task::thread_entry, thread);
    arch::user_frame_init(*thread->user_frame, pc, stack_pointer, argument);
    thread->task = this;
    thread->address_space_root = reticle_->root();
    retain();  // the thread's reference
    main_thread_ = thread;
    started_ = true;
    sched::make_ready(*thread);
    return Status::Ok;
}

Status Task::stop() {
    if (main_thread_ == nullptr) return Status::BadState;
    sched::stop(*main_thread_);
    return Status::Ok;
}

Status Task::resume() {
    if (main_thread_ == nullptr) return Status::BadState;
    main_thread_->stop_pending = false;
    if (main_thread_->state == ThreadState::Stopped) sched::make_ready(*main_thread_);
    return Status::Ok;
}

void Task::set_priority(base::u32 priority) {
    priority_ = priority < abi::kPriorityLevels ? priority : abi::kPriorityLevels - 1;
    if (main_thread_ != nullptr) sched::set_priority(*main_thread_, priority_);
}

void Task::set_affinity(base::u32 mask) {
    affinity_ = mask;
    if (main_thread_ != nullptr) sched::set_affinity(*main_thread_, mask);
}

void Task::set_fault_ring(Ring* ring) {
    if (ring != nullptr) ring->retain();
    if (fault_ring_ != nullptr) fault_ring_->release();
    fault_ring_ = ring;
}

void Task::report(abi::FaultKind kind, base::u64 pc, base::u64 address, base::u64 status) {
    if (reported_end_ && kind != abi::FaultKind::Exited && kind != abi::FaultKind::Killed) return;
    abi::FaultReport report{};
    report.kind = static_cast<base::u32>(kind);
    report.task_id = static_cast<base::u32>(id());
    for (base::u32 i = 0; i < abi::kTaskNameMax; ++i) report.task_name[i] = name_[i];
    report.pc = pc;
    report.address = address;
    report.status = status;
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
    Thread* thread = main_thread_;
    if (thread == nullptr) {
        last_thread_gone();  // never started, or its thread already left
        return;
    }
    thread->kill_pending = true;
    switch (thread->state) {
        case ThreadState::Blocked: sched::wake(*thread, static_cast<base::i64>(Status::BadState)); break;
        case ThreadState::Ready:
        case ThreadState::Stopped:
            if (thread->state == ThreadState::Ready) sched::stop(*thread);
            main_thread_ = nullptr;
            thread->state = ThreadState::Dead;
            sched::destroy_thread(*thread);
            paid_by_->refund(kThreadPages);
            last_thread_gone();
            release();  // the thread's reference
            break;
        default: sched::poke(*thread); break;  // Running: it leaves at its next return to user mode
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
        report(kind, pc, fault.address, fault.code);
        reported_end_ = true;
        log("task {}: {} at {:#x}, pc {:#x}: killed (no supervisor)", name_, static_cast<base::u32>(kind), fault.address, pc);
        kill(abi::FaultKind::Killed, 0);
        return;
    }
    report(kind, pc, fault.address, fault.code);
    thread.stop_pending = true;  // stops before returning to user mode; the supervisor decides
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
    if (main_thread_ == &self) main_thread_ = nullptr;
    self.task = nullptr;
    paid_by_->refund(kThreadPages);
    if (main_thread_ == nullptr) last_thread_gone();
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
