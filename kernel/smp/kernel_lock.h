// The kernel lock: one lock over all kernel state, as seL4's SMP kernel has. A CPU takes it on
// its way into the kernel (a syscall, a fault or interrupt from user mode, an interrupt of its
// idle loop) and gives it up on its way back to user mode or into the idle wait. Kernel paths
// are short, bounded and run with interrupts off, so it is held briefly; a context switch
// happens with it held — it belongs to the CPU, not to a thread — so a thread made ready by one
// CPU is never seen half switched out by another.
//
// Order: it is the outermost lock (lock_checks.h ranks every lock; docs/kernel.md lists them);
// only the frame allocator's is taken inside it. Interrupts are off whenever it is held, with
// one exception: the boot CPU's boot path, and the in-kernel tests it runs, hold it with
// interrupts on, so its ticks come in under it (allow_interrupts_while_held). Checked: taking it
// with interrupts on, twice, or releasing it unheld (always); and, with VECTRA_KERNEL_ASSERTS,
// any other hold with interrupts on (at release, at assert_held, and when an interrupt hook finds
// its CPU already holding it). What needs no lock: per-CPU data touched only by its own CPU with
// interrupts off, and the reschedule IPI, which only sets this CPU's flag and answers a
// shootdown.
#pragma once

namespace kernel::kernel_lock {

// Spins (interrupts off) until this CPU holds it. Panics if this CPU holds it already.
void acquire();
// Panics unless this CPU holds it.
void release();
bool held_here();
// Panics unless this CPU holds it (with interrupts off, unless allowed): at the entry of the
// functions that need it. `where` names the caller in the panic.
void assert_held(const char* where = __builtin_FUNCTION());
// The boot CPU holds it with interrupts on from kernel_main until it schedules (for good in
// kernel test mode): allowed while `allowed`, for this CPU only.
void allow_interrupts_while_held(bool allowed);
// An interrupt hook found this CPU already holding it (it interrupted a holder): panics unless
// that hold was allowed interrupts.
void check_interrupt_under_hold();

// For interrupt hooks, which run from user mode and from the idle loop (no lock held), and on
// the boot CPU's boot path (held, interrupts allowed): takes the lock for a scope unless this
// CPU holds it already.
class Scope {
public:
    Scope() : took_(!held_here()) {
        if (took_) {
            acquire();
        } else {
            check_interrupt_under_hold();
        }
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
