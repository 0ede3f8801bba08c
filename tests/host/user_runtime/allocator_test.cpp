// The heap's allocation rules (user/runtime/allocator.h) over a fake PageSource: alignment,
// non-overlap, reuse, refusals of bad frees, large blocks, growth and its fallback, exhaustion,
// and a random workload checked against a shadow copy of every block's contents.
#include "user/runtime/allocator.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <map>
#include <random>
#include <vector>

namespace {

using vectra::heap::Allocator;
using vectra::heap::FreeOutcome;
using vectra::heap::kPageSize;

// Arena memory from one reserved range, handed out contiguously; large mappings from the host.
class FakePageSource final : public vectra::heap::PageSource {
public:
    explicit FakePageSource(size_t arena_limit) : arena_limit_(arena_limit) {
        arena_ = static_cast<uint8_t*>(std::aligned_alloc(kPageSize, arena_limit));
    }
    ~FakePageSource() {
        std::free(arena_);
        for (auto& [address, mapping] : large_) std::free(address);
    }

    void* grow(size_t bytes) override {
        grow_requests.push_back(bytes);
        if (bytes > refuse_grows_above || arena_limit_ - arena_used_ < bytes) return nullptr;
        EXPECT_EQ(bytes % kPageSize, 0u);
        void* memory = arena_ + arena_used_;
        arena_used_ += bytes;
        return memory;
    }
    void* map_large(size_t bytes, uint32_t& token) override {
        EXPECT_EQ(bytes % kPageSize, 0u);
        if (refuse_large) return nullptr;
        void* memory = std::aligned_alloc(kPageSize, bytes);
        token = ++next_token_;
        large_[memory] = {bytes, token};
        return memory;
    }
    void release_large(void* address, size_t bytes, uint32_t token) override {
        auto found = large_.find(address);
        ASSERT_NE(found, large_.end()) << "released a mapping never made";
        EXPECT_EQ(found->second.bytes, bytes);
        EXPECT_EQ(found->second.token, token);
        std::free(address);
        large_.erase(found);
    }

    size_t large_count() const { return large_.size(); }
    size_t arena_used() const { return arena_used_; }
    std::vector<size_t> grow_requests;
    size_t refuse_grows_above = SIZE_MAX;
    bool refuse_large = false;

private:
    struct Mapping {
        size_t bytes;
        uint32_t token;
    };
    uint8_t* arena_;
    size_t arena_limit_;
    size_t arena_used_ = 0;
    std::map<void*, Mapping> large_;
    uint32_t next_token_ = 0;
};

TEST(Allocator, SizeClassesAscendInSixteenByteMultiplesWastingAtMostAQuarter) {
    for (size_t i = 0; i < vectra::heap::kSizeClassCount; ++i) {
        EXPECT_EQ(Allocator::class_size(i) % 16, 0u);
        if (i > 0) {
            EXPECT_GT(Allocator::class_size(i), Allocator::class_size(i - 1));
            // A block one byte larger than the previous class wastes less than a quarter.
            const size_t smallest = Allocator::class_size(i - 1) + 1;
            if (smallest > 128) EXPECT_LE(Allocator::class_size(i) - smallest, smallest / 4) << i;
        }
    }
    EXPECT_EQ(Allocator::class_size(vectra::heap::kSizeClassCount - 1), vectra::heap::kSmallMax);
    EXPECT_EQ(Allocator::class_for(17), 0u);
    EXPECT_EQ(Allocator::class_for(32), 0u);
    EXPECT_EQ(Allocator::class_for(33), 1u);
    EXPECT_EQ(Allocator::class_for(vectra::heap::kSmallMax + 1), vectra::heap::kSizeClassCount);
}

TEST(Allocator, BlocksAreAlignedDistinctAndKeepTheirContents) {
    FakePageSource source(64 << 20);
    Allocator allocator(source);
    std::vector<std::pair<uint8_t*, size_t>> blocks;
    for (size_t size = 0; size < 3000; size += 37) {
        auto* block = static_cast<uint8_t*>(allocator.allocate(size));
        ASSERT_NE(block, nullptr);
        EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % 16, 0u);
        EXPECT_GE(allocator.usable_size(block), size);
        for (size_t i = 0; i < size; ++i) block[i] = static_cast<uint8_t>(size + i);
        blocks.emplace_back(block, size);
    }
    for (auto& [block, size] : blocks)
        for (size_t i = 0; i < size; ++i) ASSERT_EQ(block[i], static_cast<uint8_t>(size + i)) << "block of " << size;
    for (auto& [block, size] : blocks) EXPECT_EQ(allocator.free(block), FreeOutcome::Freed);
    EXPECT_EQ(allocator.statistics().live_blocks, 0u);
    EXPECT_EQ(allocator.statistics().in_use_bytes, 0u);
}

TEST(Allocator, AFreedBlockIsReusedForTheSameClass) {
    FakePageSource source(1 << 20);
    Allocator allocator(source);
    void* first = allocator.allocate(100);
    ASSERT_EQ(allocator.free(first), FreeOutcome::Freed);
    EXPECT_EQ(allocator.allocate(97), first);  // 100 and 97 bytes both take the 128-byte class
}

TEST(Allocator, ZeroBytesGivesDistinctBlocks) {
    FakePageSource source(1 << 20);
    Allocator allocator(source);
    void* a = allocator.allocate(0);
    void* b = allocator.allocate(0);
    ASSERT_NE(a, nullptr);
    EXPECT_NE(a, b);
}

TEST(Allocator, RefusesDoubleFreesAndPointersItNeverGaveOut) {
    FakePageSource source(1 << 20);
    Allocator allocator(source);
    auto* block = static_cast<uint8_t*>(allocator.allocate(64));
    EXPECT_EQ(allocator.free(block + 16), FreeOutcome::NotAllocated);  // inside a block
    EXPECT_EQ(allocator.free(block + 1), FreeOutcome::NotAllocated);   // misaligned
    alignas(16) uint8_t foreign[64] = {};
    EXPECT_EQ(allocator.free(foreign + 16), FreeOutcome::NotAllocated);
    EXPECT_EQ(allocator.free(block), FreeOutcome::Freed);
    EXPECT_EQ(allocator.free(block), FreeOutcome::DoubleFree);
    EXPECT_EQ(allocator.free(nullptr), FreeOutcome::Freed);
    EXPECT_EQ(allocator.statistics().live_blocks, 0u);
}

TEST(Allocator, HonoursEveryPowerOfTwoAlignment) {
    FakePageSource source(64 << 20);
    Allocator allocator(source);
    for (size_t alignment = 1; alignment <= vectra::heap::kMaxAlignment; alignment *= 2) {
        for (size_t size : {1u, 100u, 5000u}) {
            auto* block = static_cast<uint8_t*>(allocator.allocate(size, alignment));
            ASSERT_NE(block, nullptr) << alignment;
            EXPECT_EQ(reinterpret_cast<uintptr_t>(block) % alignment, 0u) << alignment;
            EXPECT_GE(allocator.usable_size(block), size);
            for (size_t i = 0; i < size; ++i) block[i] = 0xee;
            const bool large = allocator.statistics().large_bytes > 0;
            EXPECT_EQ(allocator.free(block), FreeOutcome::Freed);
            // A large block's memory is gone once freed (a second free faults in a program).
            if (!large) EXPECT_EQ(allocator.free(block), FreeOutcome::DoubleFree);
        }
    }
    EXPECT_EQ(allocator.statistics().live_blocks, 0u);
    EXPECT_EQ(allocator.allocate(64, 48), nullptr);                                // not a power of two
    EXPECT_EQ(allocator.allocate(64, vectra::heap::kMaxAlignment * 2), nullptr);  // too large
}

TEST(Allocator, LargeBlocksGetTheirOwnMappingAndGiveItBack) {
    FakePageSource source(1 << 20);
    Allocator allocator(source);
    auto* block = static_cast<uint8_t*>(allocator.allocate(vectra::heap::kSmallMax));  // with its header, too big for a class
    ASSERT_NE(block, nullptr);
    EXPECT_EQ(source.large_count(), 1u);
    block[0] = 1;
    block[vectra::heap::kSmallMax - 1] = 2;
    EXPECT_EQ(allocator.statistics().large_bytes, vectra::heap::kSmallMax + kPageSize);
    EXPECT_EQ(allocator.free(block), FreeOutcome::Freed);
    EXPECT_EQ(source.large_count(), 0u);
    EXPECT_EQ(allocator.statistics().large_bytes, 0u);
    source.refuse_large = true;
    EXPECT_EQ(allocator.allocate(8 << 20), nullptr);
}

TEST(Allocator, ReallocateKeepsContentsAndStaysInPlaceWhenItFits) {
    FakePageSource source(64 << 20);
    Allocator allocator(source);
    auto* block = static_cast<uint8_t*>(allocator.reallocate(nullptr, 40));
    ASSERT_NE(block, nullptr);
    for (int i = 0; i < 40; ++i) block[i] = static_cast<uint8_t>(i);
    EXPECT_EQ(allocator.reallocate(block, 45), block);  // the 64-byte class still holds it
    auto* grown = static_cast<uint8_t*>(allocator.reallocate(block, 3 << 20));
    ASSERT_NE(grown, nullptr);
    for (int i = 0; i < 40; ++i) ASSERT_EQ(grown[i], i);
    EXPECT_EQ(allocator.free(block), FreeOutcome::DoubleFree);  // the old block went back
    EXPECT_EQ(allocator.reallocate(grown, 0), nullptr);
    EXPECT_EQ(allocator.statistics().live_blocks, 0u);
    alignas(16) uint8_t foreign[64] = {};
    EXPECT_EQ(allocator.reallocate(foreign + 16, 10), nullptr);  // not ours: left alone
}

TEST(Allocator, GrowsInDoublingStepsAndFallsBackToWhatItNeeds) {
    FakePageSource source(64 << 20);
    Allocator allocator(source);
    for (int i = 0; i < 2000; ++i) ASSERT_NE(allocator.allocate(2000), nullptr);
    // 4 MB of blocks: steps of 64 KiB, 64 KiB, 128 KiB, ... so only a handful of grows.
    EXPECT_LE(source.grow_requests.size(), 8u);
    for (size_t i = 2; i < source.grow_requests.size(); ++i) EXPECT_EQ(source.grow_requests[i], 2 * source.grow_requests[i - 1]);

    FakePageSource tight(64 << 20);
    tight.refuse_grows_above = 64 * 1024;
    Allocator frugal(tight);
    for (int i = 0; i < 200; ++i) ASSERT_NE(frugal.allocate(2000), nullptr) << i;
    EXPECT_GT(frugal.statistics().arena_grows, 4u);
}

TEST(Allocator, RunningOutGivesNullAndLeavesEverythingUsable) {
    FakePageSource source(256 * 1024);
    Allocator allocator(source);
    std::vector<void*> blocks;
    for (;;) {
        void* block = allocator.allocate(1000);
        if (block == nullptr) break;
        blocks.push_back(block);
        ASSERT_LT(blocks.size(), 1000u);
    }
    EXPECT_GE(blocks.size(), 200u);  // 256 KiB / 1 KiB blocks, less the last partial step
    ASSERT_EQ(allocator.free(blocks.back()), FreeOutcome::Freed);
    EXPECT_EQ(allocator.allocate(1000), blocks.back());  // a freed block is still served
    for (void* block : blocks) EXPECT_EQ(allocator.free(block), FreeOutcome::Freed);
}

bool same(const uint8_t* block, const std::vector<uint8_t>& contents, size_t count) {
    return count == 0 || std::memcmp(block, contents.data(), count) == 0;
}

TEST(Allocator, RandomWorkloadMatchesAShadowCopy) {
    FakePageSource source(256 << 20);
    Allocator allocator(source);
    std::mt19937_64 random(12345);
    struct Live {
        uint8_t* block;
        std::vector<uint8_t> contents;
    };
    std::vector<Live> live;
    for (int step = 0; step < 20000; ++step) {
        const unsigned action = random() % 10;
        if (action < 5 || live.empty()) {
            size_t size = random() % 4 == 0 ? random() % 200000 : random() % 600;
            const size_t alignment = random() % 8 == 0 ? size_t(1) << (random() % 13) : 16;
            auto* block = static_cast<uint8_t*>(allocator.allocate(size, alignment));
            ASSERT_NE(block, nullptr);
            ASSERT_EQ(reinterpret_cast<uintptr_t>(block) % alignment, 0u);
            std::vector<uint8_t> contents(size);
            for (auto& byte : contents) byte = static_cast<uint8_t>(random());
            if (size) std::memcpy(block, contents.data(), size);
            live.push_back({block, std::move(contents)});
        } else if (action < 8) {
            const size_t index = random() % live.size();
            ASSERT_TRUE(same(live[index].block, live[index].contents, live[index].contents.size()));
            ASSERT_EQ(allocator.free(live[index].block), FreeOutcome::Freed);
            live[index] = std::move(live.back());
            live.pop_back();
        } else {
            const size_t index = random() % live.size();
            const size_t size = random() % 3000 + 1;
            auto* moved = static_cast<uint8_t*>(allocator.reallocate(live[index].block, size));
            ASSERT_NE(moved, nullptr);
            const size_t kept = std::min(size, live[index].contents.size());
            ASSERT_TRUE(same(moved, live[index].contents, kept));
            live[index].contents.resize(size, 0);
            for (size_t i = kept; i < size; ++i) moved[i] = 0;
            live[index].block = moved;
        }
    }
    EXPECT_EQ(allocator.statistics().live_blocks, live.size());
    for (auto& entry : live) {
        ASSERT_TRUE(same(entry.block, entry.contents, entry.contents.size()));
        ASSERT_EQ(allocator.free(entry.block), FreeOutcome::Freed);
    }
    EXPECT_EQ(allocator.statistics().in_use_bytes, 0u);
    EXPECT_EQ(source.large_count(), 0u);
}

}  // namespace
