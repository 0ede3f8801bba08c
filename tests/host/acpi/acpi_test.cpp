// Host tests of the ACPI reader: the machines it must understand (XSDT and RSDT, local APICs
// and x2APICs — which CPUs run, boot CPU first —, the 64-bit LAPIC override) and every kind of damage it must refuse with a
// reason — bad signatures and checksums, truncated tables, lengths out of range, pointers
// outside memory — without reading outside the memory it was given.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "acpi_tables.h"
#include "kernel/boot/acpi.h"

namespace {

using namespace acpi_test;

kernel::AcpiCpuInfo read_ok(const FakeMemory& memory, uint64_t rsdp = kRsdpAt, uint64_t boot_cpu_id = 0) {
    auto result = kernel::read_acpi_cpu_info(memory.view(), rsdp, boot_cpu_id);
    EXPECT_TRUE(result.is_ok()) << (result.is_error() ? result.error().message : "");
    return result.is_ok() ? result.value() : kernel::AcpiCpuInfo{};
}

// The error message, or "" when the tables were accepted.
std::string read_error(const FakeMemory& memory, uint64_t rsdp = kRsdpAt) {
    auto result = kernel::read_acpi_cpu_info(memory.view(), rsdp, 0);
    return result.is_error() ? result.error().message : "";
}

#define EXPECT_REFUSED_WITH(memory, words)                                      \
    do {                                                                        \
        const std::string message = read_error(memory);                        \
        EXPECT_NE(message.find(words), std::string::npos) << "got: '" << message << "'"; \
    } while (0)

TEST(Acpi, AQemuLikeMachineGivesItsCpusAndInterruptControllers) {
    const auto info = read_ok(standard_machine(2));
    EXPECT_EQ(info.cpu_count, 2u);
    EXPECT_EQ(info.cpu_ids_kept, 2u);
    EXPECT_EQ(info.cpu_ids[0], 0u);
    EXPECT_EQ(info.cpu_ids[1], 1u);
    EXPECT_EQ(info.local_apic_physical, 0xfee00000u);
    EXPECT_EQ(info.io_apic_physical, 0xfec00000u);
}

TEST(Acpi, ManyCpusAreAllCounted) { EXPECT_EQ(read_ok(standard_machine(200)).cpu_count, 200u); }

TEST(Acpi, RevisionZeroRsdpUsesTheRsdt) {
    auto memory = standard_machine(3);
    memory.rsdp(kRsdpAt, 0, kRsdtAt, 0);
    memory.xsdt(kXsdtAt, {});  // an XSDT without the MADT: must not be the one read
    EXPECT_EQ(read_ok(memory).cpu_count, 3u);
}

TEST(Acpi, RevisionTwoPrefersTheXsdt) {
    auto memory = standard_machine(3);
    memory.rsdt(kRsdtAt, {kFadtAt});  // an RSDT without the MADT: must not be the one read
    EXPECT_EQ(read_ok(memory).cpu_count, 3u);
}

TEST(Acpi, RevisionTwoWithoutAnXsdtFallsBackToTheRsdt) {
    auto memory = standard_machine(3);
    memory.rsdp(kRsdpAt, 2, kRsdtAt, 0);
    memory.xsdt(kXsdtAt, {});
    EXPECT_EQ(read_ok(memory).cpu_count, 3u);
}

TEST(Acpi, OnlyEnabledCpusAreCounted) {
    auto memory = standard_machine(1);
    // enabled, disabled, online-capable but not enabled, enabled x2APIC, disabled x2APIC
    memory.madt(kMadtAt, 0xfee00000,
                {local_apic(0, 1), local_apic(1, 0), local_apic(2, 2), local_x2apic(300, 1), local_x2apic(301, 0)});
    EXPECT_EQ(read_ok(memory).cpu_count, 2u);
}

std::vector<uint64_t> kept_ids(const kernel::AcpiCpuInfo& info) {
    return std::vector<uint64_t>(info.cpu_ids, info.cpu_ids + info.cpu_ids_kept);
}

TEST(Acpi, TheBootCpuComesFirstThenEveryOtherEnabledCpuInTableOrder) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000,
                {local_apic(3, 1), local_apic(1, 1), local_apic(2, 0), local_apic(4, 2), local_x2apic(300, 1),
                 local_x2apic(301, 0)});
    const auto info = read_ok(memory, kRsdpAt, /*boot_cpu_id=*/1);
    EXPECT_EQ(kept_ids(info), (std::vector<uint64_t>{1, 3, 300}));
    EXPECT_EQ(info.cpu_count, 3u);
}

TEST(Acpi, AtMostSixteenCpusAreKeptAndTheBootCpuIsAlwaysOneOfThem) {
    const auto info = read_ok(standard_machine(200), kRsdpAt, /*boot_cpu_id=*/150);
    ASSERT_EQ(info.cpu_ids_kept, kernel::AcpiCpuInfo::kMaxCpuIds);
    EXPECT_EQ(info.cpu_ids[0], 150u);
    for (uint32_t i = 1; i < info.cpu_ids_kept; ++i) EXPECT_EQ(info.cpu_ids[i], i - 1);
    EXPECT_EQ(info.cpu_count, 200u);  // counted, though not all kept
}

TEST(Acpi, AProcessorListedTwiceIsKeptOnce) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), local_apic(5, 1), local_x2apic(5, 1), local_apic(0, 1)});
    EXPECT_EQ(kept_ids(read_ok(memory)), (std::vector<uint64_t>{0, 5}));
}

TEST(Acpi, ABootCpuTheTableDoesNotListStillRunsFirst) {
    const auto info = read_ok(standard_machine(2), kRsdpAt, /*boot_cpu_id=*/7);
    EXPECT_EQ(kept_ids(info), (std::vector<uint64_t>{7, 0, 1}));
}

TEST(Acpi, TheSixtyFourBitOverrideReplacesTheLocalApicAddress) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), local_apic_address_override(0x1'2345'6000)});
    EXPECT_EQ(read_ok(memory).local_apic_physical, 0x1'2345'6000u);
}

TEST(Acpi, TheFirstIoApicIsReported) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {io_apic(0xfec01000), local_apic(0, 1), io_apic(0xfec02000)});
    EXPECT_EQ(read_ok(memory).io_apic_physical, 0xfec01000u);
}

TEST(Acpi, UnknownMadtEntriesAreSkipped) {
    auto memory = standard_machine(1);
    MadtEntry interrupt_override{{2, 10, 0, 0, 2, 0, 0, 0, 0, 0}};
    MadtEntry nmi_source{{4, 6, 0xff, 0, 0, 1}};
    memory.madt(kMadtAt, 0xfee00000, {interrupt_override, local_apic(0, 1), nmi_source, local_apic(1, 1)});
    EXPECT_EQ(read_ok(memory).cpu_count, 2u);
}

TEST(Acpi, TablesThatCannotBeReadAreSkippedOnTheWayToTheMadt) {
    auto memory = standard_machine(2);
    memory.xsdt(kXsdtAt, {0xffff'ffff'0000ull, kFadtAt, kMadtAt});  // the first is outside memory
    EXPECT_EQ(read_ok(memory).cpu_count, 2u);
}

TEST(Acpi, AMachineWithoutAnRsdpOrMadtIsNotFound) {
    EXPECT_NE(read_error(standard_machine(1), 0).find("no RSDP"), std::string::npos);
    auto memory = standard_machine(1);
    memory.xsdt(kXsdtAt, {kFadtAt});
    EXPECT_REFUSED_WITH(memory, "no MADT");
}

TEST(Acpi, AMadtWithNoEnabledCpuIsRefused) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 0), io_apic(0xfec00000)});
    EXPECT_REFUSED_WITH(memory, "no enabled CPU");
    memory.madt(kMadtAt, 0, {local_apic(0, 1)});
    EXPECT_REFUSED_WITH(memory, "no local APIC address");
}

TEST(Acpi, BadSignaturesAreRefused) {
    auto memory = standard_machine(1);
    memory.put(kRsdpAt, "RSD PTX ", 8);
    EXPECT_REFUSED_WITH(memory, "RSDP signature");
    memory = standard_machine(1);
    memory.put(kXsdtAt, "RSDT", 4);
    memory.fix_table_checksum(kXsdtAt);
    EXPECT_REFUSED_WITH(memory, "wrong signature");
}

TEST(Acpi, BadChecksumsAreRefused) {
    auto memory = standard_machine(1);
    memory.bytes()[kRsdpAt + 9] ^= 1;  // OEM id, covered by both RSDP checksums
    EXPECT_REFUSED_WITH(memory, "RSDP checksum");
    memory = standard_machine(1);
    memory.bytes()[kRsdpAt + 24] ^= 0x10;  // XSDT address: only the extended checksum covers it
    EXPECT_REFUSED_WITH(memory, "extended RSDP checksum");
    memory = standard_machine(1);
    memory.bytes()[kXsdtAt + 20] ^= 1;
    EXPECT_REFUSED_WITH(memory, "table checksum");
    memory = standard_machine(1);
    memory.bytes()[kMadtAt + 44 + 4] ^= 1;  // the first CPU's flags
    EXPECT_REFUSED_WITH(memory, "table checksum");
}

TEST(Acpi, TableLengthsOutOfRangeAreRefused) {
    auto memory = standard_machine(1);
    memory.put32(kMadtAt + 4, 35);  // shorter than its own header
    EXPECT_REFUSED_WITH(memory, "length out of range");
    memory.put32(kMadtAt + 4, 0x7fff'ffff);
    EXPECT_REFUSED_WITH(memory, "length out of range");
    memory = standard_machine(1);
    memory.put32(kXsdtAt + 4, 0);
    EXPECT_REFUSED_WITH(memory, "length out of range");
    memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {});
    memory.put32(kMadtAt + 4, 40);  // a MADT without its fixed fields
    memory.fix_table_checksum(kMadtAt);
    EXPECT_REFUSED_WITH(memory, "MADT too short");
}

TEST(Acpi, TablesRunningOffTheEndOfMemoryAreRefused) {
    FakeMemory memory(0x30000);
    memory.rsdp(0x1000, 2, 0, kXsdtAt);
    memory.xsdt(kXsdtAt, {0x2fff0});  // a header that starts 16 bytes before the end
    memory.put(0x2fff0, "APIC", 4);
    EXPECT_REFUSED_WITH(memory, "");  // skipped as unreadable, so: no MADT
    EXPECT_NE(read_error(memory, 0x1000).find("no MADT"), std::string::npos);

    // A MADT whose header fits but whose length reaches past memory.
    memory.xsdt(kXsdtAt, {0x2ff00});
    memory.table(0x2ff00, "APIC", std::vector<uint8_t>(8, 0));
    memory.put32(0x2ff00 + 4, 0x200);
    EXPECT_NE(read_error(memory, 0x1000).find("outside readable memory"), std::string::npos);

    // An RSDP in the last bytes of memory, and one whose XSDT lies beyond it.
    EXPECT_NE(read_error(memory, 0x2fff8).find("outside readable memory"), std::string::npos);
    memory.rsdp(0x1000, 2, 0, 0x10'0000'0000ull);
    EXPECT_NE(read_error(memory, 0x1000).find("outside readable memory"), std::string::npos);
}

TEST(Acpi, TruncatedOrOverlongMadtEntriesAreRefused) {
    auto memory = standard_machine(1);
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{0}}});  // one byte of a header
    EXPECT_REFUSED_WITH(memory, "ends inside an entry header");

    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{7, 1, 0}}});
    EXPECT_REFUSED_WITH(memory, "shorter than its header");

    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{7, 200, 0, 0}}});
    EXPECT_REFUSED_WITH(memory, "runs past the table");

    memory.madt(kMadtAt, 0xfee00000, {MadtEntry{{0, 6, 0, 0, 1, 0}}});
    EXPECT_REFUSED_WITH(memory, "short local APIC");
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{9, 12, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}}});
    EXPECT_REFUSED_WITH(memory, "short x2APIC");
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{1, 8, 0, 0, 0, 0, 0xc0, 0xfe}}});
    EXPECT_REFUSED_WITH(memory, "short I/O APIC");
    memory.madt(kMadtAt, 0xfee00000, {local_apic(0, 1), MadtEntry{{5, 8, 0, 0, 0, 0, 0, 0}}});
    EXPECT_REFUSED_WITH(memory, "short local APIC address override");
}

// Every table the reader uses is checksummed, so no single damaged byte may pass unnoticed.
TEST(Acpi, EverySingleByteChangeToTheTablesReadIsRefused) {
    const auto pristine = standard_machine(2);
    struct Range {
        size_t at, length;
    };
    const Range ranges[] = {{kRsdpAt, 36}, {kXsdtAt, 36 + 16}, {kMadtAt, 44 + 2 * 8 + 12}};
    int refused = 0, tried = 0;
    for (const Range& range : ranges) {
        for (size_t offset = 0; offset < range.length; ++offset) {
            for (uint8_t flip : {uint8_t(0x01), uint8_t(0x80)}) {
                auto memory = pristine;
                memory.bytes()[range.at + offset] ^= flip;
                ++tried;
                if (!read_error(memory).empty()) ++refused;
                else ADD_FAILURE() << "byte " << offset << " of the table at " << range.at << " flipped by " << int(flip);
            }
        }
    }
    EXPECT_EQ(refused, tried);
}

TEST(AcpiBiosArea, TheRsdpIsFoundInTheBiosArea) {
    const auto memory = standard_machine(1);
    auto found = kernel::find_rsdp_in_bios_area(memory.view());
    ASSERT_TRUE(found.is_ok()) << found.error().message;
    EXPECT_EQ(found.value(), kRsdpAt);
}

TEST(AcpiBiosArea, TheRsdpIsFoundInTheEbdaFirst) {
    auto memory = standard_machine(1);
    memory.put16(0x40e, 0x9fc0);  // EBDA at 0x9fc00
    memory.rsdp(0x9fc00 + 0x30, 2, kRsdtAt, kXsdtAt);
    auto found = kernel::find_rsdp_in_bios_area(memory.view());
    ASSERT_TRUE(found.is_ok());
    EXPECT_EQ(found.value(), 0x9fc30u);
}

TEST(AcpiBiosArea, DamagedOrMisalignedCandidatesAreSkipped) {
    FakeMemory memory;
    memory.rsdp(0xe0008, 0, kRsdtAt, 0);  // not on a 16-byte boundary
    memory.rsdp(0xe1000, 0, kRsdtAt, 0);
    memory.bytes()[0xe1000 + 10] ^= 1;  // bad checksum
    memory.rsdp(0xf0000, 0, kRsdtAt, 0);
    auto found = kernel::find_rsdp_in_bios_area(memory.view());
    ASSERT_TRUE(found.is_ok());
    EXPECT_EQ(found.value(), 0xf0000u);
}

TEST(AcpiBiosArea, MemoryWithoutAnRsdpOrTooSmallIsNotFound) {
    EXPECT_TRUE(kernel::find_rsdp_in_bios_area(FakeMemory().view()).is_error());
    FakeMemory small(0xe0100);  // ends early in the BIOS area, EBDA pointer outside it
    small.put16(0x40e, 0xffff);
    auto result = kernel::find_rsdp_in_bios_area(small.view());
    ASSERT_TRUE(result.is_error());
    EXPECT_NE(std::string(result.error().message).find("no RSDP"), std::string::npos);
}

}  // namespace
