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
    EXPECT_TRUE(map.normalize().is_ok());
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
    EXPECT_TRUE(map.normalize().is_ok());
    EXPECT_EQ(kind_at(map, 0x7ff'ffff), MemoryKind::Usable);
    EXPECT_EQ(kind_at(map, 0x800'0000), MemoryKind::Reserved);
    EXPECT_EQ(kind_at(map, 0x400'0000), MemoryKind::AcpiNvs);
    EXPECT_EQ(map.highest_usable_address(), 0x800'0000u);
}

TEST(MemoryMap, UsableRegionsAreTrimmedToWholePages) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0x1234, 0x10'0000, MemoryKind::Usable}).is_ok());
    EXPECT_TRUE(map.normalize().is_ok());
    ASSERT_EQ(map.regions().size(), 1u);
    EXPECT_EQ(map.regions()[0].base, 0x2000u);
    EXPECT_EQ(map.regions()[0].end(), 0x10'1000u);
}

TEST(MemoryMap, RegionsAreSortedAndNeighboursMerged) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0x20'0000, 0x10'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.add({0x10'0000, 0x10'0000, MemoryKind::Usable}).is_ok());
    EXPECT_TRUE(map.normalize().is_ok());
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

TEST(MemoryMap, HolesPunchedIntoRamKeepEveryRegionOrSayTheMapIsFull) {
    // One RAM region with 63 reserved holes resolves into 127 regions: all kept.
    MemoryMap fits;
    ASSERT_TRUE(fits.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    for (uint64_t i = 0; i < 63; ++i) ASSERT_TRUE(fits.reserve(0x10'0000 + i * 0x10'0000, 0x1000, MemoryKind::Reserved).is_ok());
    ASSERT_TRUE(fits.normalize().is_ok());
    EXPECT_EQ(fits.regions().size(), 127u);
    EXPECT_EQ(fits.usable_bytes(), 0x1000'0000u - 63 * 0x1000);
    EXPECT_EQ(kind_at(fits, 0x0ff0'0000), MemoryKind::Usable);  // the tail of RAM is still there
    for (uint64_t i = 0; i < 63; ++i) EXPECT_EQ(kind_at(fits, 0x10'0000 + i * 0x10'0000), MemoryKind::Reserved);

    // With 100 holes it would take 201 regions: an error, and the map is left as it was rather
    // than losing the RAM (and reservations) past the 128th region.
    MemoryMap too_many;
    ASSERT_TRUE(too_many.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    for (uint64_t i = 0; i < 100; ++i) ASSERT_TRUE(too_many.reserve(0x10'0000 + i * 0x10'0000, 0x1000, MemoryKind::Reserved).is_ok());
    const auto result = too_many.normalize();
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::OutOfMemory);
    EXPECT_EQ(too_many.regions().size(), 101u);
    EXPECT_EQ(too_many.regions()[0].kind, MemoryKind::Usable);
    EXPECT_EQ(too_many.regions()[0].size, 0x1000'0000u);
}

TEST(MemoryMap, ExactlyAFullMapNormalizes) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    // 64 holes not touching either end: 64 reserved + 65 usable = 129, one too many...
    for (uint64_t i = 0; i < 64; ++i) ASSERT_TRUE(map.reserve(0x10'0000 + i * 0x10'0000, 0x1000, MemoryKind::Reserved).is_ok());
    EXPECT_TRUE(map.normalize().is_error());
    // ...and one hole at the very start instead of in the middle: 128, which fits.
    MemoryMap full;
    ASSERT_TRUE(full.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(full.reserve(0, 0x1000, MemoryKind::Reserved).is_ok());
    for (uint64_t i = 0; i < 63; ++i) ASSERT_TRUE(full.reserve(0x10'0000 + i * 0x10'0000, 0x1000, MemoryKind::Reserved).is_ok());
    ASSERT_TRUE(full.normalize().is_ok());
    EXPECT_EQ(full.regions().size(), MemoryMap::kMaxRegions);
    EXPECT_EQ(full.regions()[MemoryMap::kMaxRegions - 1].end(), 0x1000'0000u);
}

TEST(MemoryMap, AddingToAFullMapThatCannotMergeIsAnErrorAndLosesNothing) {
    MemoryMap map;
    ASSERT_TRUE(map.add({0, 0x1000'0000, MemoryKind::Usable}).is_ok());
    for (uint64_t i = 0; i < MemoryMap::kMaxRegions - 1; ++i)
        ASSERT_TRUE(map.reserve(0x10'0000 + i * 0x10'0000, 0x1000, MemoryKind::Reserved).is_ok());
    // Full (128 raw regions), and merging would need 255: the add is refused.
    const auto result = map.reserve(0x0fff'0000, 0x1000, MemoryKind::Reserved);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(map.regions().size(), MemoryMap::kMaxRegions);
    EXPECT_EQ(kind_at(map, 0x0ff0'0000), MemoryKind::Usable);  // the RAM past the 128th interval is still described
}

TEST(MemoryMap, UsableBytesInTheLastPageOfTheAddressSpaceAreNotAWholePage) {
    // Rounding the start up to a page wraps to 0 there; that must not become "all of memory".
    // (Found by the PVH fuzzer's memory-map invariant check.)
    MemoryMap map;
    ASSERT_TRUE(map.add({0x10'0000, 0x10'0000, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.add({0xffff'ffff'ffff'ff02, 0xf, MemoryKind::Usable}).is_ok());
    ASSERT_TRUE(map.normalize().is_ok());
    EXPECT_EQ(map.usable_bytes(), 0x10'0000u);
    EXPECT_EQ(kind_at(map, 0), MemoryKind::Unusable);  // not described at all
    EXPECT_EQ(map.highest_usable_address(), 0x20'0000u);
}

}  // namespace
