// In-OS tests (x86_64 only) of what each started CPU sets up for itself: descriptor tables of
// its own (its own GDT and TSS, as the CPU itself reads them back, the IDT they all share, and
// IST stacks for double faults, NMIs and machine checks that no other CPU uses, each mapped
// with an unmapped guard page below it: sharing a TSS would let two CPUs' NMIs or double
// faults run on one stack), and the boot CPU's registers for user mode and FP/SIMD.
#if defined(__x86_64__)
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/smp/smp.h"
#include "kernel/test/test.h"

namespace {

using base::u64;

// A guarded stack top: the stack's last word is mapped, the page below its lowest is not.
bool is_guarded_stack_top(u64 top) {
    if (top == 0) return false;
    const u64 guard = top - kernel::layout::kKernelStackSize - kernel::layout::kPageSize;
    return kernel::mm::kernel_page_table().translate(top - 8).has_value() &&
           !kernel::mm::kernel_page_table().translate(guard).has_value();
}

}  // namespace

KERNEL_TEST(each_cpu_has_its_own_gdt_tss_and_guarded_interrupt_stacks_and_shares_the_idt) {
    const unsigned count = kernel::smp::listed_count();
    const x86_64::LoadedTables boot = x86_64::loaded_tables(0);
    // Bound: listed_count() <= kMaxCpus; the pairwise checks are at most 16 x 16.
    for (unsigned a = 0; a < count; ++a) {
        if (!__atomic_load_n(&kernel::cpu(a).online, __ATOMIC_ACQUIRE)) continue;  // smp_test.cpp reports those
        const x86_64::LoadedTables mine = x86_64::loaded_tables(a);
        ASSERT(mine.tss_base != 0);
        EXPECT_EQ(mine.idt_base, boot.idt_base);
        const u64 stacks[] = {mine.double_fault_stack, mine.nmi_stack, mine.machine_check_stack};
        for (u64 top : stacks) {
            if (!is_guarded_stack_top(top)) EXPECT_EQ(top, ~0ull);  // names the stack
        }
        EXPECT(stacks[0] != stacks[1] && stacks[1] != stacks[2] && stacks[0] != stacks[2]);
        for (unsigned b = a + 1; b < count; ++b) {
            if (!__atomic_load_n(&kernel::cpu(b).online, __ATOMIC_ACQUIRE)) continue;
            const x86_64::LoadedTables theirs = x86_64::loaded_tables(b);
            EXPECT(mine.gdt_base != theirs.gdt_base);
            EXPECT(mine.tss_base != theirs.tss_base);
            for (u64 top : stacks) {
                EXPECT(top != theirs.double_fault_stack && top != theirs.nmi_stack && top != theirs.machine_check_stack);
            }
        }
    }
}

KERNEL_TEST(every_cpu_runs_with_the_boot_cpus_registers_for_user_mode) {
    const x86_64::UserModeRegisters boot = x86_64::user_mode_registers(0);
    ASSERT(boot.lstar != 0);
    // Bound: listed_count() <= kMaxCpus.
    for (unsigned index = 1; index < kernel::smp::listed_count(); ++index) {
        if (!__atomic_load_n(&kernel::cpu(index).online, __ATOMIC_ACQUIRE)) continue;
        const x86_64::UserModeRegisters mine = x86_64::user_mode_registers(index);
        EXPECT_EQ(mine.cr0, boot.cr0);
        EXPECT_EQ(mine.cr4, boot.cr4);
        EXPECT_EQ(mine.efer, boot.efer);
        EXPECT_EQ(mine.star, boot.star);
        EXPECT_EQ(mine.lstar, boot.lstar);
        EXPECT_EQ(mine.sfmask, boot.sfmask);
        EXPECT_EQ(mine.pat, boot.pat);
        EXPECT_EQ(mine.xcr0, boot.xcr0);
    }
}
#endif
