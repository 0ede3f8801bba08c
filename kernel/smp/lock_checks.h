// Lock classes: every kernel spinlock belongs to a class with a name and a rank, and a CPU takes
// locks in rising rank only, so two CPUs can never wait for each other in a cycle. With
// VECTRA_KERNEL_ASSERTS (on unless the build turns it off) each CPU keeps the classes it holds:
// taking a lock whose rank is not above every one it holds, or taking with interrupts on a lock
// that an interrupt handler may take too, is a panic naming both locks. The ranks are here, in
// one place; docs/kernel.md ("Locks") says what each lock guards.
#pragma once

#include "base/types.h"

#ifndef VECTRA_KERNEL_ASSERTS
#define VECTRA_KERNEL_ASSERTS 1
#endif

namespace kernel {

struct LockClass {
    const char* name;
    base::u8 rank;             // taken only while every lock this CPU holds ranks lower
    bool taken_in_interrupts;  // an interrupt handler may take it: so it is taken with interrupts off
};

namespace lock_classes {
// Outermost: taken on the way into the kernel, by syscalls, faults and interrupt hooks.
inline constexpr LockClass kernel_lock{"kernel lock", 10, true};
// Innermost: taken inside the kernel lock, or before it is first taken at boot; never in an
// interrupt handler.
inline constexpr LockClass frame_allocator{"frame allocator", 20, false};
}  // namespace lock_classes

namespace lock_checks {

inline constexpr bool kEnabled = VECTRA_KERNEL_ASSERTS != 0;

// Before spinning for a lock of `lock_class` on this CPU: panics if this CPU holds a lock of
// the same or a higher rank, or if interrupts are on and an interrupt handler may take it.
void acquiring(const LockClass& lock_class);
// Once this CPU holds it.
void acquired(const LockClass& lock_class);
// Before this CPU gives it up: panics unless this CPU holds a lock of that class.
void releasing(const LockClass& lock_class);
// How many locks this CPU holds (0 with the checks off).
unsigned held_count();

}  // namespace lock_checks
}  // namespace kernel
