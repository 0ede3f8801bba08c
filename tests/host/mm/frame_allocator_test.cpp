// Host tests of the frame allocator over an arena acting as physical memory.
#include <gtest/gtest.h>

#include <cstdlib>
#include <random>
#include <set>
#include <vector>

#include "kernel/mm/frame_allocator.h"

namespace {

using base::u64;
using kernel::FrameAllocator;
using kernel::MemoryKind;

constexpr u64 kArenaSize = 64 << 20;
base::u8* arena = static_cast<base::u8*>(std::aligned_alloc(4096, kArenaSize));
base::u8* to_pointer(u64 physical) { return arena + physical; }

// 64 MiB "machine": RAM at [1 MiB, 64 MiB) with the kernel at [2 MiB, 3 MiB) and a firmware
// hole at [16 MiB, 17 MiB).
kernel::MemoryMap machine() {
    kernel::MemoryMap map;
    EXPECT_TRUE(map.add({0x10'0000, kArenaSize - 0x10'0000, MemoryKind::Usable}).is_ok());
    EXPECT_TRUE(map.reserve(0x20'0000, 0x10'0000, MemoryKind::KernelImage).is_ok());
    EXPECT_TRUE(map.add({0x100'0000, 0x10'0000, MemoryKind::Reserved}).is_ok());
    EXPECT_TRUE(map.normalize().is_ok());
    return map;
}

bool is_reserved(u64 frame) {
    return frame < 0x10'0000 || (frame >= 0x20'0000 && frame < 0x30'0000) || (frame >= 0x100'0000 && frame < 0x110'0000);
}

TEST(FrameAllocator, NeverHandsOutReservedFramesAndRunsOutCleanly) {
    const auto map = machine();
    FrameAllocator frames;
    ASSERT_TRUE(frames.init(map, to_pointer).is_ok());
    const size_t total = frames.total_frames();
    std::set<u64> handed_out;
    while (auto frame = frames.allocate()) {
        EXPECT_FALSE(is_reserved(*frame)) << std::hex << *frame;
        EXPECT_TRUE(handed_out.insert(*frame).second) << "handed out twice: " << std::hex << *frame;
    }
    EXPECT_EQ(handed_out.size(), total);
    EXPECT_EQ(frames.free_frames(), 0u);
    for (u64 frame : handed_out) ASSERT_TRUE(frames.free(frame).is_ok());
    EXPECT_EQ(frames.free_frames(), total);
}

TEST(FrameAllocator, RefusesDoubleFreesUnalignedAndForeignFrames) {
    const auto map = machine();
    FrameAllocator frames;
    ASSERT_TRUE(frames.init(map, to_pointer).is_ok());
    const auto frame = frames.allocate();
    ASSERT_TRUE(frame.has_value());
    EXPECT_TRUE(frames.free(*frame + 1).is_error());
    ASSERT_TRUE(frames.free(*frame).is_ok());
    const size_t free_count = frames.free_frames();
    EXPECT_TRUE(frames.free(*frame).is_error());          // double free
    EXPECT_TRUE(frames.free(0x20'0000).is_error());       // the kernel image
    EXPECT_TRUE(frames.free(0x100'0000).is_error());      // firmware
    EXPECT_TRUE(frames.free(kArenaSize * 4).is_error());  // beyond RAM
    EXPECT_EQ(frames.free_frames(), free_count);
}

TEST(FrameAllocator, ContiguousRunsAreAlignedAndSkipHoles) {
    const auto map = machine();
    FrameAllocator frames;
    ASSERT_TRUE(frames.init(map, to_pointer).is_ok());
    const auto run = frames.allocate_contiguous(512, 512);  // 2 MiB, 2 MiB-aligned
    ASSERT_TRUE(run.has_value());
    EXPECT_EQ(*run % (2 << 20), 0u);
    for (u64 i = 0; i < 512; ++i) EXPECT_FALSE(is_reserved(*run + i * 4096));
    EXPECT_FALSE(frames.allocate_contiguous(1 << 20, 1).has_value());  // more than exists
}

TEST(FrameAllocator, RandomAllocateAndFreeAgreesWithAShadowSet) {
    const auto map = machine();
    FrameAllocator frames;
    ASSERT_TRUE(frames.init(map, to_pointer).is_ok());
    std::mt19937_64 random(42);
    std::set<u64> live;
    for (int step = 0; step < 20000; ++step) {
        if (live.empty() || random() % 3 != 0) {
            const auto frame = frames.allocate();
            ASSERT_TRUE(frame.has_value());
            ASSERT_TRUE(live.insert(*frame).second);
        } else {
            auto it = live.begin();
            std::advance(it, random() % live.size());
            ASSERT_TRUE(frames.free(*it).is_ok());
            live.erase(it);
        }
        ASSERT_EQ(frames.free_frames() + live.size(), frames.total_frames());
    }
}

TEST(FrameAllocator, AMapWithoutUsableMemoryIsAnError) {
    kernel::MemoryMap map;
    ASSERT_TRUE(map.add({0, 0x10'0000, MemoryKind::Reserved}).is_ok());
    EXPECT_TRUE(map.normalize().is_ok());
    FrameAllocator frames;
    EXPECT_TRUE(frames.init(map, to_pointer).is_error());
}

TEST(FrameAllocator, NoFrameComesFromARegionOfAnyKindButUsable) {
    // RAM [1 MiB, 64 MiB) with one region of every other kind inside it, each reserved the way
    // the boot code reserves it (partial pages at both ends, so rounding matters too), and the
    // same kinds reported by firmware as overlapping regions.
    const MemoryKind kinds[] = {MemoryKind::Reserved,   MemoryKind::AcpiReclaimable, MemoryKind::AcpiNvs,
                                MemoryKind::Unusable,   MemoryKind::KernelImage,     MemoryKind::BootInformation,
                                MemoryKind::DeviceTree, MemoryKind::BootBundle};
    kernel::MemoryMap map;
    ASSERT_TRUE(map.add({0x10'0000, kArenaSize - 0x10'0000, MemoryKind::Usable}).is_ok());
    struct Range {
        u64 start, end;
    };
    std::vector<Range> kept;
    u64 at = 0x20'0000;
    for (MemoryKind kind : kinds) {
        const u64 start = at + 0x123, size = 0x3'0000;  // reserved as pages [at, at + 0x31000)
        ASSERT_TRUE(map.reserve(start, size, kind).is_ok());
        kept.push_back({at, at + 0x3'1000});
        ASSERT_TRUE(map.add({at + 0x10'0000, 0x2000, kind}).is_ok());  // as firmware reports it
        kept.push_back({at + 0x10'0000, at + 0x10'2000});
        at += 0x20'0000;
    }
    ASSERT_TRUE(map.normalize().is_ok());
    FrameAllocator frames;
    ASSERT_TRUE(frames.init(map, to_pointer).is_ok());
    std::size_t handed_out = 0;
    while (auto frame = frames.allocate()) {
        ++handed_out;
        for (const Range& range : kept)
            EXPECT_FALSE(*frame + 4096 > range.start && *frame < range.end) << std::hex << *frame;
        EXPECT_GE(*frame, 0x10'0000u);
        EXPECT_LT(*frame, kArenaSize);
    }
    u64 kept_bytes = 0;
    for (const Range& range : kept) kept_bytes += range.end - range.start;
    // Everything else is handed out (but the bitmap's own frames).
    EXPECT_EQ(handed_out, frames.total_frames());
    EXPECT_LE(handed_out * 4096, kArenaSize - 0x10'0000 - kept_bytes);
    EXPECT_GE(handed_out * 4096 + 0x1'0000, kArenaSize - 0x10'0000 - kept_bytes);
}

}  // namespace
