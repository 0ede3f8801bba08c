// Builds ACPI tables (RSDP, XSDT/RSDT, MADT and filler tables) into a fake physical memory
// for the ACPI reader's tests, with correct checksums unless a test damages them afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "kernel/boot/physical_memory_view.h"

namespace acpi_test {

struct MadtEntry {
    std::vector<uint8_t> bytes;  // type, length, body
};

MadtEntry local_apic(uint8_t apic_id, uint32_t flags);
MadtEntry local_x2apic(uint32_t x2apic_id, uint32_t flags);
MadtEntry io_apic(uint32_t address);
MadtEntry local_apic_address_override(uint64_t address);

class FakeMemory {
public:
    explicit FakeMemory(size_t size = 0x110000) : bytes_(size, 0) {}

    kernel::PhysicalMemoryView view() const { return kernel::PhysicalMemoryView(0, {bytes_.data(), bytes_.size()}); }
    std::vector<uint8_t>& bytes() { return bytes_; }

    void put(size_t at, const void* data, size_t length);
    void put16(size_t at, uint16_t value) { put(at, &value, 2); }
    void put32(size_t at, uint32_t value) { put(at, &value, 4); }
    void put64(size_t at, uint64_t value) { put(at, &value, 8); }

    // An RSDP at `at`: revision 0 (RSDT only, 20 bytes) or 2 (36 bytes, with the XSDT).
    void rsdp(size_t at, uint8_t revision, uint32_t rsdt, uint64_t xsdt);
    // A table with a standard 36-byte header followed by `body`; returns its length.
    size_t table(size_t at, const char signature[4], const std::vector<uint8_t>& body);
    size_t xsdt(size_t at, const std::vector<uint64_t>& tables);
    size_t rsdt(size_t at, const std::vector<uint32_t>& tables);
    size_t madt(size_t at, uint32_t local_apic_address, const std::vector<MadtEntry>& entries);

    // Recomputes the checksum byte of the table at `at` (its length from its header).
    void fix_table_checksum(size_t at);

private:
    std::vector<uint8_t> bytes_;
};

// Physical addresses of the standard layout below.
inline constexpr size_t kRsdpAt = 0xf5a40;  // in the BIOS area, where QEMU's SeaBIOS puts it
inline constexpr size_t kXsdtAt = 0x20000;
inline constexpr size_t kRsdtAt = 0x20800;
inline constexpr size_t kFadtAt = 0x21000;
inline constexpr size_t kMadtAt = 0x22000;

// A machine like QEMU q35 with `cpus` enabled CPUs: RSDP (revision 2) → XSDT and RSDT →
// a filler FACP and the MADT (local APICs, an I/O APIC at 0xfec00000, LAPIC at 0xfee00000).
FakeMemory standard_machine(int cpus);

}  // namespace acpi_test
