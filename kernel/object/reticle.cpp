// Reticles (see reticle.h).
#include "kernel/object/reticle.h"

#include "arch/user_mode.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/user_range.h"
#include "kernel/object/bundle.h"
#include "kernel/object/object_memory.h"
#include "kernel/sched/scheduler.h"

namespace kernel {

using vectra::abi::Status;
namespace abi = vectra::abi;

namespace {

base::u8* direct_map(base::u64 physical) { return layout::physical_to_pointer<base::u8>(physical); }

bool overlaps(base::u64 a, base::u64 a_size, base::u64 b, base::u64 b_size) { return a < b + b_size && b < a + a_size; }

}  // namespace

base::Optional<base::u64> Reticle::GrantFrames::allocate_table() {
    auto memory = allocate_object_pages(grant, 1);
    if (memory.is_error()) return base::none;
    return reinterpret_cast<base::u64>(memory.value()) - layout::kDirectMapBase;
}

void Reticle::GrantFrames::free_table(base::u64 physical) { free_object_pages(grant, direct_map(physical), 1); }

Reticle::Reticle(base::u64 root_physical, Bundle& grant)
    : Object(abi::ObjectKind::Reticle), page_table_(AddressHalf::Lower, root_physical, frames_, direct_map), paid_by_(&grant) {
    frames_.grant = &grant;
#if defined(__x86_64__)
    // The upper half (entries 256-511) is the kernel's, shared by every address space; the
    // kernel never adds a root entry after boot, so copying them once is enough.
    const auto* kernel_root = reinterpret_cast<const base::u64*>(direct_map(mm::kernel_page_table().root()));
    auto* root = reinterpret_cast<base::u64*>(direct_map(root_physical));
    for (int i = 256; i < 512; ++i) root[i] = kernel_root[i];
#endif
}

StatusOr<Reticle*> Reticle::create(Bundle& grant) {
    void* root = TRY(allocate_object_pages(&grant, 1));
    auto memory = allocate_object_pages(&grant, pages_for<Reticle>());
    if (memory.is_error()) {
        free_object_pages(&grant, root, 1);
        return memory.error();
    }
    auto* reticle = new (memory.value()) Reticle(reinterpret_cast<base::u64>(root) - layout::kDirectMapBase, grant);
    grant.retain();
    return reticle;
}

MappingFlags Reticle::flags_for(base::u32 protection, bool device) {
    return MappingFlags{.writable = (protection & abi::kProtectWrite) != 0,
                        .executable = (protection & abi::kProtectExecute) != 0,
                        .user = true,
                        .device = device,
                        .global = false};
}

Status Reticle::map(Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size, base::u32 protection,
                    base::u32 allowed) {
    // Decode: is everything page-aligned, inside the Bundle and the user half, W^X, free?
    if (size == 0 || address % layout::kPageSize != 0 || offset % layout::kPageSize != 0 || size % layout::kPageSize != 0)
        return Status::InvalidArgument;
    if ((protection & ~base::u32(abi::kProtectRead | abi::kProtectWrite | abi::kProtectExecute)) != 0 || protection == 0)
        return Status::InvalidArgument;
    if ((protection & abi::kProtectWrite) && (protection & abi::kProtectExecute)) return Status::InvalidArgument;
    if ((protection & ~allowed) != 0) return Status::MissingRights;
    if (!bundle.mappable()) return Status::WrongKind;
    if (offset > bundle.size() || size > bundle.size() - offset) return Status::InvalidArgument;
    if (!user_range_valid(address, size)) return Status::BadAddress;
    Mapping* free_slot = nullptr;
    for (Mapping& mapping : mappings_) {
        if (mapping.size == 0) {
            if (free_slot == nullptr) free_slot = &mapping;
        } else if (overlaps(mapping.address, mapping.size, address, size)) {
            return Status::AlreadyExists;
        }
    }
    if (free_slot == nullptr) return Status::TooLarge;
    // Invoke: the page table is all or nothing (a failure leaves nothing mapped).
    const bool device = bundle.flavour() == abi::BundleFlavour::Device;
    auto mapped = page_table_.map(address, bundle.physical() + offset, size, flags_for(protection, device), false);
    if (mapped.is_error()) return mapped.error().code == base::ErrorCode::OutOfMemory ? Status::OutOfMemory : Status::AlreadyExists;
    *free_slot = Mapping{address, size, bundle.physical() + offset, protection, allowed, &bundle};
    bundle.retain();
    return Status::Ok;
}

void Reticle::remove_mapping(Mapping& mapping) {
    (void)page_table_.unmap(mapping.address, mapping.size);
    for (base::u64 at = mapping.address; at < mapping.address + mapping.size; at += layout::kPageSize)
        arch::tlb_flush_user_page(at);
    mapping.bundle->release();
    mapping = Mapping{};
}

Status Reticle::unmap(base::u64 address, base::u64 size) {
    if (size == 0 || address % layout::kPageSize != 0 || size % layout::kPageSize != 0) return Status::InvalidArgument;
    if (!user_range_valid(address, size)) return Status::BadAddress;
    bool any = false;
    for (Mapping& mapping : mappings_) {
        if (mapping.size == 0 || !overlaps(mapping.address, mapping.size, address, size)) continue;
        if (mapping.address < address || mapping.address + mapping.size > address + size) return Status::InvalidArgument;
        any = true;
    }
    if (!any) return Status::NotFound;
    for (Mapping& mapping : mappings_) {
        if (mapping.size != 0 && overlaps(mapping.address, mapping.size, address, size)) remove_mapping(mapping);
    }
    return Status::Ok;
}

Status Reticle::protect(base::u64 address, base::u64 size, base::u32 protection) {
    if (size == 0 || address % layout::kPageSize != 0 || size % layout::kPageSize != 0) return Status::InvalidArgument;
    if ((protection & abi::kProtectWrite) && (protection & abi::kProtectExecute)) return Status::InvalidArgument;
    if ((protection & ~base::u32(7)) != 0 || protection == 0) return Status::InvalidArgument;
    if (!user_range_valid(address, size)) return Status::BadAddress;
    for (Mapping& mapping : mappings_) {
        if (mapping.size == 0 || address < mapping.address || address + size > mapping.address + mapping.size) continue;
        if ((protection & ~mapping.allowed) != 0) return Status::MissingRights;
        const bool device = mapping.bundle->flavour() == abi::BundleFlavour::Device;
        auto changed = page_table_.protect(address, size, flags_for(protection, device));
        if (changed.is_error()) return Status::OutOfMemory;
        for (base::u64 at = address; at < address + size; at += layout::kPageSize) arch::tlb_flush_user_page(at);
        if (address == mapping.address && size == mapping.size) mapping.protection = protection;
        return Status::Ok;
    }
    return Status::NotFound;
}

base::u32 Reticle::protection_at(base::u64 address) const {
    const auto translation = page_table_.translate(address);
    if (!translation.has_value()) return 0;
    return abi::kProtectRead | (translation->flags.writable ? abi::kProtectWrite : 0) |
           (translation->flags.executable ? abi::kProtectExecute : 0);
}

void Reticle::destroy() {
    for (Mapping& mapping : mappings_) {
        if (mapping.size != 0) remove_mapping(mapping);
    }
    Bundle* grant = paid_by_;
    const base::u64 root = page_table_.root();
    sched::address_space_destroyed(root);
    this->~Reticle();
    free_object_pages(grant, direct_map(root), 1);
    free_object_pages(grant, this, pages_for<Reticle>());
    grant->release();
}

}  // namespace kernel
