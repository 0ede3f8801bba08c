// Several CPUs: what the architecture offers the kernel (kernel/smp/ decides what each runs).
//
// Each CPU has one CpuLocal (kernel/smp/cpu_local.h), reached through a register the CPU keeps
// for itself (x86_64: the kernel GS base, swapped in with swapgs on every entry from user mode;
// aarch64: TPIDR_EL1). It is set once per CPU, before that CPU takes an interrupt.
#pragma once

#include "base/types.h"

namespace kernel {
struct CpuLocal;
// Where a started CPU goes once its own tables, stacks, interrupt controller interface and
// timer are ready (interrupts still off): never returns.
[[noreturn]] void secondary_cpu_main(unsigned index);
// The reschedule IPI's handler (interrupt context).
void reschedule_interrupt();
}  // namespace kernel

namespace arch {

inline constexpr unsigned kMaxCpus = 16;

// Starts CPU `index` (1 .. BootInfo::cpu_count - 1; `hardware_id` is its BootInfo::cpu_ids
// entry): it runs on [stack_bottom, stack_top) with `local` as its CpuLocal, sets up what is
// its own (descriptor tables or vectors, interrupt controller interface), then calls
// kernel::secondary_cpu_main with interrupts off. False when the platform refuses at once (the
// caller reports it); true does not mean it came up — the caller waits for secondary_cpu_main
// to say so, with a deadline.
bool start_cpu(unsigned index, base::u64 hardware_id, base::uptr stack_top, base::uptr stack_bottom, kernel::CpuLocal* local);

// This CPU's CpuLocal.
void set_cpu_local(kernel::CpuLocal* local);
kernel::CpuLocal* cpu_local();

// Interrupts CPU `index` so that it calls kernel::reschedule_interrupt() (in interrupt
// context, on that CPU) once it has interrupts on.
void send_reschedule(unsigned index);

// --- Spinning for a word another CPU will store to (the kernel lock's word). Waits a little
// while `*word` still holds `seen` and returns its value then (acquire); the caller loops, and
// may be woken early. x86_64: one `pause`. aarch64: a `wfe` armed by a load-exclusive of the
// word, so the store that changes it, a spin_wake_others, an interrupt or the timer's event
// stream (configure_this_cpu, every ~65 us) ends the wait.
base::u32 spin_wait_while_equal(const base::u32* word, base::u32 seen);
// Ends every other CPU's spin_wait_while_equal once the stores so far are visible (aarch64
// `dsb ish; sev`; x86_64 nothing, its wait being one `pause`). For a request to CPUs that may
// be spinning which is stored elsewhere than the word they watch (the shootdown's ask).
void spin_wake_others();

// A CPU spinning for the kernel lock may sleep until the holder lets it go: on a host with
// fewer cores than virtual CPUs, a spinning vCPU takes host time from the holder.
// Sleeps, interrupts staying masked, until an interrupt is pending (a lock wake, the reschedule
// IPI that asks for a shootdown, this CPU's tick); false at once where it cannot. aarch64: `wfi`,
// which wakes on a pending interrupt even while masked, outside interrupt handlers only (inside
// one, an interrupt of the same priority would not wake it); a lock wake left pending is
// dropped after. x86_64: always false (`hlt` with interrupts off wakes for nothing but an NMI).
bool sleep_while_spinning();
// Wakes CPU `index` from sleep_while_spinning (aarch64: SGI 2, whose handler does nothing).
void send_lock_wake(unsigned index);

// Drops every user-half translation this CPU's TLB holds (what a shootdown asks of a CPU).
void tlb_flush_user_all();

}  // namespace arch
