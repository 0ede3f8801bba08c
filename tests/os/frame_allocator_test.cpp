// In-OS stress of the frame allocator over the machine's real memory map.
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

namespace {

using namespace kernel;
using base::u64;

constexpr base::usize kFrames = 2048;  // 8 MiB: fits every test machine's RAM several times
u64 allocated[kFrames];

}  // namespace

KERNEL_TEST(allocated_frames_are_distinct_usable_and_all_come_back) {
    auto& frames = mm::frame_allocator();
    const base::usize free_before = frames.free_frames();
    base::usize count = 0;
    for (; count < kFrames; ++count) {
        const auto frame = frames.allocate();
        ASSERT(frame.has_value());
        ASSERT(*frame % layout::kPageSize == 0);
        allocated[count] = *frame;
        // Each frame holds its own address at both ends: an overlap would overwrite another's.
        auto* words = layout::physical_to_pointer<volatile u64>(*frame);
        words[0] = *frame;
        words[511] = ~*frame;
    }
    EXPECT_EQ(frames.free_frames(), free_before - kFrames);
    for (base::usize i = 0; i < count; ++i) {
        auto* words = layout::physical_to_pointer<volatile u64>(allocated[i]);
        EXPECT_EQ(words[0], allocated[i]);
        EXPECT_EQ(words[511], ~allocated[i]);
    }
    // Free every other frame, then the rest: fragmentation must not lose any.
    for (base::usize i = 0; i < count; i += 2) EXPECT(frames.free(allocated[i]).is_ok());
    for (base::usize i = 1; i < count; i += 2) EXPECT(frames.free(allocated[i]).is_ok());
    EXPECT_EQ(frames.free_frames(), free_before);
}

KERNEL_TEST(freeing_a_frame_twice_is_refused) {
    auto& frames = mm::frame_allocator();
    const auto frame = frames.allocate();
    ASSERT(frame.has_value());
    EXPECT(frames.free(*frame).is_ok());
    const base::usize free_count = frames.free_frames();
    EXPECT(frames.free(*frame).is_error());
    EXPECT_EQ(frames.free_frames(), free_count);
}

KERNEL_TEST(contiguous_allocations_are_aligned_and_contiguous) {
    auto& frames = mm::frame_allocator();
    const auto run = frames.allocate_contiguous(16, 16);
    ASSERT(run.has_value());
    EXPECT_EQ(*run % (16 * layout::kPageSize), 0ull);
    for (u64 i = 0; i < 16; ++i) EXPECT(frames.free(*run + i * layout::kPageSize).is_ok());
}
