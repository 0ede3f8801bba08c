// The table builder of acpi_tables.h.
#include "acpi_tables.h"

#include <cstring>
#include <stdexcept>

namespace acpi_test {
namespace {

void append32(std::vector<uint8_t>& out, uint32_t value) {
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}
void append64(std::vector<uint8_t>& out, uint64_t value) {
    append32(out, static_cast<uint32_t>(value));
    append32(out, static_cast<uint32_t>(value >> 32));
}

uint8_t checksum_byte(const uint8_t* bytes, size_t length) {
    uint8_t sum = 0;
    for (size_t i = 0; i < length; ++i) sum = static_cast<uint8_t>(sum + bytes[i]);
    return static_cast<uint8_t>(-sum);
}

}  // namespace

MadtEntry local_apic(uint8_t apic_id, uint32_t flags) {
    MadtEntry entry{{0, 8, apic_id, apic_id}};
    append32(entry.bytes, flags);
    return entry;
}

MadtEntry local_x2apic(uint32_t x2apic_id, uint32_t flags) {
    MadtEntry entry{{9, 16, 0, 0}};
    append32(entry.bytes, x2apic_id);
    append32(entry.bytes, flags);
    append32(entry.bytes, x2apic_id);  // processor UID
    return entry;
}

MadtEntry io_apic(uint32_t address) {
    MadtEntry entry{{1, 12, 0, 0}};
    append32(entry.bytes, address);
    append32(entry.bytes, 0);  // global system interrupt base
    return entry;
}

MadtEntry local_apic_address_override(uint64_t address) {
    MadtEntry entry{{5, 12, 0, 0}};
    append64(entry.bytes, address);
    return entry;
}

void FakeMemory::put(size_t at, const void* data, size_t length) {
    if (at > bytes_.size() || length > bytes_.size() - at) throw std::out_of_range("FakeMemory::put");
    std::memcpy(&bytes_[at], data, length);
}

void FakeMemory::rsdp(size_t at, uint8_t revision, uint32_t rsdt, uint64_t xsdt) {
    put(at, "RSD PTR ", 8);
    put(at + 9, "VECTRA", 6);
    bytes_[at + 15] = revision;
    put32(at + 16, rsdt);
    bytes_[at + 8] = 0;
    bytes_[at + 8] = checksum_byte(&bytes_[at], 20);
    if (revision >= 2) {
        put32(at + 20, 36);
        put64(at + 24, xsdt);
        bytes_[at + 32] = 0;
        bytes_[at + 32] = checksum_byte(&bytes_[at], 36);
    }
}

size_t FakeMemory::table(size_t at, const char signature[4], const std::vector<uint8_t>& body) {
    const size_t length = 36 + body.size();
    put(at, signature, 4);
    put32(at + 4, static_cast<uint32_t>(length));
    bytes_[at + 8] = 1;  // revision
    put(at + 10, "VECTRA", 6);
    put(at + 16, "TESTTABL", 8);
    if (!body.empty()) put(at + 36, body.data(), body.size());
    fix_table_checksum(at);
    return length;
}

size_t FakeMemory::xsdt(size_t at, const std::vector<uint64_t>& tables) {
    std::vector<uint8_t> body;
    for (uint64_t table : tables) append64(body, table);
    return table(at, "XSDT", body);
}

size_t FakeMemory::rsdt(size_t at, const std::vector<uint32_t>& tables) {
    std::vector<uint8_t> body;
    for (uint32_t table : tables) append32(body, table);
    return table(at, "RSDT", body);
}

size_t FakeMemory::madt(size_t at, uint32_t local_apic_address, const std::vector<MadtEntry>& entries) {
    std::vector<uint8_t> body;
    append32(body, local_apic_address);
    append32(body, 1);  // PCAT_COMPAT: the machine also has 8259s
    for (const MadtEntry& entry : entries) body.insert(body.end(), entry.bytes.begin(), entry.bytes.end());
    return table(at, "APIC", body);
}

void FakeMemory::fix_table_checksum(size_t at) {
    uint32_t length = 0;
    std::memcpy(&length, &bytes_[at + 4], 4);
    bytes_[at + 9] = 0;
    bytes_[at + 9] = checksum_byte(&bytes_[at], length);
}

FakeMemory standard_machine(int cpus) {
    FakeMemory memory;
    std::vector<MadtEntry> entries;
    for (int i = 0; i < cpus; ++i) entries.push_back(local_apic(static_cast<uint8_t>(i), 1));
    entries.push_back(io_apic(0xfec00000));
    memory.rsdp(kRsdpAt, 2, kRsdtAt, kXsdtAt);
    memory.xsdt(kXsdtAt, {kFadtAt, kMadtAt});
    memory.rsdt(kRsdtAt, {kFadtAt, kMadtAt});
    memory.table(kFadtAt, "FACP", std::vector<uint8_t>(100, 0));
    memory.madt(kMadtAt, 0xfee00000, entries);
    return memory;
}

}  // namespace acpi_test
