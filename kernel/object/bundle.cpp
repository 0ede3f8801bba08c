// Bundles (see bundle.h). Each Bundle record takes one frame charged to its grant; Memory
// bundles add their own frames.
#include "kernel/object/bundle.h"

#include "kernel/mm/kernel_address_space.h"
#include "kernel/object/object_memory.h"

namespace kernel {

using vectra::abi::Status;

namespace {

StatusOr<Bundle*> place(Bundle* grant, auto make) {
    void* memory = TRY(allocate_object_pages(grant, pages_for<Bundle>()));
    return make(memory);
}

}  // namespace

StatusOr<Bundle*> Bundle::create_memory(Bundle& grant, base::u64 pages) {
    if (grant.flavour_ != Flavour::Grant) return Status::WrongKind;
    if (pages == 0 || pages > (base::u64(1) << 18)) return Status::InvalidArgument;  // 1 GiB at most
    void* frames = TRY(allocate_object_pages(&grant, pages));
    auto record = allocate_object_pages(&grant, pages_for<Bundle>());
    if (record.is_error()) {
        free_object_pages(&grant, frames, pages);
        return record.error();
    }
    auto* bundle = new (record.value()) Bundle();
    bundle->flavour_ = Flavour::Memory;
    bundle->owns_frames_ = true;
    bundle->physical_ = reinterpret_cast<base::u64>(frames) - layout::kDirectMapBase;
    bundle->size_ = pages * layout::kPageSize;
    bundle->paid_by_ = &grant;
    grant.retain();
    return bundle;
}

StatusOr<Bundle*> Bundle::create_device(base::u64 physical, base::u64 size) {
    return place(nullptr, [&](void* memory) {
        auto* bundle = new (memory) Bundle();
        bundle->flavour_ = Flavour::Device;
        bundle->physical_ = physical;
        bundle->size_ = size;
        return bundle;
    });
}

StatusOr<Bundle*> Bundle::create_ports(base::u16 first_port, base::u16 count) {
    return place(nullptr, [&](void* memory) {
        auto* bundle = new (memory) Bundle();
        bundle->flavour_ = Flavour::Ports;
        bundle->physical_ = first_port;
        bundle->size_ = count;
        return bundle;
    });
}

StatusOr<Bundle*> Bundle::create_root_grant(base::u64 pages) {
    return place(nullptr, [&](void* memory) {
        auto* bundle = new (memory) Bundle();
        bundle->flavour_ = Flavour::Grant;
        bundle->pages_left_ = pages;
        bundle->size_ = pages * layout::kPageSize;
        return bundle;
    });
}

StatusOr<Bundle*> Bundle::create_boot_memory(base::u64 physical, base::u64 size) {
    return place(nullptr, [&](void* memory) {
        auto* bundle = new (memory) Bundle();
        bundle->flavour_ = Flavour::Memory;
        bundle->physical_ = physical;
        bundle->size_ = size;
        return bundle;
    });
}

StatusOr<Bundle*> Bundle::split_grant(base::u64 pages) {
    if (flavour_ != Flavour::Grant) return Status::WrongKind;
    if (pages == 0) return Status::InvalidArgument;
    // The child's record is paid by this grant too, so ask for both at once.
    const base::u64 record_pages = pages_for<Bundle>();
    if (pages_left_ < pages || pages_left_ - pages < record_pages) return Status::OutOfMemory;
    Bundle* child = TRY(place(this, [&](void* memory) {
        auto* bundle = new (memory) Bundle();
        bundle->flavour_ = Flavour::Grant;
        return bundle;
    }));
    pages_left_ -= pages;
    child->pages_left_ = pages;
    child->size_ = pages * layout::kPageSize;
    child->paid_by_ = this;
    retain();
    return child;
}

bool Bundle::charge(base::u64 pages) {
    if (flavour_ != Flavour::Grant || pages_left_ < pages) return false;
    pages_left_ -= pages;
    return true;
}

void Bundle::refund(base::u64 pages) { pages_left_ += pages; }

void Bundle::destroy() {
    Bundle* grant = paid_by_;
    if (owns_frames_) free_object_pages(grant, layout::physical_to_pointer<void>(physical_), size_ / layout::kPageSize);
    // A dying grant returns its unspent quota to the grant it came from.
    if (flavour_ == Flavour::Grant && grant != nullptr) grant->refund(pages_left_);
    this->~Bundle();
    free_object_pages(grant, this, pages_for<Bundle>());
    if (grant != nullptr) grant->release();
}

}  // namespace kernel
