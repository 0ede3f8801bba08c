// Host-test support for the portable page-table walker: an arena acting as physical memory
// that hands out table frames (and can run dry on demand), a fixture per format, and a
// snapshot of a whole table tree to compare before and after a change.
#pragma once

#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <vector>

#include "arch_formats.h"
#include "kernel/mm/page_table.h"

namespace kernel::test {

using base::u64;

// 16 MiB of "physical memory" at physical address 0, handing out 4 KiB frames for tables.
// Freed frames are poisoned (a walk through one would read garbage) and reused.
class Arena final : public kernel::PageTableFrames {
public:
    static constexpr u64 kSize = 16 << 20;
    Arena() : memory_(static_cast<base::u8*>(std::aligned_alloc(4096, kSize))) { instance = this; }
    ~Arena() { std::free(memory_); }
    Arena(const Arena&) = delete;
    Arena& operator=(const Arena&) = delete;

    base::Optional<u64> allocate_table() override {
        if (fail_after_ == 0) return base::none;
        if (fail_after_ > 0) --fail_after_;
        u64 frame = 0;
        if (!free_.empty()) {
            frame = free_.back();
            free_.pop_back();
        } else {
            if (next_ >= kSize) return base::none;
            frame = next_;
            next_ += 4096;
        }
        live_.insert(frame);
        ++allocations_;
        return frame;
    }
    void free_table(u64 physical) override {
        EXPECT_EQ(live_.erase(physical), 1u) << "freed a table frame that was not live";
        std::memset(memory_ + physical, 0xdb, 4096);
        free_.push_back(physical);
    }
    static base::u8* to_pointer(u64 physical) { return instance->memory_ + physical; }

    u64 root() { return allocate_table().value(); }
    std::size_t live_tables() const { return live_.size(); }
    // The next `allocations` succeed, every later one fails; -1: never fail.
    void fail_after(int allocations) { fail_after_ = allocations; }
    u64 allocations() const { return allocations_; }

private:
    static inline Arena* instance = nullptr;
    base::u8* memory_;
    u64 next_ = 0;
    u64 allocations_ = 0;
    int fail_after_ = -1;
    std::set<u64> live_;
    std::vector<u64> free_;
};

template <class Format>
class PageTableTest : public ::testing::Test {
protected:
    Arena arena;
    kernel::PageTable<Format> table{kernel::AddressHalf::Upper, arena.root(), arena, &Arena::to_pointer};
};

// Every table reachable from the root, by physical address, with all 512 entries.
using TableTree = std::map<u64, std::array<u64, 512>>;

template <class Format>
void collect_tables(u64 table, int level, TableTree& tree) {
    std::array<u64, 512> entries;
    std::memcpy(entries.data(), Arena::to_pointer(table), sizeof entries);
    tree[table] = entries;
    if (level == 0) return;
    for (u64 entry : entries) {
        if (Format::is_present(entry) && !Format::is_leaf(entry, level))
            collect_tables<Format>(Format::address(entry, level), level - 1, tree);
    }
}

template <class Format>
TableTree snapshot(const kernel::PageTable<Format>& table) {
    TableTree tree;
    collect_tables<Format>(table.root(), Format::kLevels - 1, tree);
    return tree;
}

}  // namespace kernel::test
