// Host tests that every page-table change is all or nothing: with a frame source that runs dry
// after each possible number of allocations, a map, unmap or protect either succeeds or leaves
// the whole table tree exactly as it was (no new table linked, no entry changed, no frame lost).
#include <gtest/gtest.h>

#include <functional>

#include "page_table_arena.h"

namespace {

using base::u64;
using kernel::MappingFlags;
using kernel::test::snapshot;

const MappingFlags kReadWrite{.writable = true, .executable = false};
const MappingFlags kReadOnly{};

template <class Format>
class PageTableAllOrNothing : public kernel::test::PageTableTest<Format> {
protected:
    // Runs `change` with the frame source failing after 0, 1, 2, ... allocations until it
    // succeeds; every failure must be OutOfMemory and leave the tree and the frames as they
    // were. Returns how many allocations the successful run was allowed.
    int fail_at_every_point(const std::function<base::Result<void>()>& change) {
        for (int allowed = 0; allowed < 64; ++allowed) {
            const auto before = snapshot(this->table);
            const std::size_t live_before = this->arena.live_tables();
            this->arena.fail_after(allowed);
            const auto result = change();
            this->arena.fail_after(-1);
            if (result.is_ok()) return allowed;
            EXPECT_EQ(result.error().code, base::ErrorCode::OutOfMemory) << "after " << allowed << " allocations";
            EXPECT_TRUE(snapshot(this->table) == before) << "the tree changed after " << allowed << " allocations";
            EXPECT_EQ(this->arena.live_tables(), live_before) << "frames lost after " << allowed << " allocations";
        }
        ADD_FAILURE() << "the change never succeeded";
        return -1;
    }
};

using Formats = ::testing::Types<kernel::X86_64PageTableFormat, kernel::Aarch64PageTableFormat>;
TYPED_TEST_SUITE(PageTableAllOrNothing, Formats);

TYPED_TEST(PageTableAllOrNothing, AMapThatRunsOutOfFramesLinksNoNewTable) {
    // Existing mappings nearby, so some tables on the way exist and some do not.
    ASSERT_TRUE(this->table.map(0xffff'8000'3fc0'0000, 0x1000, 0x1000, kReadWrite).is_ok());
    // 4 KiB pages into that existing table, 2 MiB pages, then across 1 GiB: a new table for
    // the second GiB and one for the 4 KiB pages at its end.
    const u64 virt = 0xffff'8000'3fdf'd000;
    const u64 size = 0x40'8000;
    const int needed = this->fail_at_every_point([&] { return this->table.map(virt, 0x7f'd000, size, kReadWrite); });
    EXPECT_EQ(needed, 2);
    EXPECT_EQ(this->table.translate(virt)->physical, 0x7f'd000u);
    EXPECT_EQ(this->table.translate(virt + size - 1)->physical, 0x7f'd000u + size - 1);

    // The last 8 KiB of a root entry's range (two new tables) and the first 8 KiB of the next
    // (three: nothing exists there), each shared by two pages.
    const u64 across_root = 0xffff'807f'ffff'e000;
    EXPECT_EQ(this->fail_at_every_point([&] { return this->table.map(across_root, 0x10'0000, 0x4000, kReadOnly); }), 5);
    EXPECT_EQ(this->table.translate(across_root + 0x3000)->physical, 0x10'3000u);
}

TYPED_TEST(PageTableAllOrNothing, AMapOfOnlyLargePagesNeedsOnlyTheirTables) {
    const int needed = this->fail_at_every_point([&] {
        return this->table.map(0xffff'8000'0000'0000, 0, 64 << 20, kReadWrite);
    });
    EXPECT_EQ(needed, 2);  // the tables above the blocks
    EXPECT_EQ(this->table.translate(0xffff'8000'0000'0000 + (63 << 20))->page_size, 2u << 20);
}

TYPED_TEST(PageTableAllOrNothing, UnmapAndProtectThatMustSplitRunOutCleanly) {
    ASSERT_TRUE(this->table.map(0xffff'8000'0000'0000, 0, 8 << 20, kReadWrite).is_ok());  // 2 MiB blocks
    // The middle of one block: split once (both ends in the same block).
    EXPECT_EQ(this->fail_at_every_point([&] { return this->table.unmap(0xffff'8000'0010'0000, 0x1000); }), 1);
    EXPECT_FALSE(this->table.translate(0xffff'8000'0010'0000).has_value());
    EXPECT_TRUE(this->table.translate(0xffff'8000'0010'1000).has_value());
    // Across two blocks, unaligned at both ends: two splits.
    EXPECT_EQ(this->fail_at_every_point([&] {
        return this->table.protect(0xffff'8000'003f'f000, 0x2000 + (2 << 20), kReadOnly);
    }), 2);
    EXPECT_FALSE(this->table.translate(0xffff'8000'003f'f000)->flags.writable);
    EXPECT_FALSE(this->table.translate(0xffff'8000'0060'0000)->flags.writable);
    EXPECT_TRUE(this->table.translate(0xffff'8000'0060'1000)->flags.writable);
    EXPECT_TRUE(this->table.translate(0xffff'8000'003f'e000)->flags.writable);
}

}  // namespace
