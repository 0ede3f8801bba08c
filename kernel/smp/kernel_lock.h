// The kernel lock: one lock over all kernel state, as seL4's SMP kernel has. A CPU takes it on
// its way into the kernel (a syscall, a fault or interrupt from user mode, an interrupt of its
// idle loop) and gives it up on its way back to user mode or into the idle wait. Kernel paths
// are short, bounded and run with interrupts off, so it is held briefly; a context switch
// happens with it held — it belongs to the CPU, not to a thread — so a thread made ready by one
// CPU is never seen half switched out by another.
//
// Order: it is the only kernel lock; nothing is taken inside it. Interrupts are off whenever
// it is held (checked). What needs no lock: per-CPU data touched only by its own CPU with
// interrupts off, and the reschedule IPI, which only sets this CPU's flag.
#pragma once

namespace kernel::kernel_lock {

// Spins (interrupts off) until this CPU holds it. Panics if this CPU holds it already.
void acquire();
// Panics unless this CPU holds it.
void release();
bool held_here();

// Takes the lock for a scope unless this CPU holds it already (interrupt hooks that run both
// from user mode and from the idle loop).
class Scope {
public:
    Scope() : took_(!held_here()) {
        if (took_) acquire();
    }
    ~Scope() {
        if (took_) release();
    }
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

private:
    bool took_;
};

}  // namespace kernel::kernel_lock
