// Bitmap frame allocation (see frame_allocator.h). The lock is for SMP; the kernel masks
// interrupts itself where an interrupt handler could allocate.
#include "kernel/mm/frame_allocator.h"

#include "base/utility.h"

namespace kernel {

using base::u64;
using base::usize;

base::Result<void> FrameAllocator::init(const MemoryMap& memory, PhysicalToPointer physical_to_pointer) {
    const u64 top = memory.highest_usable_address();
    if (top == 0) return base::make_error(base::ErrorCode::OutOfMemory, "frame allocator: no usable memory");
    const usize frame_count = static_cast<usize>(top / kFrameSize);
    bitmap_bytes_ = base::align_up<u64>(base::Bitmap::words_for(frame_count) * 8, kFrameSize);

    // Where does the bitmap go? The first usable region below 4 GiB that holds it.
    bool placed = false;
    for (const MemoryRegion& region : memory.regions()) {
        if (region.kind != MemoryKind::Usable || region.size < bitmap_bytes_) continue;
        if (region.base + bitmap_bytes_ > (u64(4) << 30)) continue;
        bitmap_physical_ = region.base;
        placed = true;
        break;
    }
    if (!placed) return base::make_error(base::ErrorCode::OutOfMemory, "frame allocator: no room for the bitmap");

    used_ = base::Bitmap(reinterpret_cast<u64*>(physical_to_pointer(bitmap_physical_)), frame_count);
    used_.set_range(0, frame_count);
    memory_ = &memory;
    usable_count_ = 0;
    for (const MemoryRegion& region : memory.regions()) {
        if (region.kind != MemoryKind::Usable) continue;
        const usize first = static_cast<usize>(region.base / kFrameSize);
        const usize count = static_cast<usize>(region.size / kFrameSize);
        used_.clear_range(first, count);
        usable_count_ += count;
    }
    // The bitmap's own frames are taken.
    used_.set_range(static_cast<usize>(bitmap_physical_ / kFrameSize), static_cast<usize>(bitmap_bytes_ / kFrameSize));
    usable_count_ -= static_cast<usize>(bitmap_bytes_ / kFrameSize);
    free_count_ = usable_count_;
    next_hint_ = 0;
    return {};
}

bool FrameAllocator::is_allocatable(u64 frame) const {
    const u64 address = frame * kFrameSize;
    if (address >= bitmap_physical_ && address < bitmap_physical_ + bitmap_bytes_) return false;
    for (const MemoryRegion& region : memory_->regions()) {
        if (region.kind == MemoryKind::Usable && region.base <= address && address < region.end()) return true;
    }
    return false;
}

base::Optional<u64> FrameAllocator::allocate() {
    base::SpinlockGuard guard(lock_);
    const auto frame = used_.find_first_clear(next_hint_);
    if (!frame.has_value()) return base::none;
    used_.set(*frame);
    --free_count_;
    next_hint_ = *frame + 1;
    return u64(*frame) * kFrameSize;
}

base::Optional<u64> FrameAllocator::allocate_contiguous(usize count, usize alignment_frames) {
    base::SpinlockGuard guard(lock_);
    if (count == 0 || count > free_count_) return base::none;
    const auto first = used_.find_clear_run(count, alignment_frames == 0 ? 1 : alignment_frames);
    if (!first.has_value()) return base::none;
    used_.set_range(*first, count);
    free_count_ -= count;
    return u64(*first) * kFrameSize;
}

base::Result<void> FrameAllocator::free(u64 physical) {
    base::SpinlockGuard guard(lock_);
    if (physical % kFrameSize != 0) return base::make_error(base::ErrorCode::InvalidArgument, "frame allocator: unaligned frame");
    const u64 frame = physical / kFrameSize;
    if (frame >= used_.size() || !is_allocatable(frame))
        return base::make_error(base::ErrorCode::InvalidArgument, "frame allocator: not a usable frame");
    if (!used_.test(static_cast<usize>(frame)))
        return base::make_error(base::ErrorCode::InvalidArgument, "frame allocator: frame is already free (double free)");
    used_.clear(static_cast<usize>(frame));
    ++free_count_;
    if (frame < next_hint_) next_hint_ = static_cast<usize>(frame);
    return {};
}

}  // namespace kernel
