// Memory map normalisation. Overlaps are resolved by sweeping over every region boundary and
// giving each elementary interval the most restrictive kind that covers it (Usable loses to
// everything): firmware that reports RAM over a reserved hole cannot hand that hole out.
#include "kernel/boot/memory_map.h"

#include "base/utility.h"

namespace kernel {
namespace {

using base::u64;

constexpr u64 kPage = 4096;

// Higher wins when regions overlap.
int restrictiveness(MemoryKind kind) {
    switch (kind) {
        case MemoryKind::Usable: return 0;
        case MemoryKind::AcpiReclaimable: return 1;
        case MemoryKind::DeviceTree: return 2;
        case MemoryKind::BootInformation: return 3;
        case MemoryKind::BootBundle: return 3;
        case MemoryKind::KernelImage: return 4;
        case MemoryKind::AcpiNvs: return 5;
        case MemoryKind::Reserved: return 6;
        case MemoryKind::Unusable: return 7;
    }
    return 7;
}

bool is_ram(MemoryKind kind) {
    return kind == MemoryKind::Usable || kind == MemoryKind::KernelImage || kind == MemoryKind::BootInformation ||
           kind == MemoryKind::DeviceTree || kind == MemoryKind::BootBundle;
}

}  // namespace

const char* memory_kind_name(MemoryKind kind) {
    switch (kind) {
        case MemoryKind::Usable: return "usable";
        case MemoryKind::Reserved: return "reserved";
        case MemoryKind::AcpiReclaimable: return "ACPI reclaimable";
        case MemoryKind::AcpiNvs: return "ACPI NVS";
        case MemoryKind::Unusable: return "unusable";
        case MemoryKind::KernelImage: return "kernel image";
        case MemoryKind::BootInformation: return "boot information";
        case MemoryKind::DeviceTree: return "device tree";
        case MemoryKind::BootBundle: return "boot bundle";
    }
    return "unknown";
}

base::Result<void> MemoryMap::add(MemoryRegion region) {
    if (region.size == 0) return base::make_error(base::ErrorCode::InvalidArgument, "memory map: empty region");
    u64 end = 0;
    if (!base::checked_add(region.base, region.size, &end))
        return base::make_error(base::ErrorCode::Overflow, "memory map: region wraps past the end of the address space");
    if (!regions_.try_append(region)) {
        // Full: merge what we have and try once more before giving up.
        TRY(normalize());
        if (!regions_.try_append(region))
            return base::make_error(base::ErrorCode::OutOfMemory, "memory map: more regions than the map holds");
    }
    return {};
}

base::Result<void> MemoryMap::reserve(u64 base, u64 size, MemoryKind kind) {
    if (kind == MemoryKind::Usable) return base::make_error(base::ErrorCode::InvalidArgument, "memory map: reserving as usable");
    // A reservation claims whole pages: a page that is partly taken cannot be handed out.
    u64 end = 0;
    if (size == 0 || !base::checked_add(base, size, &end) || end > ~u64(0) - kPage)
        return base::make_error(base::ErrorCode::InvalidArgument, "memory map: empty or wrapping reservation");
    const u64 first = base::align_down(base, kPage);
    return add(MemoryRegion{first, base::align_up(end, kPage) - first, kind});
}

// Calls emit(region) for each region of the normalized map, in address order: each elementary
// interval between boundaries gets the most restrictive kind covering it, neighbours of one kind
// merge, and usable RAM is trimmed to whole pages (partial pages are left out, never shared).
template <class Emit>
void MemoryMap::for_each_normalized_region(const u64* points, base::usize point_count, Emit emit) const {
    bool pending = false;
    MemoryRegion merged{};
    const auto flush = [&] {
        if (!pending) return;
        if (merged.kind == MemoryKind::Usable) {
            // In the last page of the address space align_up would wrap to 0: no whole page.
            u64 start = 0;
            if (!base::checked_align_up(merged.base, kPage, &start)) return;
            const u64 end = base::align_down(merged.end(), kPage);
            if (end <= start) return;
            merged = MemoryRegion{start, end - start, MemoryKind::Usable};
        }
        emit(merged);
    };
    for (base::usize i = 0; i + 1 < point_count; ++i) {
        const u64 start = points[i], end = points[i + 1];
        if (start == end) continue;
        // The kind of [start, end): the most restrictive region covering it, if any.
        bool covered = false;
        MemoryKind kind = MemoryKind::Usable;
        for (const MemoryRegion& region : regions_) {
            if (region.base <= start && end <= region.end()) {
                if (!covered || restrictiveness(region.kind) > restrictiveness(kind)) kind = region.kind;
                covered = true;
            }
        }
        if (!covered) continue;
        if (pending && merged.kind == kind && merged.end() == start) {
            merged.size += end - start;
            continue;
        }
        flush();
        pending = true;
        merged = MemoryRegion{start, end - start, kind};
    }
    flush();
}

base::Result<void> MemoryMap::normalize() {
    // Every boundary of every region, sorted and deduplicated (at most 2 × kMaxRegions).
    u64 points[2 * kMaxRegions];
    base::usize point_count = 0;
    for (const MemoryRegion& region : regions_) {
        points[point_count++] = region.base;
        points[point_count++] = region.end();
    }
    for (base::usize i = 1; i < point_count; ++i) {  // insertion sort: small n, no allocation
        for (base::usize j = i; j > 0 && points[j - 1] > points[j]; --j) base::swap(points[j - 1], points[j]);
    }

    // n regions can resolve into up to 2n - 1 (holes punched into RAM): count before changing
    // anything, so a map that does not fit is reported whole instead of losing its tail.
    base::usize count = 0;
    for_each_normalized_region(points, point_count, [&](const MemoryRegion&) { ++count; });
    if (count > kMaxRegions)
        return base::make_error(base::ErrorCode::OutOfMemory, "memory map: more than 128 regions once overlaps are resolved");

    base::FixedVector<MemoryRegion, kMaxRegions> result;
    for_each_normalized_region(points, point_count, [&](const MemoryRegion& region) { (void)result.try_append(region); });
    regions_.clear();
    for (const MemoryRegion& region : result) (void)regions_.try_append(region);  // fits: counted above
    return {};
}

bool MemoryMap::is_free_ram(u64 base, u64 size) const {
    u64 end = 0;
    if (size == 0 || !base::checked_add(base, size, &end) || end > ~u64(0) - kPage) return false;
    const u64 first = base::align_down(base, kPage), limit = base::align_up(end, kPage);
    for (const MemoryRegion& region : regions_)
        if (region.kind != MemoryKind::Usable && region.base < limit && first < region.end()) return false;
    // Covered by usable regions: each step moves past the end of one of them.
    u64 at = first;
    for (base::usize steps = 0; at < limit && steps < regions_.size(); ++steps) {
        bool advanced = false;
        for (const MemoryRegion& region : regions_) {
            if (region.kind == MemoryKind::Usable && region.base <= at && at < region.end()) {
                at = region.end();
                advanced = true;
                break;
            }
        }
        if (!advanced) return false;
    }
    return at >= limit;
}

base::u64 MemoryMap::usable_bytes() const {
    u64 total = 0;
    for (const MemoryRegion& region : regions_)
        if (region.kind == MemoryKind::Usable) total += region.size;
    return total;
}

base::u64 MemoryMap::total_ram_bytes() const {
    u64 total = 0;
    for (const MemoryRegion& region : regions_)
        if (is_ram(region.kind)) total += region.size;
    return total;
}

base::u64 MemoryMap::highest_usable_address() const {
    u64 highest = 0;
    for (const MemoryRegion& region : regions_)
        if (region.kind == MemoryKind::Usable) highest = base::max(highest, region.end());
    return highest;
}

}  // namespace kernel
