// Host tests of the page-table walker at the edges of the address space: each table serves one
// half (the kernel's or a user's) and refuses the other, user mappings are never global, and
// the last pages below 2^64 and below the end of the lower half map, protect and unmap like
// any others instead of wrapping around.
#include <gtest/gtest.h>

#include "page_table_arena.h"

namespace {

using base::u64;
using kernel::AddressHalf;
using kernel::MappingFlags;
using kernel::test::Arena;

const MappingFlags kReadWrite{.writable = true, .executable = false};
const MappingFlags kReadOnly{};
const MappingFlags kUserReadWrite{.writable = true, .executable = false, .user = true};

constexpr u64 kTopPage = 0xffff'ffff'ffff'f000;
constexpr u64 kKernelAddress = 0xffff'8000'4000'0000;  // upper half on both formats

template <class Format>
class PageTableHalves : public kernel::test::PageTableTest<Format> {
protected:
    kernel::PageTable<Format> user_table{AddressHalf::Lower, this->arena.root(), this->arena, &Arena::to_pointer};
    // The highest page of the lower half: bit 47 (x86_64) or bit 48 (aarch64) is the first
    // one the lower half does not have.
    static constexpr u64 kLowerTopPage = Format::is_canonical(0x0000'8000'0000'0000) ? 0x0000'ffff'ffff'f000
                                                                                       : 0x0000'7fff'ffff'f000;
};

using Formats = ::testing::Types<kernel::X86_64PageTableFormat, kernel::Aarch64PageTableFormat>;
TYPED_TEST_SUITE(PageTableHalves, Formats);

TYPED_TEST(PageTableHalves, TheKernelTableRefusesLowerHalfAddresses) {
    // On aarch64 the upper-half table is indexed by the same bits as the lower half: a lower
    // address accepted here would alias kKernelAddress.
    ASSERT_TRUE(this->table.map(kKernelAddress, 0x1000, 4096, kReadWrite).is_ok());
    const u64 alias = kKernelAddress & 0x0000'ffff'ffff'ffff;
    EXPECT_FALSE(this->table.translate(alias).has_value());
    EXPECT_FALSE(this->table.translate(0).has_value());
    EXPECT_TRUE(this->table.map(0x1000, 0x1000, 4096, kReadWrite).is_error());
    EXPECT_TRUE(this->table.map(0x4000'0000, 0x4000'0000, 4096, kReadWrite).is_error());
    EXPECT_TRUE(this->table.unmap(alias, 4096).is_error());
    EXPECT_TRUE(this->table.protect(alias, 4096, kReadOnly).is_error());
    EXPECT_TRUE(this->table.translate(kKernelAddress)->flags.writable);  // untouched
}

TYPED_TEST(PageTableHalves, TheKernelTableRefusesUserMappings) {
    const auto result = this->table.map(kKernelAddress, 0x1000, 4096, kUserReadWrite);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::InvalidArgument);
    EXPECT_FALSE(this->table.translate(kKernelAddress).has_value());
    ASSERT_TRUE(this->table.map(kKernelAddress, 0x1000, 4096, kReadWrite).is_ok());
    EXPECT_TRUE(this->table.protect(kKernelAddress, 4096, kUserReadWrite).is_error());
    EXPECT_FALSE(this->table.translate(kKernelAddress)->flags.user);
}

TYPED_TEST(PageTableHalves, AUserTableRefusesUpperHalfAddresses) {
    EXPECT_TRUE(this->user_table.map(kKernelAddress, 0x1000, 4096, kUserReadWrite).is_error());
    EXPECT_TRUE(this->user_table.map(kTopPage, 0x1000, 4096, kUserReadWrite).is_error());
    EXPECT_TRUE(this->user_table.unmap(kKernelAddress, 4096).is_error());
    EXPECT_FALSE(this->user_table.translate(kKernelAddress).has_value());
}

TYPED_TEST(PageTableHalves, UserMappingsAreNeverGlobal) {
    // MappingFlags default to global; a user table must clear it, in the entry itself.
    ASSERT_TRUE(this->user_table.map(0x40'0000, 0x1000, 4096, kUserReadWrite).is_ok());
    ASSERT_TRUE(this->user_table.map(0x60'0000, 0x20'0000, 2 << 20, kUserReadWrite).is_ok());  // a block
    const MappingFlags global_asked{.writable = false, .executable = true, .user = true, .global = true};
    ASSERT_TRUE(this->user_table.map(0x1000'0000, 0x3000, 4096, global_asked).is_ok());
    ASSERT_TRUE(this->user_table.protect(0x40'0000, 4096, global_asked).is_ok());
    int leaves = 0;
    this->user_table.for_each_mapping([&](u64 virt, const kernel::Translation& translation) {
        ++leaves;
        EXPECT_FALSE(translation.flags.global) << std::hex << virt;
        EXPECT_TRUE(translation.flags.user) << std::hex << virt;
    });
    EXPECT_EQ(leaves, 3);
    EXPECT_FALSE(this->user_table.translate(0x1000'0000)->flags.global);
    // The kernel's own mappings stay global.
    ASSERT_TRUE(this->table.map(kKernelAddress, 0x1000, 4096, kReadWrite).is_ok());
    EXPECT_TRUE(this->table.translate(kKernelAddress)->flags.global);
}

TYPED_TEST(PageTableHalves, WritableAndExecutableAtOnceIsRefused) {
    const MappingFlags writable_executable{.writable = true, .executable = true};
    EXPECT_TRUE(this->table.map(kKernelAddress, 0x1000, 4096, writable_executable).is_error());
    EXPECT_FALSE(this->table.translate(kKernelAddress).has_value());
    ASSERT_TRUE(this->table.map(kKernelAddress, 0x1000, 4096, kReadWrite).is_ok());
    EXPECT_TRUE(this->table.protect(kKernelAddress, 4096, writable_executable).is_error());
    EXPECT_FALSE(this->table.translate(kKernelAddress)->flags.executable);
}

TYPED_TEST(PageTableHalves, TheLastPageOfTheAddressSpaceMapsProtectsAndUnmaps) {
    auto& table = this->table;
    const std::size_t tables_before = this->arena.live_tables();
    ASSERT_TRUE(table.map(kTopPage, 0x5000, 4096, kReadWrite).is_ok());
    EXPECT_EQ(table.translate(kTopPage + 0xfff)->physical, 0x5fffu);
    // Already mapped: refused, and nothing changes.
    const auto again = table.map(kTopPage, 0x9000, 4096, kReadWrite);
    ASSERT_TRUE(again.is_error());
    EXPECT_EQ(again.error().code, base::ErrorCode::AlreadyExists);
    EXPECT_EQ(table.translate(kTopPage)->physical, 0x5000u);
    EXPECT_TRUE(table.map(kTopPage - 0x3000, 0x9000, 0x4000, kReadWrite).is_error());  // overlaps at its end
    EXPECT_FALSE(table.translate(kTopPage - 0x3000).has_value());
    // Protect reaches it.
    ASSERT_TRUE(table.protect(kTopPage, 4096, kReadOnly).is_ok());
    EXPECT_FALSE(table.translate(kTopPage)->flags.writable);
    EXPECT_TRUE(table.protect(kTopPage - 0x1000, 0x2000, kReadOnly).is_error());  // one page unmapped
    // Unmap reaches it and frees the tables it needed, but for the one a root entry names.
    ASSERT_TRUE(table.unmap(kTopPage, 4096).is_ok());
    EXPECT_FALSE(table.translate(kTopPage).has_value());
    EXPECT_EQ(this->arena.live_tables(), tables_before + 1);
    // One page past the top wraps: refused.
    EXPECT_TRUE(table.map(kTopPage, 0x5000, 0x2000, kReadWrite).is_error());
    EXPECT_TRUE(table.unmap(kTopPage, 0x2000).is_error());
}

TYPED_TEST(PageTableHalves, ALargePageAtTheTopSplitsWhenPartlyUnmapped) {
    auto& table = this->table;
    constexpr u64 kTopBlock = 0xffff'ffff'ffe0'0000;
    ASSERT_TRUE(table.map(kTopBlock, 0x20'0000, 2 << 20, kReadWrite).is_ok());
    EXPECT_EQ(table.translate(kTopPage)->page_size, 2u << 20);
    ASSERT_TRUE(table.protect(kTopPage - 0x1000, 0x2000, kReadOnly).is_ok());
    EXPECT_FALSE(table.translate(kTopPage)->flags.writable);
    EXPECT_FALSE(table.translate(kTopPage - 0x1000)->flags.writable);
    EXPECT_TRUE(table.translate(kTopPage - 0x2000)->flags.writable);
    ASSERT_TRUE(table.unmap(kTopPage, 0x1000).is_ok());
    EXPECT_FALSE(table.translate(kTopPage).has_value());
    EXPECT_EQ(table.translate(kTopPage - 0x1000)->physical, 0x3f'e000u);
    ASSERT_TRUE(table.unmap(kTopBlock, 2 << 20).is_ok());
    int leaves = 0;
    table.for_each_mapping([&](u64, const kernel::Translation&) { ++leaves; });
    EXPECT_EQ(leaves, 0);
    EXPECT_EQ(this->arena.live_tables(), 3u);  // the two roots and the table of the kernel's root entry
}

TYPED_TEST(PageTableHalves, TheLastPageOfTheLowerHalfMapsProtectsAndUnmaps) {
    auto& table = this->user_table;
    const u64 top = this->kLowerTopPage;
    ASSERT_TRUE(table.map(top - 0x1000, 0x7000, 0x2000, kUserReadWrite).is_ok());
    EXPECT_EQ(table.translate(top)->physical, 0x8000u);
    EXPECT_TRUE(table.map(top, 0x7000, 0x2000, kUserReadWrite).is_error());  // runs out of the half
    ASSERT_TRUE(table.protect(top, 0x1000, MappingFlags{.user = true}).is_ok());
    EXPECT_FALSE(table.translate(top)->flags.writable);
    ASSERT_TRUE(table.unmap(top - 0x1000, 0x2000).is_ok());
    EXPECT_FALSE(table.translate(top).has_value());
}

TYPED_TEST(PageTableHalves, EveryMappingIsVisitedOnceWithItsAddress) {
    auto& table = this->table;
    ASSERT_TRUE(table.map(kKernelAddress, 0x40'0000, 0x3000, kReadWrite).is_ok());
    ASSERT_TRUE(table.map(kKernelAddress + (4 << 20), 0x40'0000, 2 << 20, kReadOnly).is_ok());
    ASSERT_TRUE(table.map(kTopPage, 0x9000, 0x1000, kReadOnly).is_ok());
    std::vector<std::pair<u64, u64>> seen;  // (virtual, physical)
    table.for_each_mapping([&](u64 virt, const kernel::Translation& translation) {
        seen.push_back({virt, translation.physical});
        EXPECT_EQ(table.translate(virt)->physical, translation.physical);
    });
    const std::vector<std::pair<u64, u64>> expected = {
        {kKernelAddress, 0x40'0000}, {kKernelAddress + 0x1000, 0x40'1000}, {kKernelAddress + 0x2000, 0x40'2000},
        {kKernelAddress + (4 << 20), 0x40'0000}, {kTopPage, 0x9000}};
    EXPECT_EQ(seen, expected);
}

}  // namespace
