// The physical memory map: RAM and what occupies it, as the boot information described it.
// After normalize() the regions are sorted, disjoint and page-trimmed where usable, and a byte
// is Usable only if nothing else claims it — so the frame allocator can trust it blindly.
#pragma once

#include "base/fixed_vector.h"
#include "base/result.h"
#include "base/span.h"
#include "base/types.h"

namespace kernel {

enum class MemoryKind : base::u8 {
    Usable,
    Reserved,
    AcpiReclaimable,
    AcpiNvs,
    Unusable,
    KernelImage,
    BootInformation,
    DeviceTree,
    BootBundle,  // the initrd: userland's first programs
};

const char* memory_kind_name(MemoryKind kind);

struct MemoryRegion {
    base::u64 base;
    base::u64 size;
    MemoryKind kind;
    base::u64 end() const { return base + size; }
};

class MemoryMap {
public:
    static constexpr base::usize kMaxRegions = 128;

    // Records a region as the firmware reported it (overlaps are resolved by normalize()).
    base::Result<void> add(MemoryRegion region);
    // Claims [base, base + size) for `kind`, taking it out of usable RAM.
    base::Result<void> reserve(base::u64 base, base::u64 size, MemoryKind kind);
    // Sorts, resolves overlaps (the more restrictive kind wins), merges neighbours of one kind,
    // and trims usable regions to whole pages. A result that would not fit in kMaxRegions is
    // an error and leaves the map as it was: no region is ever dropped.
    base::Result<void> normalize();

    // Is every page touching [base, base + size) RAM the firmware reported as usable, with
    // nothing else (a reservation, a firmware area) on any of them? Works before normalize().
    bool is_free_ram(base::u64 base, base::u64 size) const;

    base::Span<const MemoryRegion> regions() const { return regions_.span(); }
    base::u64 usable_bytes() const;
    // RAM the machine has: usable plus what the kernel, boot information and device tree occupy.
    base::u64 total_ram_bytes() const;
    // One past the highest usable byte.
    base::u64 highest_usable_address() const;

private:
    template <class Emit>
    void for_each_normalized_region(const base::u64* points, base::usize point_count, Emit emit) const;

    base::FixedVector<MemoryRegion, kMaxRegions> regions_;
};

}  // namespace kernel
