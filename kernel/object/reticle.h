// Reticle: an address space — the view of Bundles a Task sees. Its page table serves the user
// half only (the kernel half is shared: on x86_64 the root carries the kernel's upper entries,
// on aarch64 the user half has its own TTBR0). Each mapping is a whole Bundle range. Never
// writable and executable at once. Page tables are paid by the grant the Reticle was made from.
//
// A mapping is a capability: its record holds a node of the derivation tree (a
// HeldCapability), a child of the Bundle capability it was mapped through, and that node's
// reference keeps the Bundle's frames out of the allocator while mapped. The mapping exists
// exactly as long as the node: revoking the capability it was mapped through (or any ancestor,
// from any Task) deletes the node, and its deletion unmaps the range and flushes the TLB —
// as do reticle_unmap and the Reticle's destruction, which delete the node themselves.
// Closing (not revoking) the capability keeps the mapping: its node moves up to the closed
// capability's parent, as every child does.
#pragma once

#include "arch/page_table_format.h"
#include "base/optional.h"
#include "kernel/capability/capability.h"
#include "kernel/capability/status_or.h"
#include "kernel/mm/page_table.h"
#include "kernel/object/object.h"

namespace kernel {

class Bundle;

class Reticle final : public Object {
public:
    static constexpr base::u32 kMaxMappings = vectra::abi::kReticleMaxMappings;

    static StatusOr<Reticle*> create(Bundle& grant);

    // reticle_map: maps [offset, offset + size) of the Bundle that `through` (a live capability
    // to a Bundle; checking its rights is the caller's job) refers to, at `address` with
    // `protection` (abi::Protection bits; never write and execute together). Page-aligned,
    // inside the user half, not overlapping another mapping. The mapping's node becomes a child
    // of `through`. AlreadyExists, InvalidArgument, OutOfMemory (page tables), TooLarge (no
    // free mapping record). `allowed`: the protections the capability permits; protect never
    // goes beyond them.
    vectra::abi::Status map(Capability& through, base::u64 offset, base::u64 address, base::u64 size,
                            base::u32 protection, base::u32 allowed);
    // The same for what the kernel maps without any capability (init's program and stack,
    // in-kernel tests): the mapping's node is a root of its own, so only unmap or the
    // Reticle's end removes it.
    vectra::abi::Status map(Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size, base::u32 protection,
                            base::u32 allowed);
    // Removes every mapping inside [address, address + size); a mapping that sticks out of the
    // range is refused (InvalidArgument), so unmap never splits one. NotFound if none inside.
    vectra::abi::Status unmap(base::u64 address, base::u64 size);
    // Changes the protection of the one mapping that [address, address + size) lies in.
    vectra::abi::Status protect(base::u64 address, base::u64 size, base::u32 protection);

    base::u64 root() const { return page_table_.root(); }
    // The protection at `address` (0 when unmapped), for fault reports and tests.
    base::u32 protection_at(base::u64 address) const;
    // The physical address `address` is mapped to (none when unmapped): what a futex is keyed by.
    base::Optional<base::u64> physical_at(base::u64 address) const;
    // Live mappings, for tests.
    base::u32 mapping_count() const;

protected:
    void destroy() override;

private:
    // One mapping record. Invariant: size != 0 exactly when the node is live.
    class Mapping final : public HeldCapability {
    public:
        Reticle* reticle = nullptr;  // the Reticle this record lives in (set once)
        base::u64 address = 0;
        base::u64 size = 0;  // 0: free record
        base::u32 protection = 0;
        base::u32 allowed = 0;
        bool device = false;

    private:
        // The node is gone (revoked, unmapped, or the Reticle is ending): so is the mapping.
        void deleted() override;
        // Unmapping and flushing are per page: a revoke's budget counts them.
        base::usize deletion_cost() const override;
    };
    class GrantFrames final : public PageTableFrames {
    public:
        base::Optional<base::u64> allocate_table() override;
        void free_table(base::u64 physical) override;
        Bundle* grant = nullptr;
    };

    Reticle(base::u64 root_physical, Bundle& grant);
    static MappingFlags flags_for(base::u32 protection, bool device);
    // Decode for both map()s: the free record for the new mapping, or why there is none.
    StatusOr<Mapping*> check_map(Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size,
                                 base::u32 protection, base::u32 allowed);
    // Invoke: the page-table change, the only step that can fail (OutOfMemory); then the
    // record, whose node the caller makes live.
    vectra::abi::Status install(Mapping& record, Bundle& bundle, base::u64 offset, base::u64 address, base::u64 size,
                                base::u32 protection, base::u32 allowed);
    // The page-table half of a mapping's end, called when its node is deleted.
    void unmap_pages(Mapping& mapping);

    GrantFrames frames_;
    PageTable<arch::PageTableFormat> page_table_;
    Mapping mappings_[kMaxMappings];
    Bundle* paid_by_;
};

}  // namespace kernel
