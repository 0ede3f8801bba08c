// In-OS tests of CPU bring-up: every CPU QEMU was given (the harness runs these with 1 and 2)
// is online, each has its own CpuLocal, and each takes a reschedule IPI on itself.
#include "arch/arch.h"
#include "arch/smp.h"
#include "kernel/smp/smp.h"
#include "kernel/test/test.h"

using namespace kernel;

KERNEL_TEST(every_listed_cpu_is_online_with_its_own_cpu_local) {
    EXPECT_EQ(smp::online_count(), smp::listed_count());
    EXPECT(&this_cpu() == &cpu(0));  // the tests run on the boot CPU
    EXPECT_EQ(this_cpu().self, &this_cpu());
    for (unsigned index = 0; index < smp::listed_count(); ++index) {
        EXPECT_EQ(cpu(index).index, index);
        EXPECT(cpu(index).online);
    }
}

KERNEL_TEST(each_secondary_cpu_takes_a_reschedule_interrupt) {
    // Bound: per CPU, 200 ms of waiting.
    for (unsigned index = 1; index < smp::listed_count(); ++index) {
        CpuLocal& target = cpu(index);
        const base::u64 before = __atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE);
        arch::send_reschedule(index);
        const base::u64 deadline = arch::monotonic_ns() + 200'000'000;
        while (__atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE) == before && arch::monotonic_ns() < deadline) {
        }
        EXPECT(__atomic_load_n(&target.reschedule_interrupts, __ATOMIC_ACQUIRE) > before);
    }
    EXPECT_EQ(cpu(0).reschedule_interrupts, 0u);  // nobody interrupted the boot CPU
}
