// A Thread: what the scheduler runs. Each has its own guarded kernel stack (its user registers
// sit in a UserFrame at the stack's top while it is in the kernel), its FP/SIMD state, a
// priority, and when blocked the queue it waits on and an optional deadline. User threads
// belong to a Task; kernel threads (the idle thread) belong to none.
//
// Invariants (under the kernel lock, interrupts off in the kernel):
//   - state Ready    <=> on exactly one run queue (queue_link), not current.
//   - state Running  <=> it is sched::current() on CPU `cpu`.
//   - state Blocked  <=> on the WaitQueue `waiting_on` (queue_link), and on the timeout list
//                        (timeout_link) iff deadline != kNoDeadline.
//   - state Stopped  : on no queue; task_resume makes it Ready.
//   - state Dead     : on no queue; its stack is reclaimed once another thread runs.
#pragma once

#include "arch/user_mode.h"
#include "base/intrusive_list.h"
#include "base/types.h"
#include "kernel/mm/kernel_address_space.h"

namespace kernel {

class Task;
struct WaitQueue;
struct DirectReceive;

enum class ThreadState : base::u8 { Ready, Running, Blocked, Stopped, Dead };

inline constexpr base::u64 kNoDeadline = ~base::u64(0);

struct Thread {
    base::IntrusiveListNode queue_link;    // a run queue or a wait queue
    base::IntrusiveListNode timeout_link;  // the timeout list while blocked with a deadline
    base::uptr saved_stack_pointer = 0;    // while switched out
    mm::KernelStack stack{};
    Task* task = nullptr;                  // null for kernel threads
    base::u64 address_space_root = 0;      // the Task's Reticle root (0: kernel only)
    arch::UserFrame* user_frame = nullptr; // top of the stack, for user threads
    base::u64 deadline = kNoDeadline;      // monotonic ns
    WaitQueue* waiting_on = nullptr;
    base::i64 wake_status = 0;             // what the waker (or the timeout) reports: an abi::Status
    base::u64 wake_value = 0;              // a value the waker hands over (signal bits)
    base::u64 wait_argument = 0;           // what the thread waits for (signal bits, a futex's physical address)
    DirectReceive* direct_receive = nullptr; // blocked receiving on a Ring: where a caller may deliver (ring.cpp)
    base::u32 priority = 0;
    base::u32 id = 0;
    base::u32 task_slot = 0;               // its slot in its Task's thread table
    base::u32 cpu = 0;                     // the CPU it runs on, or whose run queue it is on, or ran on last
    base::u32 affinity = ~base::u32(0);    // bit i: it may run on CPU i
    ThreadState state = ThreadState::Stopped;
    bool kill_pending = false;             // leave instead of returning to user mode
    bool stop_pending = false;             // stop before returning to user mode
    base::u64 user_thread_pointer = 0;     // FS base / TPIDR_EL0 while switched out (arch/user_mode.h)
    arch::FpuState fpu;
};

// A queue of blocked threads, FIFO. Only the scheduler links and unlinks (block_current, wake).
struct WaitQueue {
    bool empty() const { return threads.empty(); }
    Thread* front() const { return threads.front(); }

    base::IntrusiveList<Thread, &Thread::queue_link> threads;
};

}  // namespace kernel
