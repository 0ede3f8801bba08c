// libFuzzer target: the input is physical memory at address 0 holding an RSDP at offset 0
// and whatever tables its pointers reach.
#include <cstddef>
#include <cstdint>

#include "kernel/boot/acpi.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const kernel::PhysicalMemoryView memory(0, base::Span<const base::u8>(data, size));
    (void)kernel::read_acpi_cpu_info(memory, 0);
    return 0;
}
