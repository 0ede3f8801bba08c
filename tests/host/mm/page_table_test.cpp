// Host tests of the portable page-table walker, over an arena acting as physical memory, for
// both architectures' entry formats.
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "page_table_arena.h"

namespace {

using base::u64;
using kernel::MappingFlags;
using kernel::test::PageTableTest;

using Formats = ::testing::Types<kernel::X86_64PageTableFormat, kernel::Aarch64PageTableFormat>;
TYPED_TEST_SUITE(PageTableTest, Formats);

constexpr u64 kKernelBase = 0xffff'ffff'8020'0000;
constexpr u64 kDirectMap = 0xffff'8000'0000'0000;
const MappingFlags kReadWrite{.writable = true, .executable = false};
const MappingFlags kReadExecute{.writable = false, .executable = true};
const MappingFlags kReadOnly{};

TYPED_TEST(PageTableTest, AMappedPageTranslatesToItsFrameWithItsRights) {
    ASSERT_TRUE(this->table.map(kKernelBase, 0x40'0000, 4096, kReadExecute).is_ok());
    const auto translation = this->table.translate(kKernelBase + 0x123);
    ASSERT_TRUE(translation.has_value());
    EXPECT_EQ(translation->physical, 0x40'0123u);
    EXPECT_TRUE(translation->flags.executable);
    EXPECT_FALSE(translation->flags.writable);
    EXPECT_EQ(translation->page_size, 4096u);
    EXPECT_FALSE(this->table.translate(kKernelBase + 4096).has_value());
}

TYPED_TEST(PageTableTest, AdjacentMappingsInOneTableDoNotCollide) {
    // The kernel image: text, rodata and data back to back, then the direct map of RAM.
    ASSERT_TRUE(this->table.map(kKernelBase, 0x20'0000, 0xf000, kReadExecute).is_ok());
    ASSERT_TRUE(this->table.map(kKernelBase + 0xf000, 0x20'f000, 0x82000, kReadOnly).is_ok());
    ASSERT_TRUE(this->table.map(kKernelBase + 0x91000, 0x29'1000, 0x17000, kReadWrite).is_ok());
    ASSERT_TRUE(this->table.map(kDirectMap + 0x10'0000, 0x10'0000, 0x10'0000, kReadWrite).is_ok());
    ASSERT_TRUE(this->table.map(kDirectMap + 0x20'0000, 0x20'0000, 0xa8000, kReadWrite).is_ok());
    ASSERT_TRUE(this->table.map(kDirectMap + 0x2a'8000, 0x2a'8000, 0x1ffdf000 - 0x2a'8000, kReadWrite).is_ok());
    EXPECT_EQ(this->table.translate(kDirectMap + 0x1000'0000)->physical, 0x1000'0000u);
    EXPECT_EQ(this->table.translate(kDirectMap + 0x1000'0000)->page_size, 2u << 20);  // a large page
    EXPECT_EQ(this->table.translate(kKernelBase + 0x91000)->physical, 0x29'1000u);
}

TYPED_TEST(PageTableTest, MappingOverAnExistingMappingIsRefusedAndChangesNothing) {
    ASSERT_TRUE(this->table.map(kKernelBase + 8 * 4096, 0x1000, 4096, kReadWrite).is_ok());
    const auto result = this->table.map(kKernelBase, 0x9000, 16 * 4096, kReadOnly);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::AlreadyExists);
    EXPECT_FALSE(this->table.translate(kKernelBase).has_value());
    EXPECT_EQ(this->table.translate(kKernelBase + 8 * 4096)->physical, 0x1000u);
}

TYPED_TEST(PageTableTest, AlignedRangesUseLargePagesAndPartialUnmapSplitsThem) {
    ASSERT_TRUE(this->table.map(kDirectMap, 0, 4u << 20, kReadWrite).is_ok());
    EXPECT_EQ(this->table.translate(kDirectMap + 0x1234)->page_size, 2u << 20);
    ASSERT_TRUE(this->table.unmap(kDirectMap + 0x1000, 0x1000).is_ok());
    EXPECT_FALSE(this->table.translate(kDirectMap + 0x1000).has_value());
    EXPECT_EQ(this->table.translate(kDirectMap + 0x2000)->physical, 0x2000u);
    EXPECT_EQ(this->table.translate(kDirectMap + 0x2000)->page_size, 4096u);
    EXPECT_TRUE(this->table.translate(kDirectMap + 0x2000)->flags.writable);
    EXPECT_EQ(this->table.translate(kDirectMap + (3u << 20))->page_size, 2u << 20);  // the other block stays
}

TYPED_TEST(PageTableTest, UnmappingEverythingFreesEveryTableBelowTheRootEntries) {
    // The kernel's root entries stay (address spaces on x86_64 copy them); all below goes.
    const auto root_entries = [&] {
        std::vector<u64> entries(512);
        std::memcpy(entries.data(), kernel::test::Arena::to_pointer(this->table.root()), 4096);
        return entries;
    };
    ASSERT_TRUE(this->table.map(kKernelBase, 0x1000, 64 * 4096, kReadWrite).is_ok());
    ASSERT_TRUE(this->table.map(kDirectMap + (1ull << 30), 0, 8 * 4096, kReadWrite).is_ok());
    const auto root_before = root_entries();
    ASSERT_EQ(this->arena.live_tables(), 1u + 2u * 3u);  // two paths of three tables below the root
    ASSERT_TRUE(this->table.unmap(kKernelBase, 64 * 4096).is_ok());
    ASSERT_TRUE(this->table.unmap(kDirectMap + (1ull << 30), 8 * 4096).is_ok());
    EXPECT_EQ(this->arena.live_tables(), 1u + 2u);  // the root and the two tables its entries name
    EXPECT_EQ(root_entries(), root_before);
}

TEST(PageTableLowerHalf, UnmappingEverythingFreesEveryTableButTheRoot) {
    kernel::test::Arena arena;
    kernel::PageTable<kernel::Aarch64PageTableFormat> table{kernel::AddressHalf::Lower, arena.root(), arena,
                                                             &kernel::test::Arena::to_pointer};
    const MappingFlags user{.writable = true, .user = true};
    ASSERT_TRUE(table.map(0x40'0000, 0x1000, 64 * 4096, user).is_ok());
    ASSERT_TRUE(table.map(0x80'0000'0000, 0, 8 * 4096, user).is_ok());
    ASSERT_TRUE(table.unmap(0x40'0000, 64 * 4096).is_ok());
    ASSERT_TRUE(table.unmap(0x80'0000'0000, 8 * 4096).is_ok());
    EXPECT_EQ(arena.live_tables(), 1u);
}

TYPED_TEST(PageTableTest, ProtectChangesRightsAndRefusesUnmappedPages) {
    ASSERT_TRUE(this->table.map(kKernelBase, 0x1000, 2 * 4096, kReadWrite).is_ok());
    ASSERT_TRUE(this->table.protect(kKernelBase, 4096, kReadOnly).is_ok());
    EXPECT_FALSE(this->table.translate(kKernelBase)->flags.writable);
    EXPECT_TRUE(this->table.translate(kKernelBase + 4096)->flags.writable);
    EXPECT_TRUE(this->table.protect(kKernelBase, 3 * 4096, kReadOnly).is_error());
    EXPECT_TRUE(this->table.translate(kKernelBase + 4096)->flags.writable);  // unchanged
}

TYPED_TEST(PageTableTest, RunningOutOfTableFramesUndoesThePartialMapping) {
    this->arena.fail_after(2);  // enough for part of the walk only
    const auto result = this->table.map(kKernelBase, 0x1000, 4096, kReadWrite);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::OutOfMemory);
    EXPECT_FALSE(this->table.translate(kKernelBase).has_value());
}

TYPED_TEST(PageTableTest, BadRangesAreRefused) {
    EXPECT_TRUE(this->table.map(kKernelBase + 1, 0, 4096, kReadWrite).is_error());
    EXPECT_TRUE(this->table.map(kKernelBase, 0x10, 4096, kReadWrite).is_error());
    EXPECT_TRUE(this->table.map(kKernelBase, 0, 0, kReadWrite).is_error());
    EXPECT_TRUE(this->table.map(0x0001'0000'0000'0000ull, 0, 4096, kReadWrite).is_error());  // non-canonical
    EXPECT_TRUE(this->table.map(0xffff'ffff'ffff'f000ull, 0, 0x2000, kReadWrite).is_error());  // wraps
}

TEST(X86_64PageTableFormat, EncodesWxAndDeviceBits) {
    using F = kernel::X86_64PageTableFormat;
    const u64 text = F::make_leaf(0x1000, kReadExecute, 0);
    EXPECT_FALSE(text & F::kWritable);
    EXPECT_FALSE(text & F::kNoExecute);
    const u64 data = F::make_leaf(0x1000, kReadWrite, 0);
    EXPECT_TRUE(data & F::kWritable);
    EXPECT_TRUE(data & F::kNoExecute);
    const u64 device = F::make_leaf(0x1000, MappingFlags{.writable = true, .device = true}, 0);
    EXPECT_TRUE(device & F::kCacheDisable);
    EXPECT_TRUE(F::make_leaf(0x20'0000, kReadWrite, 1) & F::kLargePage);
}

TEST(Aarch64PageTableFormat, EncodesWxAndDeviceBits) {
    using F = kernel::Aarch64PageTableFormat;
    const u64 text = F::make_leaf(0x1000, kReadExecute, 0);
    EXPECT_TRUE(text & F::kReadOnly);
    EXPECT_FALSE(text & F::kPrivilegedExecuteNever);
    EXPECT_TRUE(text & F::kUserExecuteNever);
    const u64 data = F::make_leaf(0x1000, kReadWrite, 0);
    EXPECT_FALSE(data & F::kReadOnly);
    EXPECT_TRUE(data & F::kPrivilegedExecuteNever);
    EXPECT_EQ(F::make_leaf(0x1000, MappingFlags{.device = true}, 0) & F::kAttrMask, F::kAttrDevice);
    EXPECT_EQ(F::make_leaf(0x20'0000, kReadWrite, 1) & 3u, 1u);  // a block descriptor
    EXPECT_EQ(F::make_leaf(0x1000, kReadWrite, 0) & 3u, 3u);     // a page descriptor
}

}  // namespace
