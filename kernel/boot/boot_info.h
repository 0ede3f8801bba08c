// What the architecture's boot code learned about the machine, handed to kernel_main.
// Filled from the PVH start info on x86_64 and from the device tree on aarch64; everything
// here has been validated by the parsers, so the portable kernel trusts it.
#pragma once

#include "base/fixed_vector.h"
#include "base/result.h"
#include "base/string_view.h"
#include "base/types.h"
#include "kernel/boot/memory_map.h"

namespace kernel {

// A range of device registers the kernel itself uses (console, interrupt controller, timer).
// The kernel's page tables map each one uncached at direct_map_base + physical_base.
struct DeviceRange {
    base::u64 physical_base;
    base::u64 size;
};

struct BootInfo {
    // RAM and everything in it that is not free: firmware areas, the kernel image, the boot
    // information itself and the device tree are all marked reserved here.
    MemoryMap memory;

    // Every range the boot code read boot information from (the PVH start info, its memory map
    // and module list, the device tree, the ACPI tables) and the boot bundle, as it read them;
    // each is also reserved in `memory` (reserve_boot_data). Kept apart from the map so that
    // tests can check the reservations against what was really there.
    base::FixedVector<MemoryRegion, 16> boot_data;

    // The kernel command line, copied into kernel memory (words separated by spaces).
    char command_line_storage[512] = {};
    base::StringView command_line;

    // The CPUs the firmware lists, boot CPU first: cpu_ids[i] is how the platform names CPU i
    // (x86_64: its local APIC id from the MADT; aarch64: its MPIDR affinity from /cpus/cpu@N
    // `reg`). At most kMaxCpus are kept; cpu_count counts those kept.
    static constexpr base::u32 kMaxCpus = 16;
    base::u32 cpu_count = 1;
    base::u64 cpu_ids[kMaxCpus] = {};
    // aarch64: how PSCI is called (the device tree's /psci `method`); None when absent.
    enum class PsciMethod : base::u8 { None, Hvc, Smc };
    PsciMethod psci_method = PsciMethod::None;

    // Where the kernel image was loaded (physical), page-aligned, end exclusive.
    base::u64 kernel_physical_start = 0;
    base::u64 kernel_physical_end = 0;

    // Devices the kernel drives itself; mapped by the kernel address space builder.
    base::FixedVector<DeviceRange, 8> kernel_devices;

    // The boot bundle (QEMU -initrd): the first programs, for init. Zero size when absent.
    DeviceRange boot_bundle{};

    // The serial console handed to userland's console driver: a PL011's registers (MMIO) on
    // aarch64, the 16550's I/O ports on x86_64, and its interrupt line (a GIC interrupt id, or
    // a legacy PIC line).
    DeviceRange console{};
    base::u32 console_interrupt = 0;
    bool console_is_ports = false;
};

// Reserves [base, base + size) in boot_info.memory as `kind` and records it in boot_data.
inline base::Result<void> reserve_boot_data(BootInfo& boot_info, base::u64 base, base::u64 size, MemoryKind kind) {
    TRY(boot_info.memory.reserve(base, size, kind));
    if (!boot_info.boot_data.try_append(MemoryRegion{base, size, kind}))
        return base::make_error(base::ErrorCode::OutOfMemory, "boot information in more places than the kernel records");
    return {};
}

// The BootInfo the kernel booted with, once kernel_main has it (for tests and diagnostics).
const BootInfo& boot_information();
void keep_boot_information(const BootInfo& boot_info);

// The portable kernel's entry, called by the architecture once its console and traps are up
// and the boot page tables (which map the kernel image and the first 4 GiB of physical memory
// at the direct map) are active. Never returns.
[[noreturn]] void kernel_main(BootInfo& boot_info);

}  // namespace kernel
