// Just enough ACPI to learn the machine's CPUs and interrupt controllers on x86_64:
// RSDP → XSDT (or RSDT) → MADT. Every read goes through a PhysicalMemoryView, every table's
// length is bounded and its checksum verified, so a damaged table is an error, never a wild read.
#pragma once

#include "base/result.h"
#include "kernel/boot/physical_memory_view.h"

namespace kernel {

struct AcpiCpuInfo {
    base::u32 cpu_count = 0;            // enabled processor local APICs and x2APICs
    // The CPUs to run, by local APIC id (x2APIC ids too): the boot CPU first, as the caller
    // named it, then every other enabled CPU in MADT order, each once, while there is room.
    // cpu_ids_kept counts them (at least 1: the boot CPU runs whatever the table says).
    static constexpr base::u32 kMaxCpuIds = 16;
    base::u32 cpu_ids_kept = 0;
    base::u64 cpu_ids[kMaxCpuIds] = {};
    base::u64 local_apic_physical = 0;  // after any 64-bit address override
    base::u64 io_apic_physical = 0;     // the first I/O APIC, 0 if none

    // What was read to learn this: the RSDP, the root table and the MADT (physical, bytes),
    // so the boot code can keep them out of the frame allocator.
    struct TableRange {
        base::u64 physical = 0;
        base::u64 length = 0;
    };
    TableRange tables_read[3];
};

// Reads the MADT reached from the RSDP at `rsdp_physical`. `boot_cpu_id` is the local APIC id
// of the CPU running this (read from its local APIC): it heads cpu_ids.
base::Result<AcpiCpuInfo> read_acpi_cpu_info(const PhysicalMemoryView& memory, base::u64 rsdp_physical,
                                             base::u64 boot_cpu_id);

// For loaders that do not say where the RSDP is: searches the first KiB of the EBDA and the
// BIOS area 0xe0000-0xfffff on 16-byte boundaries (ACPI 6.5, 5.2.5.1) for a valid RSDP.
base::Result<base::u64> find_rsdp_in_bios_area(const PhysicalMemoryView& memory);

}  // namespace kernel
