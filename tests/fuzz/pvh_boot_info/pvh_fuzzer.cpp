// libFuzzer target: the input is physical memory starting at address 0, with a PVH start
// info at offset 0 (and, from its RSDP pointer, ACPI tables). Every pointer inside must be
// bounds-checked against the input.
#include <cstddef>
#include <cstdint>

#include "kernel/boot/acpi.h"
#include "kernel/boot/pvh.h"
#include "tests/fuzz/memory_map_invariants.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const kernel::PhysicalMemoryView memory(0, base::Span<const base::u8>(data, size));
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    auto details = kernel::fill_boot_info_from_pvh(memory, 0, info);
    if (details.is_error()) return 0;
    if (info.memory.normalize().is_ok()) {
        kernel::fuzz::check_normalized(info.memory);
        kernel::fuzz::check_boot_bundle(info);
    }
    (void)kernel::read_acpi_cpu_info(memory, details.value().rsdp_physical, 0);
    return 0;
}
