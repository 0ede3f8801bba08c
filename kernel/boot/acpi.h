// Just enough ACPI to learn the machine's CPUs on x86_64: RSDP → XSDT (or RSDT) → MADT.
// Every table is bounds-checked through a PhysicalMemoryView and its checksum verified.
#pragma once

#include "base/result.h"
#include "kernel/boot/physical_memory_view.h"

namespace kernel {

struct AcpiCpuInfo {
    base::u32 cpu_count = 0;            // enabled (or online-capable) local APICs / x2APICs
    base::u64 local_apic_physical = 0;  // after any 64-bit override
    base::u64 io_apic_physical = 0;     // the first I/O APIC, 0 if none
};

base::Result<AcpiCpuInfo> read_acpi_cpu_info(const PhysicalMemoryView& memory, base::u64 rsdp_physical);

}  // namespace kernel
