// Host tests of memory-map normalisation: overlaps resolve to the more restrictive kind,
// usable RAM is page-trimmed, and nothing reserved ever comes out as usable.
#include <gtest/gtest.h>

#include "kernel/boot/memory_map.h"

namespace {

using kernel::MemoryKind;
using kernel::MemoryMap;
using kernel::MemoryRegion;

MemoryKind kind_at(const MemoryMap& map, uint64_t address) {
    for (const auto& region : map.regions())
        if (region.base <= address && address < region.end()) return region.kind;
    return MemoryKind::Unusable;
}

TEST(MemoryMap, ReservingCarvesTheRangeOutOfUsableRam) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0x10'0000, 0x100'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.reserve(0x20'0000, 0x8'0000, MemoryKind::KernelImage).is_ok());
    map.normalize();
    ASSERT_EQ(map.regions().size(), 3u);
    EXPECT_EQ(kind_at(map, 0x1f'ffff), MemoryKind::Usable);
    EXPECT_EQ(kind_at(map, 0x20'0000), MemoryKind::KernelImage);
    EXPECT_EQ(kind_at(map, 0x28'0000), MemoryKind::Usable);
    EXPECT_EQ(map.usable_bytes() + 0x8'0000, 0x100'0000u);
    EXPECT_EQ(map.total_ram_bytes(), 0x100'0000u);
}

TEST(MemoryMap, OverlappingFirmwareRegionsResolveToTheMoreRestrictiveKind) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.add({0x800'0000, 0x1000'0000, MemoryKind::Reserved}).is_ok());  // overlaps the top half
    ASSERT_TRUE(map.add({0x400'0000, 0x1000, MemoryKind::AcpiNvs}).is_ok());
    map.normalize();
    EXPECT_EQ(kind_at(map, 0x7ff'ffff), MemoryKind::Usable);
    EXPECT_EQ(kind_at(map, 0x800'0000), MemoryKind::Reserved);
    EXPECT_EQ(kind_at(map, 0x400'0000), MemoryKind::AcpiNvs);
    EXPECT_EQ(map.highest_usable_address(), 0x800'0000u);
}

TEST(MemoryMap, UsableRegionsAreTrimmedToWholePages) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0x1234, 0x10'0000, MemoryKind::Usable}).is_ok());
    map.normalize();
    ASSERT_EQ(map.regions().size(), 1u);
    EXPECT_EQ(map.regions()[0].base, 0x2000u);
    EXPECT_EQ(map.regions()[0].end(), 0x10'1000u);
}

TEST(MemoryMap, RegionsAreSortedAndNeighboursMerged) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0x20'0000, 0x10'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.add({0x10'0000, 0x10'0000, MemoryKind::Usable}).is_ok());
    map.normalize();
    ASSERT_EQ(map.regions().size(), 1u);
    EXPECT_EQ(map.regions()[0].base, 0x10'0000u);
    EXPECT_EQ(map.regions()[0].size, 0x20'0000u);
}

TEST(MemoryMap, EmptyAndWrappingRegionsAreRefused) {
    MemoryMap map;
    EXPECT_TRUE(map.add({0x1000, 0, MemoryKind::Usable}).is_error());
    EXPECT_TRUE(map.add({~0ull - 10, 0x1000, MemoryKind::Usable}).is_error());
    EXPECT_TRUE(map.reserve(0x1000, 0x1000, MemoryKind::Usable).is_error());
    EXPECT_TRUE(map.regions().empty());
}

TEST(MemoryMap, AFullMapSaysSoInsteadOfDroppingRegions) {
    MemoryMap map;
    // Disjoint, unmergeable regions (alternating kinds) fill the map.
    for (uint64_t i = 0; i < MemoryMap::kMaxRegions; ++i) {
        ASSERT_TRUE(map.add({i * 0x2000, 0x1000, i % 2 ? MemoryKind::Reserved : MemoryKind::Usable}).is_ok());
    }
    const auto result = map.add({0x1000'0000, 0x1000, MemoryKind::Usable});
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::OutOfMemory);
}

}  // namespace
