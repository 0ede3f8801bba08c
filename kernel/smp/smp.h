// Bringing up the other CPUs (arch/smp.h starts each one; this decides what it runs).
//
// Each secondary CPU, once up, marks itself online and then runs threads like the boot CPU
// (taking the kernel lock, which it holds until it idles or enters user mode). In kernel test
// mode it only idles and takes the reschedule IPI instead: the boot CPU runs the kernel's tests
// holding the kernel lock. Device interrupts are routed to the boot CPU; each CPU has its own
// timer tick for its time slices (and any CPU's tick ends expired waits).
#pragma once

#include "kernel/boot/boot_info.h"
#include "kernel/smp/cpu_local.h"

namespace kernel::smp {

// The boot CPU's own CpuLocal, set before anything reads it.
void init_boot_cpu(const BootInfo& boot_info);
// Starts every other CPU the boot information lists, waiting a bounded time for each; a CPU
// that does not come up is named and the rest go on. `schedule`: they run threads (else they
// only idle, for the kernel's own tests). `held_back`: a CPU index never started, as if it had
// failed to come up (the kernel command line's smp-hold-back=N, which tests that path).
// Returns how many CPUs run (boot included).
unsigned start_secondary_cpus(const BootInfo& boot_info, bool schedule, unsigned held_back = ~0u);
// How many CPUs are online (boot included).
unsigned online_count();
// Bit i set: CPU i is online.
base::u32 online_mask();
// How many CPUs the boot information listed (the bound on cpu(index)).
unsigned listed_count();

// TLB shootdown: every other CPU that may hold translations of the user half `root` drops its
// user TLB entries; returns once each has. Called under the kernel lock, after a mapping was
// removed or narrowed and before its frames can be reused. A CPU asked answers from the
// reschedule IPI, or while it spins for the kernel lock (it cannot take the IPI then).
void shootdown(base::u64 root);
// Interrupts CPU `index` and returns once it is out of user mode (its answer comes from the
// interrupt, or from its spin for the kernel lock, which it cannot leave while we hold it): a
// thread killed or stopped there runs no further user instruction.
void interrupt_and_wait(unsigned index);
// Does any shootdown asked of this CPU (interrupt context or the lock's spin; no lock needed).
void answer_shootdown();
// Has another CPU asked this one for a shootdown it has not done yet?
bool shootdown_asked_here();

}  // namespace kernel::smp
