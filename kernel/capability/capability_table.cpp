// Capability tables: handles, lookups, and the table-level operations over the derivation tree
// (see capability_table.h). Each operation decodes first (every check, nothing changed) and
// then invokes (changes that cannot fail).
#include "kernel/capability/capability_table.h"

#include "base/utility.h"

namespace kernel {

using vectra::abi::Handle;
using vectra::abi::ObjectKind;
using vectra::abi::Status;

CapabilityTable::CapabilityTable(base::Span<Capability> slots) : slots_(slots) {
    if (slots.size() > vectra::abi::kMaxCapabilitySlots) __builtin_trap();  // handles could not name every slot
    for (const Capability& slot : slots) {
        if (!slot.is_empty()) __builtin_trap();  // a new table starts empty
    }
}

CapabilityTable::~CapabilityTable() { clear_all(); }

base::Span<Capability> CapabilityTable::construct_slots(void* memory, base::usize count) {
    Capability* slots = static_cast<Capability*>(memory);
    for (base::usize index = 0; index < count; ++index) new (&slots[index]) Capability();
    return base::Span<Capability>(slots, count);
}

base::usize CapabilityTable::live_count() const {
    base::usize live = 0;
    for (const Capability& slot : slots_) live += slot.is_empty() ? 0 : 1;
    return live;
}

Handle CapabilityTable::handle_of(base::u32 slot) const {
    if (slots_[slot].is_empty()) return vectra::abi::kNoHandle;
    return vectra::abi::make_handle(slot, slots_[slot].generation());
}

StatusOr<Capability*> CapabilityTable::lookup(Handle handle, ObjectKind required_kind, base::u32 required_rights) {
    // Does the handle name a live capability of this table, in its current generation?
    base::u32 slot = vectra::abi::handle_slot(handle);
    if (handle == vectra::abi::kNoHandle || slot >= slots_.size()) return Status::BadHandle;
    Capability& capability = slots_[slot];
    if (capability.is_empty() || capability.generation() != vectra::abi::handle_generation(handle)) return Status::BadHandle;
    // Is it of the kind the caller needs?
    if (required_kind != ObjectKind::None && capability.object()->kind() != required_kind) return Status::WrongKind;
    // Does it carry every right the caller needs?
    if (!capability.has_rights(required_rights)) return Status::MissingRights;
    return &capability;
}

base::i64 CapabilityTable::find_free_slot() const {
    base::usize capacity = slots_.size();
    // Bound: one pass round the table.
    for (base::usize step = 0; step < capacity; ++step) {
        base::usize index = (search_start_ + step) % capacity;
        if (slots_[index].is_empty()) return static_cast<base::i64>(index);
    }
    return -1;
}

bool CapabilityTable::has_free_slots(base::usize needed) const {
    base::usize found = 0;
    // Bound: the capacity.
    for (const Capability& slot : slots_) {
        if (found >= needed) break;
        found += slot.is_empty() ? 1 : 0;
    }
    return found >= needed;
}

Handle CapabilityTable::claim(base::u32 slot) {
    // Round robin: the next search starts past this slot, so slots are reused in turn and each
    // generation lasts as long as it can before wrapping.
    search_start_ = static_cast<base::u32>((slot + 1) % slots_.size());
    return vectra::abi::make_handle(slot, slots_[slot].generation());
}

StatusOr<Handle> CapabilityTable::insert_root(Object& object, base::u32 rights) {
    // Is there a free slot?
    base::i64 slot = find_free_slot();
    if (slot < 0) return Status::TableFull;

    slots_[slot].make_root(object, rights);
    return claim(static_cast<base::u32>(slot));
}

StatusOr<Handle> CapabilityTable::derive(Handle handle, base::u32 rights) {
    // Is the handle a capability we may derive from?
    Capability* parent = TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightDerive));
    // Is there a free slot for the child?
    base::i64 slot = find_free_slot();
    if (slot < 0) return Status::TableFull;

    slots_[slot].derive_from(*parent, rights);
    return claim(static_cast<base::u32>(slot));
}

StatusOr<Handle> CapabilityTable::copy_into(Handle handle, CapabilityTable& destination, base::u32 rights) {
    // Is the handle a capability we may give away?
    Capability* parent = TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightTransfer));
    // Has the destination a free slot?
    base::i64 slot = destination.find_free_slot();
    if (slot < 0) return Status::TableFull;

    destination.slots_[slot].derive_from(*parent, rights);
    return destination.claim(static_cast<base::u32>(slot));
}

Status CapabilityTable::close(Handle handle) {
    // Does the handle name a live capability?
    Capability* capability = TRY(lookup(handle, ObjectKind::None, 0));

    capability->remove();
    return Status::Ok;
}

Status CapabilityTable::revoke(Handle handle, base::usize budget) {
    // Does the handle name a capability we may revoke through?
    Capability* capability = TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightRevoke));

    capability->revoke_descendants(budget);
    return capability->has_descendants() ? Status::MoreToDo : Status::Ok;
}

Status CapabilityTable::move_out(Handle handle, base::u32 rights, InFlightCapability& in_flight) {
    // Does the handle name a capability we may transfer?
    Capability* capability = TRY(lookup(handle, ObjectKind::None, vectra::abi::kRightTransfer));
    if (!in_flight.is_empty()) __builtin_trap();  // the kernel gave a used in-flight place

    in_flight.node_.move_from(*capability, rights);
    return Status::Ok;
}

StatusOr<Handle> CapabilityTable::move_in(InFlightCapability& in_flight) {
    // Was it revoked while in flight? Then there is nothing to receive.
    if (in_flight.is_empty()) return vectra::abi::kNoHandle;
    // Is there a free slot?
    base::i64 slot = find_free_slot();
    if (slot < 0) return Status::TableFull;

    slots_[slot].move_from(in_flight.node_, vectra::abi::kRightsAll);
    return claim(static_cast<base::u32>(slot));
}

Status CapabilityTable::move_out_all(base::Span<const Handle> handles, base::u32 rights,
                                     base::Span<InFlightCapability> in_flight) {
    // Is there a place for every handle?
    if (handles.size() > in_flight.size()) return Status::InvalidArgument;
    // Bound: handles.size() (at most in_flight.size(), a message's handle count), squared.
    for (base::usize index = 0; index < handles.size(); ++index) {
        // Is each a capability we may transfer?
        TRY(lookup(handles[index], ObjectKind::None, vectra::abi::kRightTransfer));
        // Is it listed only once? (A second move would find it gone.)
        for (base::usize earlier = 0; earlier < index; ++earlier) {
            if (handles[earlier] == handles[index]) return Status::BadHandle;
        }
        if (!in_flight[index].is_empty()) __builtin_trap();  // the kernel gave a used in-flight place
    }

    // Nothing above changed anything; nothing below can fail.
    for (base::usize index = 0; index < handles.size(); ++index) {
        Capability& capability = slots_[vectra::abi::handle_slot(handles[index])];
        in_flight[index].node_.move_from(capability, rights);
    }
    return Status::Ok;
}

Status CapabilityTable::move_in_all(base::Span<InFlightCapability> in_flight, base::Span<Handle> handles) {
    // Is there a place for every new handle?
    if (handles.size() < in_flight.size()) return Status::InvalidArgument;
    // Is there a free slot for every capability still in flight?
    base::usize needed = 0;
    for (const InFlightCapability& capability : in_flight) needed += capability.is_empty() ? 0 : 1;
    if (!has_free_slots(needed)) return Status::TableFull;

    // Nothing above changed anything; each move_in below finds a free slot.
    for (base::usize index = 0; index < in_flight.size(); ++index) handles[index] = move_in(in_flight[index]).value();
    return Status::Ok;
}

void CapabilityTable::clear_all() {
    // Bound: the capacity; each removal is O(1) (its descendants stay where they are).
    for (Capability& slot : slots_) {
        if (!slot.is_empty()) slot.remove();
    }
}

}  // namespace kernel
