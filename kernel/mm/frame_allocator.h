// The physical frame allocator: one bit per 4 KiB frame from address 0 to the highest usable
// byte, kept in frames taken from usable RAM itself (no heap). A set bit means "not free":
// reserved, kernel, firmware, the bitmap's own frames, or handed out. Only frames the memory
// map calls Usable ever start clear, so nothing else can be allocated.
#pragma once

#include "base/bitmap.h"
#include "base/optional.h"
#include "base/result.h"
#include "kernel/boot/memory_map.h"
#include "kernel/mm/frame_allocator_lock.h"

namespace kernel {

class FrameAllocator {
public:
    static constexpr base::u64 kFrameSize = 4096;
    // Reaches physical memory (the direct map in the kernel; an arena in host tests).
    using PhysicalToPointer = base::u8* (*)(base::u64 physical);

    // `memory` must be normalized. The bitmap goes into the first usable region below 4 GiB
    // that is large enough.
    base::Result<void> init(const MemoryMap& memory, PhysicalToPointer physical_to_pointer);

    base::Optional<base::u64> allocate();
    // `count` frames in a row, the first aligned to `alignment_frames` frames.
    base::Optional<base::u64> allocate_contiguous(base::usize count, base::usize alignment_frames = 1);
    // Refused (and nothing changes) for an unaligned address, a frame outside usable RAM, or a
    // frame that is already free.
    base::Result<void> free(base::u64 physical);

    base::usize free_frames() const { return free_count_; }
    base::usize total_frames() const { return usable_count_; }

private:
    bool is_allocatable(base::u64 frame) const;

    mutable FrameAllocatorLock lock_;  // over everything below
    base::Bitmap used_;
    const MemoryMap* memory_ = nullptr;
    base::u64 bitmap_physical_ = 0;
    base::u64 bitmap_bytes_ = 0;
    base::usize usable_count_ = 0;
    base::usize free_count_ = 0;
    base::usize next_hint_ = 0;  // no free frame below this index (a search start, not a promise)
};

}  // namespace kernel
