// x86_64 boot in C++: console and traps first (so any fault from here on is a readable
// dump), then the PVH start info and ACPI are parsed into BootInfo and the portable kernel
// takes over. A malformed start info is a clear fatal message, never a wild read: the parsers
// only see memory through a bounded view of the first 4 GiB.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/boot/acpi.h"
#include "kernel/boot/pvh.h"
#include "kernel/core/log.h"
#include "kernel/mm/layout.h"

extern "C" char __kernel_start[], __kernel_end[];
extern "C" char boot_pml4[];

namespace {

constinit kernel::BootInfo boot_info;

[[noreturn]] void fatal_boot_error(const char* what, base::Error error) {
    kernel::log("VectraOS cannot boot: {}: {}", what, error.message);
    arch::exit_emulator(arch::ExitCode::Panicked);
}

}  // namespace

extern "C" [[noreturn]] void arch_x86_64_start(base::u32 start_info_physical) {
    x86_64::serial_init();
    x86_64::descriptor_tables_init();

    // The boot page tables map [0, 4 GiB) at the direct map; parsers read only through it.
    const kernel::PhysicalMemoryView low_memory(
        0, base::Span<const base::u8>(kernel::layout::physical_to_pointer<const base::u8>(0), base::usize(4) << 30));
    auto pvh = kernel::fill_boot_info_from_pvh(low_memory, start_info_physical, boot_info);
    if (pvh.is_error()) fatal_boot_error("PVH start info", pvh.error());

    boot_info.kernel_physical_start = reinterpret_cast<base::u64>(__kernel_start) - x86_64::kKernelVirtualOffset;
    boot_info.kernel_physical_end = reinterpret_cast<base::u64>(__kernel_end) - x86_64::kKernelVirtualOffset;
    auto reserved = boot_info.memory.reserve(boot_info.kernel_physical_start,
                                             boot_info.kernel_physical_end - boot_info.kernel_physical_start,
                                             kernel::MemoryKind::KernelImage);
    if (reserved.is_error()) fatal_boot_error("memory map", reserved.error());
    // Real-mode leftovers below 1 MiB (BIOS data, EBDA, option ROMs) are never handed out.
    (void)boot_info.memory.reserve(0, 0x100000, kernel::MemoryKind::Reserved);

    auto acpi = kernel::read_acpi_cpu_info(low_memory, pvh.value().rsdp_physical);
    if (acpi.is_error()) fatal_boot_error("ACPI", acpi.error());
    boot_info.cpu_count = acpi.value().cpu_count;
    x86_64::set_local_apic(acpi.value().local_apic_physical);
    (void)boot_info.kernel_devices.try_append(kernel::DeviceRange{acpi.value().local_apic_physical, 4096});

    kernel::kernel_main(boot_info);
}
