// Task: a protection domain — a capability table, a Reticle, and its threads (one for now:
// task_start runs the main thread; more threads per Task come with SMP). Faults of its threads
// go as a FaultReport message to its supervisor's fault Ring when it has one (the thread stops;
// the supervisor kills or resumes it), else the Task is killed. task_exit and kills are
// reported the same way. Threads hold a reference to their Task, so a Task lives while any of
// its threads does, even with no capability left to it.
#pragma once

#include "abi/abi.h"
#include "arch/user_mode.h"
#include "base/string_view.h"
#include "kernel/capability/capability_table.h"
#include "kernel/object/object.h"
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
    // The thread ended (killed or exited) and left the CPU.
    bool finished() const { return dead_ && main_thread_ == nullptr; }
    // The last report made about this Task (for tests and supervisors without a Ring).
    const vectra::abi::FaultReport& last_report() const { return last_report_; }

    // Starts the main thread at `pc` with `stack_pointer` and `argument` (rdi / x0).
    vectra::abi::Status start(base::u64 pc, base::u64 stack_pointer, base::u64 argument);
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
    void report(vectra::abi::FaultKind kind, base::u64 pc, base::u64 address, base::u64 status);
    static void thread_entry(void* thread);
    // The Task has no thread left: its capabilities are deleted.
    void last_thread_gone();

    CapabilityTable table_;
    Reticle* reticle_ = nullptr;
    Bundle* paid_by_ = nullptr;
    Ring* fault_ring_ = nullptr;
    Thread* main_thread_ = nullptr;  // null before start and after the thread ended
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
