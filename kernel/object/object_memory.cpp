// Object memory from whole frames, charged to grants (see object_memory.h).
#include "kernel/object/object_memory.h"

#include "base/utility.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/object/bundle.h"

namespace kernel {

StatusOr<void*> allocate_object_pages(Bundle* grant, base::u64 pages) {
    using vectra::abi::Status;
    if (pages == 0 || pages > (base::u64(1) << 20)) return Status::InvalidArgument;
    if (grant != nullptr && !grant->charge(pages)) return Status::OutOfMemory;
    const auto physical = pages == 1 ? mm::frame_allocator().allocate() : mm::frame_allocator().allocate_contiguous(pages);
    if (!physical.has_value()) {
        if (grant != nullptr) grant->refund(pages);
        return Status::OutOfMemory;
    }
    auto* memory = layout::physical_to_pointer<base::u8>(*physical);
    for (base::u64 i = 0; i < pages * layout::kPageSize; ++i) memory[i] = 0;
    return static_cast<void*>(memory);
}

void free_object_pages(Bundle* grant, void* memory, base::u64 pages) {
    const base::u64 physical = reinterpret_cast<base::u64>(memory) - layout::kDirectMapBase;
    for (base::u64 i = 0; i < pages; ++i) (void)mm::frame_allocator().free(physical + i * layout::kPageSize);
    if (grant != nullptr) grant->refund(pages);
}

}  // namespace kernel
