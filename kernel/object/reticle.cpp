// Reticles (see reticle.h).
#include "kernel/object/reticle.h"
#include "kernel/smp/smp.h"

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
    for (Mapping& mapping : mappings_) mapping.reticle = this;
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

StatusOr<Reticle::Mapping*> Reticle::check_map(Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size,
                                               base::u32 protection, base::u32 allowed) {
    // Is everything page-aligned, inside the Bundle and the user half, W^X, free?
    if (size == 0 || address % layout::kPageSize != 0 || offset % layout::kPageSize != 0 || size % layout::kPageSize != 0)
        return Status::InvalidArgument;
    if ((protection & ~base::u32(abi::kProtectRead | abi::kProtectWrite | abi::kProtectExecute)) != 0 || protection == 0)
        return Status::InvalidArgument;
    if ((protection & abi::kProtectWrite) && (protection & abi::kProtectExecute)) return Status::InvalidArgument;
    if ((protection & ~allowed) != 0) return Status::MissingRights;
    if (!bundle.mappable()) return Status::WrongKind;
    if (offset > bundle.size() || size > bundle.size() - offset) return Status::InvalidArgument;
    if (!user_range_valid(address, size)) return Status::BadAddress;
    Mapping* free_record = nullptr;
    // Bound: kMaxMappings.
    for (Mapping& mapping : mappings_) {
        if (mapping.size == 0) {
            if (free_record == nullptr) free_record = &mapping;
        } else if (overlaps(mapping.address, mapping.size, address, size)) {
            return Status::AlreadyExists;
        }
    }
    if (free_record == nullptr) return Status::TooLarge;
    return free_record;
}

Status Reticle::install(Mapping& record, Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size,
                        base::u32 protection, base::u32 allowed) {
    // The page table is all or nothing (a failure leaves nothing mapped, and no record used).
    const bool device = bundle.flavour() == abi::BundleFlavour::Device;
    auto mapped = page_table_.map(address, bundle.physical() + offset, size, flags_for(protection, device), false);
    if (mapped.is_error()) return mapped.error().code == base::ErrorCode::OutOfMemory ? Status::OutOfMemory : Status::AlreadyExists;
    record.address = address;
    record.size = size;
    record.protection = protection;
    record.allowed = allowed;
    record.device = device;
    return Status::Ok;
}

Status Reticle::map(Capability& through, base::u64 offset, base::u64 address, base::u64 size, base::u32 protection,
                    base::u32 allowed) {
    // Is the capability one to a Bundle? (Its rights are the syscall's to check.)
    if (through.is_empty() || through.object()->kind() != abi::ObjectKind::Bundle) return Status::WrongKind;
    Bundle& bundle = *static_cast<Bundle*>(through.object());
    Mapping* record = TRY(check_map(bundle, offset, address, size, protection, allowed));
    const Status installed = install(*record, bundle, offset, address, size, protection, allowed);
    if (installed != Status::Ok) return installed;
    // Nothing below can fail: the node that stands for the mapping joins the tree under
    // `through`, with the rights the mapping uses (what protect may still grant).
    record->hold_derived(through, through.rights());
    return Status::Ok;
}

Status Reticle::map(Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size, base::u32 protection,
                    base::u32 allowed) {
    Mapping* record = TRY(check_map(bundle, offset, address, size, protection, allowed));
    const Status installed = install(*record, bundle, offset, address, size, protection, allowed);
    if (installed != Status::Ok) return installed;
    record->hold_root(bundle, abi::kRightRead | abi::kRightMap);
    return Status::Ok;
}

void Reticle::unmap_pages(Mapping& mapping) {
    // Cannot fail: unmapping whole mappings never splits a large page (none are made).
    (void)page_table_.unmap(mapping.address, mapping.size);
    // This CPU's flush (of the current address space; a switch drops every user entry, see
    // arch::user_page_table_activate), then every other CPU that has this Reticle loaded drops
    // its entries too — done before the node's reference to the Bundle is released (right
    // after this returns) and its frames can be reused.
    for (base::u64 at = mapping.address; at < mapping.address + mapping.size; at += layout::kPageSize)
        arch::tlb_flush_user_page(at);
    smp::shootdown(root());
    mapping.address = 0;
    mapping.size = 0;
    mapping.protection = 0;
    mapping.allowed = 0;
    mapping.device = false;
}

void Reticle::Mapping::deleted() { reticle->unmap_pages(*this); }

base::usize Reticle::Mapping::deletion_cost() const { return 1 + size / layout::kPageSize; }

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
    // Deleting each node unmaps its range (Mapping::deleted) and releases its Bundle.
    for (Mapping& mapping : mappings_) {
        if (mapping.size != 0 && overlaps(mapping.address, mapping.size, address, size)) mapping.remove();
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
        auto changed = page_table_.protect(address, size, flags_for(protection, mapping.device));
        if (changed.is_error()) return Status::OutOfMemory;
        for (base::u64 at = address; at < address + size; at += layout::kPageSize) arch::tlb_flush_user_page(at);
        smp::shootdown(root());  // a narrowed protection holds on every CPU once this returns
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

base::Optional<base::u64> Reticle::physical_at(base::u64 address) const {
    const auto translation = page_table_.translate(address);
    if (!translation.has_value()) return base::none;
    return translation->physical;
}

base::u32 Reticle::mapping_count() const {
    base::u32 count = 0;
    for (const Mapping& mapping : mappings_) count += mapping.size != 0 ? 1 : 0;
    return count;
}

void Reticle::destroy() {
    // Every mapping's node goes with the Reticle (its descendants: none, nothing names it).
    for (Mapping& mapping : mappings_) {
        if (mapping.size != 0) mapping.remove();
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
