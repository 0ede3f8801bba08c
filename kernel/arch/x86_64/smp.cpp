// x86_64 side of arch/smp.h: starting the other CPUs with INIT-SIPI-SIPI through the local
// APIC (Intel SDM vol. 3, "MP Initialization Protocol Algorithm": INIT, 10 ms, SIPI, 200 us,
// SIPI), and the reschedule IPI.
//
// A started CPU runs smp_trampoline.S from a page below 1 MiB that install_secondary_start
// chose at boot (RAM the firmware reported free; the whole first MiB is never handed out by
// the frame allocator) and reaches x86_64_secondary_cpu_start below on the stack it was given.
// It reads what it needs from x86_64_secondary_start, which the starting CPU fills before
// each start and leaves alone until the started CPU says it is online (kernel/smp/smp.cpp).
#include "arch/arch.h"
#include "arch/smp.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/interrupts.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/boot/memory_map.h"
#include "kernel/core/log.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/smp/cpu_local.h"

extern "C" char x86_64_trampoline_start[], x86_64_trampoline_end[];

namespace x86_64 {

// What the started CPU reads: the first two fields from smp_trampoline.S (offsets below).
struct SecondaryStart {
    u64 page_table_root;
    u64 stack_top;
    u64 hardware_id;
    kernel::CpuLocal* local;
    unsigned index;
};
static_assert(__builtin_offsetof(SecondaryStart, page_table_root) == 0, "smp_trampoline.S: START_PAGE_TABLE_ROOT");
static_assert(__builtin_offsetof(SecondaryStart, stack_top) == 8, "smp_trampoline.S: START_STACK_TOP");

namespace {

// The trampoline page, then the temporary page table's PML4, PDPT and page directory.
constexpr u64 kTrampolinePages = 4;
constexpr u64 kPageSize = kernel::layout::kPageSize;
constexpr u64 kLowMemoryEnd = 0x10'0000;  // a SIPI vector names a page below 1 MiB
constexpr u64 kTablePresentWritable = 0x3, kLargePage = 0x80;
constexpr u64 kPml4KernelImageSlot = 511, kPdptKernelImageSlot = 510;  // 0xffffffff80000000

// ICR commands (low word): delivery mode in bits 8-10, level assert (bit 14).
constexpr u32 kIcrAssert = 1u << 14;
constexpr u32 kIcrInit = 0x500 | kIcrAssert;
constexpr u32 kIcrStartup = 0x600 | kIcrAssert;
constexpr u32 kIcrFixed = 0x000 | kIcrAssert;

constexpr u64 kAfterInitNanoseconds = 10'000'000;
constexpr u64 kBetweenStartupsNanoseconds = 200'000;

// Set once at boot (install_secondary_start), before any other CPU runs; 0: none was found.
constinit u64 trampoline_physical = 0;

void wait_nanoseconds(u64 nanoseconds) {
    const u64 until = arch::monotonic_ns() + nanoseconds;
    // Bound: the clock runs (timer_init came before any CPU is started).
    while (arch::monotonic_ns() < until) asm volatile("pause");
}

// Sends one IPI with interrupts off (the xAPIC ICR is two registers), restoring them after.
bool send_ipi(u32 destination, u32 command) {
    const bool were_enabled = arch::interrupts_enabled();
    arch::interrupts_disable();
    const bool sent = local_apic::send_ipi(destination, command);
    if (were_enabled) arch::interrupts_enable();
    return sent;
}

}  // namespace

// Filled by start_cpu, read by the started CPU (smp_trampoline.S, x86_64_secondary_cpu_start).
extern "C" constinit SecondaryStart x86_64_secondary_start = {};

void install_secondary_start(kernel::MemoryMap& memory) {
    const u64 blob_size = u64(x86_64_trampoline_end - x86_64_trampoline_start);
    static_assert(kTrampolinePages * kernel::layout::kPageSize <= kLowMemoryEnd);
    if (blob_size > kPageSize) return;
    // Bound: the pages below 1 MiB. Page 0 keeps the real-mode interrupt table and BIOS data.
    for (u64 base = kPageSize; base + kTrampolinePages * kPageSize <= kLowMemoryEnd; base += kPageSize) {
        if (!memory.is_free_ram(base, kTrampolinePages * kPageSize)) continue;
        if (memory.reserve(base, kTrampolinePages * kPageSize, kernel::MemoryKind::Reserved).is_error()) return;
        // Still on the boot page tables, which map the first 4 GiB at the direct map.
        auto* bytes = kernel::layout::physical_to_pointer<u8>(base);
        for (u64 i = 0; i < blob_size; ++i) bytes[i] = static_cast<u8>(x86_64_trampoline_start[i]);
        auto* pml4 = kernel::layout::physical_to_pointer<u64>(base + kPageSize);
        auto* pdpt = kernel::layout::physical_to_pointer<u64>(base + 2 * kPageSize);
        auto* directory = kernel::layout::physical_to_pointer<u64>(base + 3 * kPageSize);
        for (u64 i = 0; i < 512; ++i) {
            pml4[i] = 0;
            pdpt[i] = 0;
            directory[i] = (i << 21) | kLargePage | kTablePresentWritable;  // not global: gone with CR3
        }
        // The first GiB at its own address (this code) and at the kernel image's (boot.S's
        // mapping); one PDPT serves both, so the table is three pages.
        pdpt[0] = (base + 3 * kPageSize) | kTablePresentWritable;
        pdpt[kPdptKernelImageSlot] = pdpt[0];
        pml4[0] = (base + 2 * kPageSize) | kTablePresentWritable;
        pml4[kPml4KernelImageSlot] = pml4[0];
        trampoline_physical = base;
        return;
    }
}

}  // namespace x86_64

bool arch::start_cpu(unsigned index, base::u64 hardware_id, base::uptr stack_top, base::uptr, kernel::CpuLocal* local) {
    using namespace x86_64;
    if (trampoline_physical == 0) {
        kernel::log("smp: no free page below 1 MiB for the start code");
        return false;
    }
    if (index == 0 || index >= kMaxCpus || hardware_id > 0xffff'ffff) return false;
    if (!allocate_interrupt_stacks(index)) {
        kernel::log("smp: cpu {}: no memory for its interrupt stacks", index);
        return false;
    }
    SecondaryStart& start = x86_64_secondary_start;
    start.page_table_root = kernel::mm::kernel_page_table().root();
    start.stack_top = stack_top;
    start.hardware_id = hardware_id;
    start.local = local;
    start.index = index;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);  // all of it before the IPIs that start the CPU

    const u32 destination = static_cast<u32>(hardware_id);
    const u32 vector = static_cast<u32>(trampoline_physical >> 12);
    if (!send_ipi(destination, kIcrInit)) return false;
    wait_nanoseconds(kAfterInitNanoseconds);
    // The second SIPI is for a CPU that missed the first; one already running ignores it.
    for (int startup = 0; startup < 2; ++startup) {
        if (!send_ipi(destination, kIcrStartup | vector)) return false;
        wait_nanoseconds(kBetweenStartupsNanoseconds);
    }
    return true;
}

void arch::send_reschedule(unsigned index) {
    using namespace x86_64;
    (void)send_ipi(static_cast<u32>(kernel::cpu(index).hardware_id), kIcrFixed | kRescheduleVector);
}

base::u32 arch::spin_wait_while_equal(const base::u32* word, base::u32) {
    asm volatile("pause" ::: "memory");
    return __atomic_load_n(word, __ATOMIC_ACQUIRE);
}

void arch::spin_wake_others() {}

bool arch::sleep_while_spinning() { return false; }
void arch::send_lock_wake(unsigned) {}

// The started CPU, on its own stack and the kernel's page tables, interrupts off.
extern "C" [[noreturn]] void x86_64_secondary_cpu_start() {
    using namespace x86_64;
    const SecondaryStart start = x86_64_secondary_start;
    load_interrupt_table();  // first: a fault from here on is a readable panic, not a reset
    local_apic::match_boot_cpu_mode();
    // A CPU that came up too late reads the next CPU's start: it must not take its tables.
    if (local_apic::id() != start.hardware_id) arch::halt();
    descriptor_tables_init_secondary(start.index);
    user_mode_registers_init(start.index);
    // Its local APIC takes IPIs only: LINT0 (ExtINT from the legacy PIC) and LINT1 (NMI)
    // masked, so device interrupts stay with the boot CPU, and no timer yet (kernel/smp/smp.h).
    local_apic::write(local_apic::kLvtTimer, local_apic::kLvtMasked);
    local_apic::write(local_apic::kLvtLint0, local_apic::kLvtMasked);
    local_apic::write(local_apic::kLvtLint1, local_apic::kLvtMasked);
    local_apic::write(local_apic::kLvtError, local_apic::kLvtMasked);
    local_apic::write(local_apic::kTaskPriority, 0);
    local_apic::enable(kSpuriousVector);
    arch::set_cpu_local(start.local);
    kernel::secondary_cpu_main(start.index);
}
