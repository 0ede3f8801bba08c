// Bringing up the other CPUs (arch/smp.h starts each one; this decides what it runs).
//
// Today each secondary CPU, once up, marks itself online, turns interrupts on and idles, taking
// only the reschedule IPI (which counts itself in its CpuLocal): the scheduler still runs on
// the boot CPU alone (issue: SMP), so nothing else may reach a secondary CPU. Device interrupts
// are routed to the boot CPU, and secondary CPUs start no timer.
#pragma once

#include "kernel/boot/boot_info.h"
#include "kernel/smp/cpu_local.h"

namespace kernel::smp {

// The boot CPU's own CpuLocal, set before anything reads it.
void init_boot_cpu(const BootInfo& boot_info);
// Starts every other CPU the boot information lists, waiting a bounded time for each; a CPU
// that does not come up is named and the rest go on. Returns how many CPUs run (boot included).
unsigned start_secondary_cpus(const BootInfo& boot_info);
// How many CPUs are online (boot included).
unsigned online_count();
// How many CPUs the boot information listed (the bound on cpu(index)).
unsigned listed_count();

// TLB shootdown: every other CPU that may hold translations of the user half `root` drops its
// user TLB entries; returns once each has. Called under the kernel lock, after a mapping was
// removed or narrowed and before its frames can be reused. A CPU asked answers from the
// reschedule IPI, or while it spins for the kernel lock (it cannot take the IPI then).
void shootdown(base::u64 root);
// Does any shootdown asked of this CPU (interrupt context or the lock's spin; no lock needed).
void answer_shootdown();

}  // namespace kernel::smp
