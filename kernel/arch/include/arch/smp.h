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

// Drops every user-half translation this CPU's TLB holds (what a shootdown asks of a CPU).
void tlb_flush_user_all();

}  // namespace arch
