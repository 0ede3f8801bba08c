// libFuzzer target for the ACPI reader. The input is physical memory from address 0 with an
// RSDP expected at kRsdpAt (the bytes before it are ordinary memory) and whatever tables its
// pointers reach; the same bytes are also searched as the BIOS area (placed at 0xe0000) for an
// RSDP. Any crash, sanitizer report or broken promise below is a bug.
#include <cstddef>
#include <cstdint>

#include "kernel/boot/acpi.h"

namespace {

constexpr uint64_t kRsdpAt = 16;
constexpr uint64_t kBiosAreaStart = 0xe0000;
constexpr uint64_t kBootCpuId = 1;

void check(bool promise) {
    if (!promise) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const kernel::PhysicalMemoryView memory(0, base::Span<const base::u8>(data, size));
    const auto info = kernel::read_acpi_cpu_info(memory, kRsdpAt, kBootCpuId);
    if (info.is_ok()) {
        const kernel::AcpiCpuInfo& cpus = info.value();
        check(cpus.cpu_count > 0 && cpus.local_apic_physical != 0);
        // The boot CPU first, each id once, never more than there is room for.
        check(cpus.cpu_ids_kept >= 1 && cpus.cpu_ids_kept <= kernel::AcpiCpuInfo::kMaxCpuIds);
        check(cpus.cpu_ids[0] == kBootCpuId);
        for (base::u32 i = 0; i < cpus.cpu_ids_kept; ++i)
            for (base::u32 j = i + 1; j < cpus.cpu_ids_kept; ++j) check(cpus.cpu_ids[i] != cpus.cpu_ids[j]);
    }
    if (info.is_error()) check(info.error().message != nullptr && info.error().message[0] != '\0');

    const kernel::PhysicalMemoryView bios_area(kBiosAreaStart, base::Span<const base::u8>(data, size));
    const auto found = kernel::find_rsdp_in_bios_area(bios_area);
    if (found.is_ok()) {
        check(found.value() % 16 == 0 && found.value() >= kBiosAreaStart && found.value() + 20 <= kBiosAreaStart + size);
        (void)kernel::read_acpi_cpu_info(bios_area, found.value(), kBootCpuId);
    }
    return 0;
}
