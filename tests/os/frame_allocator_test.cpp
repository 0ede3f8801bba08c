// In-OS stress of the frame allocator over the machine's real memory map, and the check that
// no frame it hands out lies in anything the boot keeps: the kernel image, the boot information
// (PVH start info, memory map and module list, the device tree, the ACPI tables), the boot
// bundle, or any region the map does not call usable.
#include "kernel/boot/boot_info.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

extern "C" char __kernel_start[], __kernel_end[];

namespace {

using namespace kernel;
using base::u64;

bool overlaps(u64 start, u64 end, u64 other_start, u64 other_end) { return start < other_end && other_start < end; }

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

KERNEL_TEST(no_frame_ever_comes_from_the_kernel_boot_data_firmware_or_the_boot_bundle) {
    const BootInfo& info = boot_information();
    auto& frames = mm::frame_allocator();
    // The ground truth, from sources other than the allocator's own map: the image from the
    // linker and the kernel's tables, and what the boot code read (boot_data, which includes
    // the boot bundle), beside BootInfo's own fields.
    const auto image = mm::kernel_page_table().translate(reinterpret_cast<u64>(__kernel_start));
    ASSERT(image.has_value());
    const u64 image_start = image->physical, image_end = image_start + (reinterpret_cast<u64>(__kernel_end) - reinterpret_cast<u64>(__kernel_start));
    EXPECT_EQ(info.kernel_physical_start, image_start);
    EXPECT_EQ(info.kernel_physical_end, image_end);
    EXPECT(info.boot_data.size() >= 1);  // the start info or the device tree, at least
    // Every range read at boot is reserved in the map (not usable, on every page it touches).
    for (const MemoryRegion& data : info.boot_data) {
        for (const MemoryRegion& region : info.memory.regions())
            if (region.kind == MemoryKind::Usable && overlaps(region.base, region.end(), data.base & ~u64(4095), data.end()))
                EXPECT_EQ(data.base, ~0ull);  // names the range
    }

    // Take every frame, chained through their own first word so that all can be given back.
    const base::usize free_before = frames.free_frames();
    u64 chain = 0, count = 0, bad = 0, first_bad = 0;
    while (const auto frame = frames.allocate()) {
        const u64 start = *frame, end = start + layout::kPageSize;
        bool forbidden = overlaps(start, end, image_start, image_end) ||
                         overlaps(start, end, info.boot_bundle.physical_base, info.boot_bundle.physical_base + info.boot_bundle.size);
        for (const MemoryRegion& data : info.boot_data) forbidden = forbidden || overlaps(start, end, data.base, data.end());
        for (const MemoryRegion& region : info.memory.regions())
            forbidden = forbidden || (region.kind != MemoryKind::Usable && overlaps(start, end, region.base, region.end()));
        if (forbidden) {  // counted and left alone: writing there could break the kernel
            if (bad++ == 0) first_bad = start;
            continue;
        }
        *layout::physical_to_pointer<u64>(start) = chain;
        chain = start;
        ++count;
    }
    EXPECT_EQ(count + bad, u64(free_before));
    EXPECT_EQ(bad, 0ull);
    EXPECT_EQ(first_bad, 0ull);
    u64 refused = 0;
    for (u64 i = 0; i < count; ++i) {
        const u64 next = *layout::physical_to_pointer<u64>(chain);
        if (frames.free(chain).is_error()) ++refused;
        chain = next;
    }
    EXPECT_EQ(refused, 0ull);
    EXPECT_EQ(frames.free_frames(), free_before);
}
