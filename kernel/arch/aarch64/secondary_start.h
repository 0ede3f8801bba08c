/* What a secondary CPU is handed when PSCI CPU_ON starts it (smp.cpp fills it, smp_entry.S and
 * aarch64_secondary_start read it). The first fields are read by physical address with the MMU
 * off, at the offsets below (checked against the struct); the rest once the MMU is on. Plain
 * #defines: the assembly includes this too. */
#pragma once

#define SECONDARY_START_MAIR 0
#define SECONDARY_START_TCR 8
#define SECONDARY_START_IDENTITY_ROOT 16
#define SECONDARY_START_KERNEL_ROOT 24
#define SECONDARY_START_SCTLR 32
#define SECONDARY_START_STACK_TOP 40
#define SECONDARY_START_RECORD 48

#ifndef __ASSEMBLER__
#include "base/types.h"

namespace kernel {
struct CpuLocal;
}

namespace aarch64 {

struct SecondaryStart {
    // --- Read with the MMU off (offsets fixed) ---
    base::u64 mair = 0;           // the boot CPU's MAIR_EL1
    base::u64 tcr = 0;            // the boot CPU's TCR_EL1, lower-half walks on for the identity map
    base::u64 identity_root = 0;  // TTBR0 while the MMU comes on: maps the entry code at its physical address
    base::u64 kernel_root = 0;    // TTBR1: the kernel's own tables, as the boot CPU runs on them
    base::u64 sctlr = 0;          // the boot CPU's SCTLR_EL1 (MMU, caches, SPAN, WXN ... as it ended)
    base::u64 stack_top = 0;      // SP_EL1 from the first kernel instruction on
    base::u64 record = 0;         // this record's kernel virtual address, for the C++ entry
    // --- Read with the MMU on ---
    base::u64 stack_bottom = 0;
    base::u64 overflow_stack_top = 0;
    kernel::CpuLocal* local = nullptr;
    unsigned index = 0;
};

static_assert(__builtin_offsetof(SecondaryStart, mair) == SECONDARY_START_MAIR);
static_assert(__builtin_offsetof(SecondaryStart, tcr) == SECONDARY_START_TCR);
static_assert(__builtin_offsetof(SecondaryStart, identity_root) == SECONDARY_START_IDENTITY_ROOT);
static_assert(__builtin_offsetof(SecondaryStart, kernel_root) == SECONDARY_START_KERNEL_ROOT);
static_assert(__builtin_offsetof(SecondaryStart, sctlr) == SECONDARY_START_SCTLR);
static_assert(__builtin_offsetof(SecondaryStart, stack_top) == SECONDARY_START_STACK_TOP);
static_assert(__builtin_offsetof(SecondaryStart, record) == SECONDARY_START_RECORD);

}  // namespace aarch64
#endif
