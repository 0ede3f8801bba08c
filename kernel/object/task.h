// Task: a protection domain — a capability table, a Reticle, and its threads. task_start runs
// the first thread; thread_create adds more (at most abi::kTaskThreadMax at once), each
// scheduled on any CPU its affinity allows. A thread's slot in the thread table outlives the
// thread until it is joined (its exit value is kept there) or, if detached, until it ends.
// Faults of its threads go as a FaultReport message to its supervisor's fault Ring when it has
// one (the faulting thread stops; the supervisor kills or resumes the Task), else the Task is
// killed. task_exit, kills and the last thread's thread_exit are reported the same way. Threads
// hold a reference to their Task, so a Task lives while any of its threads does, even with no
// capability left to it; its capabilities go with its last thread.
#pragma once

#include "abi/abi.h"
#include "arch/user_mode.h"
#include "base/string_view.h"
#include "kernel/capability/capability_table.h"
#include "kernel/object/object.h"
#include "kernel/object/thread_table.h"
#include "kernel/sched/thread.h"

namespace kernel {

class Bundle;
class Reticle;
class Ring;

class Task final : public Object {
public:
    static constexpr base::u32 kTableSlots = vectra::abi::kTaskCapabilitySlots;

    static StatusOr<Task*> create(Bundle& grant, Reticle& reticle, base::StringView name);

    CapabilityTable& table() { return table_; }
    Reticle& reticle() { return *reticle_; }
    Bundle& grant() { return *paid_by_; }
    const char* name() const { return name_; }
    bool started() const { return started_; }
    bool dead() const { return dead_; }
    // Every thread ended (killed or exited) and left the CPU.
    bool finished() const { return dead_ && live_threads_ == 0; }
    base::u32 live_threads() const { return live_threads_; }
    // The last report made about this Task (for tests and supervisors without a Ring).
    const vectra::abi::FaultReport& last_report() const { return last_report_; }

    // Starts the main thread at `pc` with `stack_pointer` and `argument` (rdi / x0).
    vectra::abi::Status start(base::u64 pc, base::u64 stack_pointer, base::u64 argument);
    // Another thread of a started, living Task, at `pc` with `stack_pointer` and `argument`:
    // its id, or TableFull (kTaskThreadMax live or unjoined), OutOfMemory (the grant), BadState.
    StatusOr<vectra::abi::ThreadId> create_thread(base::u64 pc, base::u64 stack_pointer, base::u64 argument);
    // The running thread (of this Task) ends at its return to user mode with `value` for its
    // joiner; the last thread's ending is the Task's (reported as Exited with `value`).
    void exit_thread(Thread& self, base::u64 value);
    // Waits until thread `id` ends, then writes its exit value to `value_address` (0: nowhere)
    // and frees its slot. NotFound (no such thread, or joined), InvalidArgument (the caller
    // itself, or detached), BadAddress, Timeout / WouldBlock.
    vectra::abi::Status join_thread(Thread& self, vectra::abi::ThreadId id, base::u64 value_address, base::u64 deadline);
    // Thread `id`'s slot is freed when it ends (at once if it has); nobody may join it.
    vectra::abi::Status detach_thread(vectra::abi::ThreadId id);
    vectra::abi::ThreadId thread_id(const Thread& thread) const;
    // The living thread `id` names, or null.
    Thread* find_thread(vectra::abi::ThreadId id);
    vectra::abi::Status stop();
    vectra::abi::Status resume();
    void set_priority(base::u32 priority);
    // The CPUs its threads may run on (bit i: CPU i); they move at once.
    void set_affinity(base::u32 mask);
    // The Ring end the kernel reports this Task's faults and ending through (retained).
    void set_fault_ring(Ring* ring);
    // Ends every thread; reports `kind` (Killed or Exited with `status`) to the fault Ring.
    void kill(vectra::abi::FaultKind kind, base::u64 status);
    // A thread of this Task faulted in user mode (called on that thread).
    void thread_faulted(Thread& thread, const arch::UserFault& fault, base::u64 pc);
    // The running thread of this Task leaves (kill or exit); never returns.
    [[noreturn]] void exit_current_thread();

protected:
    void destroy() override;

private:
    Task(base::Span<Capability> slots) : Object(vectra::abi::ObjectKind::Task), table_(slots) {}
    void report(vectra::abi::FaultKind kind, base::u64 pc, base::u64 address, base::u64 status, vectra::abi::ThreadId thread = 0);
    static void thread_entry(void* thread);
    struct ThreadSlot;
    // A new thread in a free slot (Ready at once); its slot index.
    StatusOr<base::u32> spawn(base::u64 pc, base::u64 stack_pointer, base::u64 argument);
    // Bookkeeping when `thread` ends, by exit or kill: its slot, the joiners, the count.
    void thread_ended(Thread& thread);
    // Clears slot `index` and frees it (its id goes stale).
    void free_slot(base::u32 index);
    // The Task has no thread left: its capabilities are deleted.
    void last_thread_gone();

    CapabilityTable table_;
    Reticle* reticle_ = nullptr;
    Bundle* paid_by_ = nullptr;
    Ring* fault_ring_ = nullptr;
    // A thread table entry: in use from thread creation until joined (or, detached, ended).
    struct ThreadSlot {
        Thread* thread = nullptr;  // the living thread (null once it ended)
        base::u64 exit_value = 0;
        bool detached = false;
        WaitQueue joiners;
    };
    ThreadTable<ThreadSlot, vectra::abi::kTaskThreadMax> threads_;
    base::u32 live_threads_ = 0;
    base::u32 priority_ = vectra::abi::kPriorityDefault;
    base::u32 affinity_ = ~base::u32(0);
    bool started_ = false;
    bool dead_ = false;  // exited or killed: no thread, an empty table, nothing more given
    bool reported_end_ = false;
    char name_[vectra::abi::kTaskNameMax] = {};
    vectra::abi::FaultReport last_report_{};
};

// The Task of the running thread (null for kernel threads).
Task* current_task();

}  // namespace kernel
