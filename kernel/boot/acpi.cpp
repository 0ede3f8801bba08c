// ACPI table walking (ACPI 6.5: 5.2.5 RSDP, 5.2.6 system description table header, 5.2.7
// RSDT, 5.2.8 XSDT, 5.2.12 MADT). Nothing is trusted: each pointer is read through the
// view, each length is checked against the table holding it, each checksum is verified.
#include "kernel/boot/acpi.h"

namespace kernel {
namespace {

using base::u32;
using base::u64;
using base::u8;

constexpr base::usize kRsdpVersion1Size = 20;  // up to and including the RSDT address
constexpr base::usize kRsdpVersion2Size = 36;  // plus length, XSDT address, extended checksum
constexpr base::usize kHeaderSize = 36;
constexpr base::usize kMadtFixedSize = kHeaderSize + 8;  // local APIC address and flags
constexpr u32 kMaxTableLength = 1 << 20;  // a sane bound: real root tables and MADTs are KiB

// MADT entry types and their minimum lengths.
constexpr u8 kProcessorLocalApic = 0, kIoApic = 1, kLocalApicAddressOverride = 5, kProcessorLocalX2apic = 9;
constexpr u32 kProcessorEnabled = 1;  // flags bit 0; bit 1 (online capable) is not a running CPU

base::Error malformed(const char* message) { return base::make_error(base::ErrorCode::Malformed, message); }

bool checksum_ok(base::Span<const u8> bytes) {
    u8 sum = 0;
    for (u8 byte : bytes) sum = static_cast<u8>(sum + byte);
    return sum == 0;
}

bool signature_is(const u8* at, const char* signature, base::usize length) {
    for (base::usize i = 0; i < length; ++i)
        if (at[i] != static_cast<u8>(signature[i])) return false;
    return true;
}

// A whole system description table: header read, length bounded, checksum verified.
base::Result<base::Span<const u8>> read_table(const PhysicalMemoryView& memory, u64 physical) {
    const auto header = TRY(memory.read(physical, kHeaderSize));
    const u32 length = read_le32(header.data() + 4);
    if (length < kHeaderSize || length > kMaxTableLength) return malformed("acpi: table length out of range");
    const auto table = TRY(memory.read(physical, length));
    if (!checksum_ok(table)) return base::make_error(base::ErrorCode::Corrupt, "acpi: table checksum mismatch");
    return table;
}

// Keeps an enabled CPU's id unless it is already kept (the boot CPU, or a firmware listing one
// processor twice) or there is no room left.
void keep_cpu(AcpiCpuInfo& info, u64 id) {
    // Bound: at most kMaxCpuIds ids are kept.
    for (u32 i = 0; i < info.cpu_ids_kept; ++i)
        if (info.cpu_ids[i] == id) return;
    if (info.cpu_ids_kept < AcpiCpuInfo::kMaxCpuIds) info.cpu_ids[info.cpu_ids_kept++] = id;
}

base::Result<AcpiCpuInfo> parse_madt(base::Span<const u8> madt, u64 boot_cpu_id) {
    if (madt.size() < kMadtFixedSize) return malformed("acpi: MADT too short");
    AcpiCpuInfo info;
    info.cpu_ids[0] = boot_cpu_id;
    info.cpu_ids_kept = 1;
    info.local_apic_physical = read_le32(madt.data() + kHeaderSize);
    base::usize offset = kMadtFixedSize;
    // Invariant: [kMadtFixedSize, offset) holds whole, well-formed entries. Each entry is at
    // least 2 bytes long, so the loop ends within the table's (bounded) length.
    while (offset < madt.size()) {
        if (madt.size() - offset < 2) return malformed("acpi: MADT ends inside an entry header");
        const u8 type = madt[offset];
        const u8 length = madt[offset + 1];
        if (length < 2) return malformed("acpi: MADT entry shorter than its header");
        if (length > madt.size() - offset) return malformed("acpi: MADT entry runs past the table");
        const u8* entry = madt.data() + offset;
        switch (type) {
            case kProcessorLocalApic:  // processor UID, APIC ID, flags
                if (length < 8) return malformed("acpi: short local APIC entry");
                if (read_le32(entry + 4) & kProcessorEnabled) {
                    ++info.cpu_count;
                    keep_cpu(info, entry[3]);
                }
                break;
            case kIoApic:  // ID, reserved, address, global interrupt base
                if (length < 12) return malformed("acpi: short I/O APIC entry");
                if (info.io_apic_physical == 0) info.io_apic_physical = read_le32(entry + 4);
                break;
            case kLocalApicAddressOverride:  // reserved, 64-bit address
                if (length < 12) return malformed("acpi: short local APIC address override entry");
                info.local_apic_physical = read_le64(entry + 4);
                break;
            case kProcessorLocalX2apic:  // reserved, x2APIC ID, flags, processor UID
                if (length < 16) return malformed("acpi: short x2APIC entry");
                if (read_le32(entry + 8) & kProcessorEnabled) {
                    ++info.cpu_count;
                    keep_cpu(info, read_le32(entry + 4));
                }
                break;
            default: break;  // other entry kinds do not concern the kernel today
        }
        offset += length;
    }
    if (info.cpu_count == 0) return malformed("acpi: MADT lists no enabled CPU");
    if (info.local_apic_physical == 0) return malformed("acpi: MADT gives no local APIC address");
    return info;
}

// Where the root table is and how wide its entries are, from a checked RSDP.
struct RootPointer {
    u64 physical;
    base::usize entry_size;  // 8 for the XSDT, 4 for the RSDT
};

base::Result<RootPointer> read_rsdp(const PhysicalMemoryView& memory, u64 rsdp_physical) {
    const auto rsdp = TRY(memory.read(rsdp_physical, kRsdpVersion1Size));
    if (!signature_is(rsdp.data(), "RSD PTR ", 8)) return malformed("acpi: bad RSDP signature");
    if (!checksum_ok(rsdp)) return base::make_error(base::ErrorCode::Corrupt, "acpi: RSDP checksum mismatch");
    // Revision 2 and later: the XSDT (64-bit entries) when present, else the RSDT.
    if (rsdp[15] >= 2) {
        const auto extended = TRY(memory.read(rsdp_physical, kRsdpVersion2Size));
        if (!checksum_ok(extended))
            return base::make_error(base::ErrorCode::Corrupt, "acpi: extended RSDP checksum mismatch");
        const u64 xsdt = read_le64(extended.data() + 24);
        if (xsdt != 0) return RootPointer{xsdt, 8};
    }
    const u64 rsdt = read_le32(rsdp.data() + 16);
    if (rsdt == 0) return malformed("acpi: RSDP gives no root table");
    return RootPointer{rsdt, 4};
}

}  // namespace

base::Result<AcpiCpuInfo> read_acpi_cpu_info(const PhysicalMemoryView& memory, u64 rsdp_physical, u64 boot_cpu_id) {
    if (rsdp_physical == 0) return base::make_error(base::ErrorCode::NotFound, "acpi: no RSDP");
    const RootPointer pointer = TRY(read_rsdp(memory, rsdp_physical));
    const auto root = TRY(read_table(memory, pointer.physical));
    if (!signature_is(root.data(), pointer.entry_size == 8 ? "XSDT" : "RSDT", 4))
        return malformed("acpi: root table has the wrong signature");
    // The root's length is bounded by read_table, so is the number of entries.
    const base::usize count = (root.size() - kHeaderSize) / pointer.entry_size;
    for (base::usize i = 0; i < count; ++i) {
        const u8* entry = root.data() + kHeaderSize + i * pointer.entry_size;
        const u64 table_physical = pointer.entry_size == 8 ? read_le64(entry) : read_le32(entry);
        // A table we cannot even read the header of is skipped: it may be one we do not need.
        const auto header = memory.read(table_physical, kHeaderSize);
        if (header.is_error() || !signature_is(header.value().data(), "APIC", 4)) continue;
        const auto madt = TRY(read_table(memory, table_physical));
        AcpiCpuInfo info = TRY(parse_madt(madt, boot_cpu_id));
        info.tables_read[0] = {rsdp_physical, kRsdpVersion2Size};  // at most this much of it was read
        info.tables_read[1] = {pointer.physical, root.size()};
        info.tables_read[2] = {table_physical, madt.size()};
        return info;
    }
    return base::make_error(base::ErrorCode::NotFound, "acpi: no MADT in the root table");
}

base::Result<u64> find_rsdp_in_bios_area(const PhysicalMemoryView& memory) {
    struct Area {
        u64 start, length;
    };
    Area areas[2] = {{0, 0}, {0xe0000, 0x20000}};
    // The BIOS data area's word at 0x40e holds the EBDA's real-mode segment.
    if (const auto segment = memory.read(0x40e, 2); segment.is_ok()) {
        const u64 ebda = u64(read_le16(segment.value().data())) << 4;
        if (ebda != 0) areas[0] = {ebda, 1024};
    }
    for (const Area& area : areas) {
        for (u64 at = area.start; at + kRsdpVersion1Size <= area.start + area.length; at += 16) {
            const auto candidate = memory.read(at, kRsdpVersion1Size);
            if (candidate.is_error()) break;  // the rest of this area is outside the view
            if (signature_is(candidate.value().data(), "RSD PTR ", 8) && checksum_ok(candidate.value())) return at;
        }
    }
    return base::make_error(base::ErrorCode::NotFound, "acpi: no RSDP in the EBDA or the BIOS area");
}

}  // namespace kernel
