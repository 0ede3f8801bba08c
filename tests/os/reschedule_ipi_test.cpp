// In-OS test of the reschedule IPI beyond the first one: each secondary CPU takes one after
// another. A CPU whose interrupt controller was never told the IPI ended (GIC end of interrupt,
// local APIC EOI) takes the first and then no more, which a single IPI cannot show.
#include "arch/arch.h"
#include "arch/smp.h"
#include "kernel/smp/smp.h"
#include "kernel/test/test.h"

using namespace kernel;

KERNEL_TEST(each_secondary_cpu_takes_reschedule_interrupts_one_after_another) {
    constexpr unsigned kRounds = 5;
    // Bound: per CPU, kRounds waits of at most 200 ms each.
    for (unsigned index = 1; index < smp::listed_count(); ++index) {
        CpuLocal& target = cpu(index);
        if (!__atomic_load_n(&target.online, __ATOMIC_ACQUIRE)) continue;  // smp_test.cpp reports those
        for (unsigned round = 0; round < kRounds; ++round) {
            const base::u64 before = __atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE);
            arch::send_reschedule(index);
            const base::u64 deadline = arch::monotonic_ns() + 200'000'000;
            while (__atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE) == before && arch::monotonic_ns() < deadline) {
            }
            const bool taken = __atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE) > before;
            EXPECT(taken);
            if (!taken) break;  // the rest of this CPU's rounds would only wait out the same way
        }
    }
}
