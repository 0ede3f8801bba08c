// A Task's capability table: a fixed number of slots in storage the caller provides (paid for by
// a memory grant), each slot one Capability. A handle is (generation << kHandleSlotBits) | slot
// (abi.h); a slot's generation is bumped each time it is emptied, so a handle kept after a
// close, a revoke or a move is refused (BadHandle) rather than naming whatever fills the slot
// next. Capabilities in flight (carried by a Ring message) live in InFlightCapability storage,
// still in the derivation tree, so a revoke reaches them too.
//
// Every operation is all-or-nothing: it checks everything first (decode) and changes state only
// when nothing can fail any more (invoke). Lookups check in this order: the handle names a live
// capability (BadHandle), of the required kind (WrongKind), with the required rights
// (MissingRights).
//
// Concurrency: called under the one kernel lock, on one CPU. A revoke or a removal changes
// nodes in other tables and in messages, so SMP keeps one lock around all of them.
#pragma once

#include "abi/abi.h"
#include "base/span.h"
#include "kernel/capability/capability.h"
#include "kernel/capability/status_or.h"

namespace kernel {

class CapabilityTable;

// A capability carried by a Ring message, outside any table: it keeps its place in the
// derivation tree (so revoking an ancestor empties it), and destroying it deletes the node.
class InFlightCapability {
public:
    InFlightCapability() = default;
    InFlightCapability(const InFlightCapability&) = delete;
    InFlightCapability& operator=(const InFlightCapability&) = delete;

    // Empty when nothing was put here, or when it was revoked or taken by move_in.
    bool is_empty() const { return node_.is_empty(); }
    const Capability& capability() const { return node_; }
    // Deletes the capability (when its message is destroyed undelivered); nothing when empty.
    void clear() {
        if (!node_.is_empty()) node_.remove();
    }

private:
    friend class CapabilityTable;
    Capability node_;
};

class CapabilityTable {
public:
    // `slots`: constructed, empty Capabilities (construct_slots), at most kMaxCapabilitySlots,
    // outliving the table. A new table fills slots 0, 1, 2, ... in order, each with generation 1
    // the first time, so boot can give init its capabilities at known handles.
    explicit CapabilityTable(base::Span<Capability> slots);
    // Deletes every capability still in the table (clear_all).
    ~CapabilityTable();
    CapabilityTable(const CapabilityTable&) = delete;
    CapabilityTable& operator=(const CapabilityTable&) = delete;

    // Constructs `count` empty slots in `memory` (aligned for Capability, sizeof(Capability) *
    // count bytes) for the constructor.
    static base::Span<Capability> construct_slots(void* memory, base::usize count);

    base::usize capacity() const { return slots_.size(); }
    // Live capabilities: O(capacity).
    base::usize live_count() const;

    // The capability `handle` names, if it is of `required_kind` (ObjectKind::None: any kind)
    // and has every right in `required_rights`.
    StatusOr<Capability*> lookup(vectra::abi::Handle handle, vectra::abi::ObjectKind required_kind,
                                 base::u32 required_rights);

    // A new root capability to `object` with `rights` (limited to kRightsAll). TableFull.
    StatusOr<vectra::abi::Handle> insert_root(Object& object, base::u32 rights);
    // handle_derive: a child of `handle` in this table with its rights narrowed by `rights`.
    // Needs kRightDerive. BadHandle, MissingRights, TableFull.
    StatusOr<vectra::abi::Handle> derive(vectra::abi::Handle handle, base::u32 rights);
    // task_give: a child of `handle` in `destination` (which may be this table), narrowed by
    // `rights`. Needs kRightTransfer. BadHandle, MissingRights, TableFull (destination).
    StatusOr<vectra::abi::Handle> copy_into(vectra::abi::Handle handle, CapabilityTable& destination,
                                            base::u32 rights);
    // handle_close: deletes the capability; its descendants stay (children of its parent).
    [[nodiscard]] vectra::abi::Status close(vectra::abi::Handle handle);
    // handle_revoke: deletes up to `budget` descendants of `handle` — in any table, and in
    // flight — keeping `handle` itself. Ok when none remain, MoreToDo when some do (call again).
    // Needs kRightRevoke. BadHandle, MissingRights.
    [[nodiscard]] vectra::abi::Status revoke(vectra::abi::Handle handle, base::usize budget);

    // Moves the capability out of the table into `in_flight` (which must be empty), with its
    // rights narrowed by `rights`; the handle goes stale. Needs kRightTransfer.
    [[nodiscard]] vectra::abi::Status move_out(vectra::abi::Handle handle, base::u32 rights, InFlightCapability& in_flight);
    // Moves an in-flight capability into a free slot. kNoHandle when it was revoked while in
    // flight (it stays empty). TableFull leaves it in flight.
    StatusOr<vectra::abi::Handle> move_in(InFlightCapability& in_flight);
    // A message's worth, all or nothing: moves handles[i] into in_flight[i] (each empty), each
    // narrowed by `rights`. A handle listed twice is BadHandle (the first move empties it);
    // more handles than places is InvalidArgument.
    [[nodiscard]] vectra::abi::Status move_out_all(base::Span<const vectra::abi::Handle> handles, base::u32 rights,
                                                   base::Span<InFlightCapability> in_flight);
    // Receives a message's capabilities, all or nothing: handles[i] gets in_flight[i]'s new
    // handle (kNoHandle for one revoked in flight). TableFull moves none; fewer handle places
    // than capabilities is InvalidArgument.
    [[nodiscard]] vectra::abi::Status move_in_all(base::Span<InFlightCapability> in_flight,
                                                  base::Span<vectra::abi::Handle> handles);

    // When the Task dies: deletes every capability in the table (bounded by the capacity;
    // descendants elsewhere stay, objects left without references go to the reaper).
    void clear_all();

    // Whether at least `needed` slots are free (stops counting once it has seen them): syscalls
    // that create objects ask first, so a full table refuses before anything is made.
    bool has_free_slots(base::usize needed) const;

    // For boot and tests: the handle a live slot answers to right now.
    vectra::abi::Handle handle_of(base::u32 slot) const;
    const Capability& slot(base::u32 index) const { return slots_[index]; }

private:
    // The index of a free slot, searching round from search_start_; -1 when full.
    base::i64 find_free_slot() const;
    // Fills a slot found by find_free_slot and returns its handle.
    vectra::abi::Handle claim(base::u32 slot);

    base::Span<Capability> slots_;
    base::u32 search_start_ = 0;  // where the free-slot search starts (a hint, not a promise)
};

}  // namespace kernel
