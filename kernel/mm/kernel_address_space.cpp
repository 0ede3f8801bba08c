// Builds and owns the kernel's page tables (see kernel_address_space.h). Runs on the boot CPU
// before any other CPU or interrupt exists; later changes take the frame allocator's lock.
#include "kernel/mm/kernel_address_space.h"

#include "arch/arch.h"
#include "base/atomic.h"
#include "base/utility.h"
#include "kernel/core/log.h"
#include "kernel/mm/layout.h"

extern "C" char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[],
    __data_start[], __kernel_end[];

namespace kernel::mm {
namespace {

using base::u64;

// Storage for objects that must exist before any constructor could run: placed by hand once.
alignas(FrameAllocator) base::u8 frame_allocator_storage[sizeof(FrameAllocator)];
alignas(KernelPageTable) base::u8 page_table_storage[sizeof(KernelPageTable)];
FrameAllocator* frames = nullptr;
KernelPageTable* page_table = nullptr;
base::Atomic<u64> next_stack_slot{0};

base::u8* direct_map_pointer(u64 physical) { return layout::physical_to_pointer<base::u8>(physical); }

class FramesForPageTables final : public PageTableFrames {
public:
    base::Optional<u64> allocate_table() override { return frames->allocate(); }
    void free_table(u64 physical) override { (void)frames->free(physical); }
};
FramesForPageTables table_frames;

u64 image_physical(const BootInfo& boot_info, const char* symbol) {
    return boot_info.kernel_physical_start + (reinterpret_cast<u64>(symbol) - reinterpret_cast<u64>(__kernel_start));
}

base::Result<void> map_image_part(const BootInfo& boot_info, const char* start, const char* end, MappingFlags flags) {
    const u64 virtual_start = reinterpret_cast<u64>(start);
    const u64 size = reinterpret_cast<u64>(end) - virtual_start;
    if (size == 0) return {};
    return page_table->map(virtual_start, image_physical(boot_info, start), size, flags, /*allow_large_pages=*/false);
}

// Maps physical [start, end) at the direct map; nothing when the range is empty.
base::Result<void> map_direct(u64 start, u64 end, MappingFlags flags) {
    if (end <= start) return {};
    return page_table->map(layout::physical_to_virtual(start), start, end - start, flags);
}

// RAM the kernel may touch through the direct map: everything but firmware-reserved holes.
bool is_direct_mapped(MemoryKind kind) {
    return kind != MemoryKind::Reserved && kind != MemoryKind::Unusable;
}

}  // namespace

FrameAllocator& frame_allocator() { return *frames; }
KernelPageTable& kernel_page_table() { return *page_table; }

base::Result<void> build_kernel_address_space(const BootInfo& boot_info) {
    frames = new (frame_allocator_storage) FrameAllocator();
    TRY(frames->init(boot_info.memory, direct_map_pointer));

    const base::Optional<u64> root = frames->allocate();
    if (!root.has_value()) return base::make_error(base::ErrorCode::OutOfMemory, "no frame for the page-table root");
    page_table = new (page_table_storage) KernelPageTable(AddressHalf::Upper, *root, table_frames, direct_map_pointer);

    // The image, W^X: nothing is both writable and executable.
    const MappingFlags read_only{.writable = false, .executable = false};
    const MappingFlags read_execute{.writable = false, .executable = true};
    const MappingFlags read_write{.writable = true, .executable = false};
    TRY(map_image_part(boot_info, __kernel_start, __text_start, read_only));
    TRY(map_image_part(boot_info, __text_start, __text_end, read_execute));
    TRY(map_image_part(boot_info, __rodata_start, __rodata_end, read_only));
    TRY(map_image_part(boot_info, __data_start, __kernel_end, read_write));

    // The direct map of RAM: read+write, never execute — but for the image's header, text and
    // rodata, whose alias here is read-only like the image mapping itself: otherwise one write
    // through the direct map would change code or constants the W^X image mapping protects.
    const u64 read_only_start = image_physical(boot_info, __kernel_start);
    const u64 read_only_end = image_physical(boot_info, __rodata_end);
    for (const MemoryRegion& region : boot_info.memory.regions()) {
        if (!is_direct_mapped(region.kind)) continue;
        const u64 start = base::align_down(region.base, layout::kPageSize);
        const u64 end = base::align_up(region.end(), layout::kPageSize);
        TRY(map_direct(start, base::min(end, read_only_start), read_write));
        TRY(map_direct(base::max(start, read_only_start), base::min(end, read_only_end), read_only));
        TRY(map_direct(base::max(start, read_only_end), end, read_write));
    }

    // The kernel's own devices, uncached, at their direct-map addresses.
    const MappingFlags device{.writable = true, .executable = false, .device = true};
    for (const DeviceRange& range : boot_info.kernel_devices) {
        const u64 start = base::align_down(range.physical_base, layout::kPageSize);
        const u64 end = base::align_up(range.physical_base + range.size, layout::kPageSize);
        TRY(page_table->map(layout::physical_to_virtual(start), start, end - start, device));
    }

    arch::page_table_activate(*root);
    log("kernel page tables active: {} of {} frames free", frames->free_frames(), frames->total_frames());
    return {};
}

base::Result<KernelStack> allocate_kernel_stack_with_bounds() {
    const u64 slot = next_stack_slot.fetch_add(1);
    if ((slot + 1) * layout::kKernelStackSlot > layout::kKernelStacksSize)
        return base::make_error(base::ErrorCode::OutOfMemory, "the kernel stacks window is full");
    // [slot start, +4 KiB) stays unmapped: the guard page that turns an overflow into a fault.
    const u64 bottom = layout::kKernelStacksBase + slot * layout::kKernelStackSlot + layout::kPageSize;
    const MappingFlags read_write{.writable = true, .executable = false};
    for (u64 offset = 0; offset < layout::kKernelStackSize; offset += layout::kPageSize) {
        const base::Optional<u64> frame = frames->allocate();
        if (!frame.has_value()) return base::make_error(base::ErrorCode::OutOfMemory, "no frame for a kernel stack");
        TRY(page_table->map(bottom + offset, *frame, layout::kPageSize, read_write));
    }
    return KernelStack{bottom, bottom + layout::kKernelStackSize};
}

base::u64 kernel_stack_guard_page(base::uptr address) {
    const u64 slot = (address - layout::kKernelStacksBase) / layout::kKernelStackSlot;
    return layout::kKernelStacksBase + slot * layout::kKernelStackSlot;
}

base::Result<base::uptr> allocate_kernel_stack() {
    const KernelStack stack = TRY(allocate_kernel_stack_with_bounds());
    return stack.top;
}

}  // namespace kernel::mm
