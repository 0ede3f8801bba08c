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

}  // namespace kernel::smp
