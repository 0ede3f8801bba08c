// The scheduler's flight recorder: each CPU keeps its last kTraceEvents events (a thread made
// ready, a kick sent or taken, a switch, the idle loop sleeping and waking, a wait for the
// kernel lock, ...) in a ring of its own, written by that CPU alone with interrupts off, so
// recording takes no lock. Nothing in the kernel reads it: the hang dump
// (host/qemu/hang_dump.py) prints its last events, merged by time, to say what led up to a hang;
// gdb can read all of it after a stall (it found the lock convoy kernel_lock.cpp describes).
#pragma once

#include "base/types.h"

namespace kernel::trace {

enum class Event : base::u32 {
    None = 0,
    MadeReady,        // a: thread id, b: the CPU whose queue it joined
    KickSent,         // a: the CPU kicked
    KickTaken,        // a reschedule interrupt came in
    Switch,           // a: thread left, b: thread now running
    Blocked,          // a: thread id, b: deadline (0: none)
    Woken,            // a: thread id, b: status
    IdleSleep,        // the idle loop waits for an interrupt
    IdleWake,         // ... and looks at the queues again
    Tick,             // a: 1 when this CPU was idle
    Stolen,           // a: thread id, b: the CPU it was taken from
    LockWaited,       // a: nanoseconds this CPU waited for the kernel lock
    Syscall,          // a: thread id, b: the syscall's number (those that take the kernel lock)
};

inline constexpr unsigned kTraceEvents = 1024;  // per CPU, a power of two

// Which events carry a time. Those on the hot paths (a syscall, a switch, a block, a wake, a
// thread made ready or stolen) do not: reading the clock costs more than the rest of a record
// (a helper call under TCG; -icount measured a Ring round trip at 2,612 instructions with every
// event timed, 1,604 with none, 1,486 without the recorder). The dump places an untimed event
// at the time of the last timed one before it on its CPU (the ring is in order).
constexpr bool is_timed(Event event) {
    switch (event) {
        case Event::KickSent: case Event::KickTaken: case Event::IdleSleep: case Event::IdleWake:
        case Event::Tick: case Event::LockWaited: return true;
        default: return false;
    }
}

struct TraceEvent {
    base::u64 time;  // arch::monotonic_ns() when is_timed(event), else 0
    base::u64 a;
    base::u64 b;
    Event event;
    base::u32 sequence;  // this CPU's count of events, to order a ring that wrapped
};

// Records one event on this CPU's ring. Interrupts must be off (they are, in the kernel).
void record(Event event, base::u64 a = 0, base::u64 b = 0);

}  // namespace kernel::trace
