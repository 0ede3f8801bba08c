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
        normalize();
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

void MemoryMap::normalize() {
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

    base::FixedVector<MemoryRegion, kMaxRegions> result;
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
        if (!result.empty() && result[result.size() - 1].kind == kind && result[result.size() - 1].end() == start) {
            result[result.size() - 1].size += end - start;
        } else if (!result.try_append(MemoryRegion{start, end - start, kind})) {
            break;  // cannot happen: intervals never outnumber boundaries; keep what fits
        }
    }

    // Usable RAM in whole pages only; partial pages are left out rather than shared.
    regions_.clear();
    for (MemoryRegion region : result) {
        if (region.kind == MemoryKind::Usable) {
            const u64 start = base::align_up(region.base, kPage);
            const u64 end = base::align_down(region.end(), kPage);
            if (end <= start) continue;
            region = MemoryRegion{start, end - start, MemoryKind::Usable};
        }
        (void)regions_.try_append(region);
    }
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
