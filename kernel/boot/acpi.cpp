// ACPI table walking (ACPI 6.x, sections 5.2.5 RSDP, 5.2.6 SDT header, 5.2.12 MADT).
#include "kernel/boot/acpi.h"

namespace kernel {
namespace {

using base::u32;
using base::u64;
using base::u8;

constexpr base::usize kHeaderSize = 36;
constexpr u32 kMaxTableLength = 1 << 20;  // a sane bound: real MADTs are a few KiB
constexpr u32 kMaxTables = 256;

bool checksum_ok(base::Span<const u8> bytes) {
    u8 sum = 0;
    for (u8 byte : bytes) sum = static_cast<u8>(sum + byte);
    return sum == 0;
}

bool signature_is(const u8* at, const char* signature) {
    for (int i = 0; i < 4; ++i)
        if (at[i] != static_cast<u8>(signature[i])) return false;
    return true;
}

// A whole system description table: header read, length bounded, checksum verified.
base::Result<base::Span<const u8>> read_table(const PhysicalMemoryView& memory, u64 physical) {
    const auto header = TRY(memory.read(physical, kHeaderSize));
    const u32 length = read_le32(header.data() + 4);
    if (length < kHeaderSize || length > kMaxTableLength)
        return base::make_error(base::ErrorCode::Malformed, "acpi: table length out of range");
    const auto table = TRY(memory.read(physical, length));
    if (!checksum_ok(table)) return base::make_error(base::ErrorCode::Corrupt, "acpi: table checksum mismatch");
    return table;
}

base::Result<AcpiCpuInfo> parse_madt(base::Span<const u8> madt) {
    if (madt.size() < kHeaderSize + 8) return base::make_error(base::ErrorCode::Malformed, "acpi: MADT too short");
    AcpiCpuInfo info;
    info.local_apic_physical = read_le32(madt.data() + kHeaderSize);
    base::usize offset = kHeaderSize + 8;
    // Invariant: [kHeaderSize + 8, offset) holds whole, well-formed entries.
    while (offset + 2 <= madt.size()) {
        const u8 type = madt[offset];
        const u8 length = madt[offset + 1];
        if (length < 2 || offset + length > madt.size())
            return base::make_error(base::ErrorCode::Malformed, "acpi: MADT entry runs past the table");
        const u8* entry = madt.data() + offset;
        switch (type) {
            case 0:  // processor local APIC: flags bit 0 enabled, bit 1 online capable
                if (length < 8) return base::make_error(base::ErrorCode::Malformed, "acpi: short local APIC entry");
                if (read_le32(entry + 4) & 3) ++info.cpu_count;
                break;
            case 1:  // I/O APIC
                if (length < 12) return base::make_error(base::ErrorCode::Malformed, "acpi: short I/O APIC entry");
                if (info.io_apic_physical == 0) info.io_apic_physical = read_le32(entry + 4);
                break;
            case 5:  // 64-bit local APIC address override
                if (length < 12) return base::make_error(base::ErrorCode::Malformed, "acpi: short APIC override entry");
                info.local_apic_physical = read_le64(entry + 4);
                break;
            case 9:  // processor local x2APIC
                if (length < 16) return base::make_error(base::ErrorCode::Malformed, "acpi: short x2APIC entry");
                if (read_le32(entry + 8) & 3) ++info.cpu_count;
                break;
            default: break;
        }
        offset += length;
    }
    if (info.cpu_count == 0) return base::make_error(base::ErrorCode::Malformed, "acpi: MADT lists no enabled CPU");
    return info;
}

}  // namespace

base::Result<AcpiCpuInfo> read_acpi_cpu_info(const PhysicalMemoryView& memory, u64 rsdp_physical) {
    if (rsdp_physical == 0) return base::make_error(base::ErrorCode::NotFound, "acpi: no RSDP");
    const auto rsdp = TRY(memory.read(rsdp_physical, 20));
    if (!(rsdp[0] == 'R' && rsdp[1] == 'S' && rsdp[2] == 'D' && rsdp[3] == ' ' && rsdp[4] == 'P' && rsdp[5] == 'T' &&
          rsdp[6] == 'R' && rsdp[7] == ' '))
        return base::make_error(base::ErrorCode::Malformed, "acpi: bad RSDP signature");
    if (!checksum_ok(rsdp)) return base::make_error(base::ErrorCode::Corrupt, "acpi: RSDP checksum mismatch");

    // ACPI 2+: the XSDT (64-bit entries); otherwise the RSDT (32-bit entries).
    u64 root_physical = read_le32(rsdp.data() + 16);
    base::usize entry_size = 4;
    if (rsdp[15] >= 2) {
        const auto extended = TRY(memory.read(rsdp_physical, 36));
        if (!checksum_ok(extended)) return base::make_error(base::ErrorCode::Corrupt, "acpi: extended RSDP checksum mismatch");
        const u64 xsdt = read_le64(extended.data() + 24);
        if (xsdt != 0) {
            root_physical = xsdt;
            entry_size = 8;
        }
    }
    const auto root = TRY(read_table(memory, root_physical));
    if (!signature_is(root.data(), entry_size == 8 ? "XSDT" : "RSDT"))
        return base::make_error(base::ErrorCode::Malformed, "acpi: root table has the wrong signature");
    const base::usize count = (root.size() - kHeaderSize) / entry_size;
    for (base::usize i = 0; i < count && i < kMaxTables; ++i) {
        const u8* entry = root.data() + kHeaderSize + i * entry_size;
        const u64 table_physical = entry_size == 8 ? read_le64(entry) : read_le32(entry);
        const auto header = memory.read(table_physical, kHeaderSize);
        if (header.is_error() || !signature_is(header.value().data(), "APIC")) continue;
        const auto madt = TRY(read_table(memory, table_physical));
        return parse_madt(madt);
    }
    return base::make_error(base::ErrorCode::NotFound, "acpi: no MADT");
}

}  // namespace kernel
