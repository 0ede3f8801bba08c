// The scheduler: preemptive, priority-based, round robin within a priority, on every CPU.
// Run queues: one FIFO per priority (abi::kPriorityLevels) and a bitmap of the non-empty ones,
// so picking the next thread is a find-highest-bit. A thread's time slice is kSliceTicks timer
// ticks; a tick that ends it, or a wake-up of a higher-priority thread, asks for a reschedule,
// taken on the way back to user mode (the kernel itself is not preempted: it runs with
// interrupts off, and every loop in it is bounded).
//
// Blocking: block_current() puts the running thread on a WaitQueue (with an optional deadline)
// and switches away; wake() takes a blocked thread off its queue with a status. IPC uses
// switch_to() to run the thread it just woke at once, when that thread's priority is at least
// that of everything else ready ("direct switch").
//
// Several CPUs: each has its own run queues, running and idle thread (per_cpu in
// scheduler.cpp, indexed by this CPU's CpuLocal). A thread made ready goes to the CPU it last
// ran on (kicked by IPI when it outranks what runs there, or an idle CPU is kicked to steal it);
// a CPU with nothing of its own steals the best ready thread another CPU queued that its
// affinity allows. Everything here runs under the kernel lock (kernel/smp/kernel_lock.h).
#pragma once

#include "base/types.h"
#include "kernel/sched/thread.h"

namespace kernel::sched {

inline constexpr base::u32 kSliceTicks = 2;

// Sets up the idle thread and makes the caller's stack the boot context; call once.
void init();
// Runs the scheduler from the boot context forever (the boot context is never resumed).
[[noreturn]] void start();

Thread* current();

// A new thread, Stopped, running entry(argument) on its own kernel stack when first scheduled.
// Its memory is paid for by the caller (the stack's frames come from the frame allocator; the
// Task code charges the grant).
base::Result<Thread*> create_thread(void (*entry)(void*), void* argument, base::u32 priority);
// Frees a Dead thread that is not running (its stack is recycled).
void destroy_thread(Thread& thread);

void make_ready(Thread& thread);
// Blocks the running thread on `queue` until woken or `deadline` (monotonic ns, kNoDeadline for
// none) passes; returns the status the waker gave (abi::Status::Timeout for the deadline).
base::i64 block_current(WaitQueue& queue, base::u64 deadline);
// Takes `thread` off its wait queue and makes it Ready with `status`.
void wake(Thread& thread, base::i64 status);
// Wakes every thread on `queue` with `status`.
void wake_all(WaitQueue& queue, base::i64 status);
// Whether `thread` (Blocked) would run at once on this CPU if it were woken now: its affinity
// allows this CPU and nothing ready here outranks it.
bool would_run_first(const Thread& thread);
// IPC hand-off: wakes `thread` (Blocked; would_run_first) with status 0 and blocks the running
// thread on `queue` until woken or `deadline`, switching straight to `thread` without passing
// through the run queues. Returns the status the running thread's waker gave.
base::i64 block_current_and_run(WaitQueue& queue, base::u64 deadline, Thread& thread);
// The user half loaded now (0: none).
base::u64 loaded_address_space();
// Runs `thread` (Ready) now if nothing ready outranks it; the caller stays Ready. Returns
// when the caller is scheduled again.
void switch_to(Thread& thread);
// Gives up the CPU to the next thread of equal or higher priority, if any.
void yield();
// The running thread ends; never returns.
[[noreturn]] void exit_current();
// The running thread stops (task_stop, or a fault for its supervisor); returns when resumed.
void stop_current();
// Loads a user half directly (0: none), keeping the scheduler's record of what is loaded (tests).
void load_address_space(base::u64 root);
// A Reticle's root is about to be freed: stop using it if it is loaded.
void address_space_destroyed(base::u64 root);
// Stops a thread (Ready or Blocked: taken off its queue; Running: at its next return to user).
void stop(Thread& thread);
// A thread running on another CPU is interrupted there, to notice a kill or stop pending;
// returns once that CPU is out of user mode.
void poke(Thread& thread);
// Whether CPU `index` may hold translations of the user half `root` (it has it loaded).
bool cpu_may_hold(unsigned index, base::u64 root);
// The reschedule IPI arrived on this CPU (interrupt context, no lock): look at the queues at the
// next chance (return to user mode, or the idle loop).
void reschedule_interrupt_here();
void set_priority(Thread& thread, base::u32 priority);
// The CPUs `thread` may run on (bit i: CPU i, never empty); a thread queued or running on a CPU
// now refused moves at once (running: at its next return to user mode).
void set_affinity(Thread& thread, base::u32 mask);

// Called on every timer tick (interrupt context), without the kernel lock: does what needs no
// lock (a time slice ticking down with nobody queued behind it, an idle CPU with nothing to
// take) and returns true, or returns false when the tick needs tick() under the lock (a
// timeout is due, threads wait in this CPU's queue). Taking the lock on every tick of every
// CPU made the CPUs queue for it in turn: under a host that runs fewer virtual CPUs than the
// guest has, each hand-off waited for the host to schedule the next in line, for milliseconds.
bool tick_without_lock();
// The rest of the tick, under the kernel lock.
void tick();
bool reschedule_requested();
void reschedule_if_requested();

// Counters for tests and benchmarks.
base::u64 context_switches();

}  // namespace kernel::sched
