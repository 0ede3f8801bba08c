// x86_64 boot in C++: console and traps first (so any fault from here on is a readable
// dump), then the PVH start info and ACPI are parsed into BootInfo and the portable kernel
// takes over. A malformed start info is a clear fatal message, never a wild read: the parsers
// only see memory through a bounded view of the first 4 GiB. Nothing else is printed before
// kernel_main's banner.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/local_apic.h"
#include "kernel/boot/acpi.h"
#include "kernel/boot/pvh.h"
#include "kernel/core/log.h"
#include "kernel/mm/layout.h"

extern "C" char __kernel_start[], __kernel_end[];

static_assert(x86_64::kKernelVirtualOffset == kernel::layout::kKernelImageBase,
              "boot.S and kernel.ld link the image where the layout says it is");

namespace {

// Too big for the 16 KiB boot stack; lives in .bss, which the loader zeroed.
constinit kernel::BootInfo boot_info;

constexpr base::u64 kLowMemoryBytes = base::u64(4) << 30;  // what boot.S maps at the direct map
constexpr base::u64 kLegacyBiosAreaEnd = 0x100000;

[[noreturn]] void fatal_boot_error(const char* what, base::Error error) {
    kernel::log("VectraOS cannot boot: {}: {}", what, error.message);
    arch::exit_emulator(arch::ExitCode::Panicked);
}

}  // namespace

extern "C" [[noreturn]] void arch_x86_64_start(base::u32 start_info_physical) {
    x86_64::serial_init();
    x86_64::descriptor_tables_init();

    const kernel::PhysicalMemoryView low_memory(
        0, base::Span<const base::u8>(kernel::layout::physical_to_pointer<const base::u8>(0), kLowMemoryBytes));
    auto pvh = kernel::fill_boot_info_from_pvh(low_memory, start_info_physical, boot_info);
    if (pvh.is_error()) fatal_boot_error("PVH start info", pvh.error());

    boot_info.kernel_physical_start = reinterpret_cast<base::u64>(__kernel_start) - x86_64::kKernelVirtualOffset;
    boot_info.kernel_physical_end = reinterpret_cast<base::u64>(__kernel_end) - x86_64::kKernelVirtualOffset;
    // The boot page tables and stack are in the image's .bss, so this reserves them too.
    auto reserved = boot_info.memory.reserve(boot_info.kernel_physical_start,
                                             boot_info.kernel_physical_end - boot_info.kernel_physical_start,
                                             kernel::MemoryKind::KernelImage);
    if (reserved.is_error()) fatal_boot_error("memory map", reserved.error());

    base::u64 rsdp = pvh.value().rsdp_physical;
    if (rsdp == 0) {
        auto found = kernel::find_rsdp_in_bios_area(low_memory);
        if (found.is_error()) fatal_boot_error("ACPI", found.error());
        rsdp = found.value();
    }
    // The CPU's own IA32_APIC_BASE decides where its registers are (the MADT repeats it);
    // in x2APIC mode they are MSRs and there is nothing to map. Its ID register names the boot
    // CPU among the MADT's (the boot page tables map the xAPIC page at the direct map).
    const base::u64 local_apic_page = x86_64::local_apic::detect();
    auto acpi = kernel::read_acpi_cpu_info(low_memory, rsdp, x86_64::local_apic::id());
    if (acpi.is_error()) fatal_boot_error("ACPI", acpi.error());
    static_assert(kernel::AcpiCpuInfo::kMaxCpuIds <= kernel::BootInfo::kMaxCpus);
    boot_info.cpu_count = acpi.value().cpu_ids_kept;
    for (base::u32 i = 0; i < acpi.value().cpu_ids_kept; ++i) boot_info.cpu_ids[i] = acpi.value().cpu_ids[i];
    // The tables stay readable for userland later, whatever kind of memory the firmware said.
    for (const auto& table : acpi.value().tables_read) {
        reserved = kernel::reserve_boot_data(boot_info, table.physical, table.length, kernel::MemoryKind::AcpiReclaimable);
        if (reserved.is_error()) fatal_boot_error("memory map", reserved.error());
    }

    // The secondary CPUs' start code takes RAM below 1 MiB that nothing above claimed; then
    // real-mode leftovers there (BIOS data, EBDA, option ROMs, the RSDP) are never handed out,
    // whatever the memory map says.
    x86_64::install_secondary_start(boot_info.memory);
    reserved = boot_info.memory.reserve(0, kLegacyBiosAreaEnd, kernel::MemoryKind::Reserved);
    if (reserved.is_error()) fatal_boot_error("memory map", reserved.error());

    // COM1 goes to userland's console driver: eight I/O ports and legacy PIC line 4.
    boot_info.console = kernel::DeviceRange{0x3f8, 8};
    boot_info.console_interrupt = 4;
    boot_info.console_is_ports = true;

    if (local_apic_page != 0) {
        auto appended = boot_info.kernel_devices.try_append(kernel::DeviceRange{local_apic_page, kernel::layout::kPageSize});
        if (!appended) fatal_boot_error("devices", base::make_error(base::ErrorCode::OutOfMemory, "too many kernel devices"));
    }

    kernel::kernel_main(boot_info);
}
