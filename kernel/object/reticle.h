// Reticle: an address space — the view of Bundles a Task sees. Its page table serves the user
// half only (the kernel half is shared: on x86_64 the root carries the kernel's upper entries,
// on aarch64 the user half has its own TTBR0). Each mapping is a whole Bundle range, recorded
// here with a reference to the Bundle so that mapped frames never go back to the allocator
// while mapped. Never writable and executable at once. Page tables are paid by the grant the
// Reticle was made from.
#pragma once

#include "arch/page_table_format.h"
#include "kernel/capability/status_or.h"
#include "kernel/mm/page_table.h"
#include "kernel/object/object.h"

namespace kernel {

class Bundle;

class Reticle final : public Object {
public:
    static constexpr base::u32 kMaxMappings = vectra::abi::kReticleMaxMappings;

    static StatusOr<Reticle*> create(Bundle& grant);

    // Maps [offset, offset + size) of `bundle` at `address` with `protection` (abi::Protection
    // bits; never write and execute together). Page-aligned, inside the user half, not
    // overlapping another mapping. AlreadyExists, InvalidArgument, OutOfMemory (page tables).
    // `allowed`: the protections the Bundle capability permits; protect never goes beyond them.
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

protected:
    void destroy() override;

private:
    struct Mapping {
        base::u64 address = 0;
        base::u64 size = 0;  // 0: free slot
        base::u64 physical = 0;
        base::u32 protection = 0;
        base::u32 allowed = 0;
        Bundle* bundle = nullptr;
    };
    class GrantFrames final : public PageTableFrames {
    public:
        base::Optional<base::u64> allocate_table() override;
        void free_table(base::u64 physical) override;
        Bundle* grant = nullptr;
    };

    Reticle(base::u64 root_physical, Bundle& grant);
    static MappingFlags flags_for(base::u32 protection, bool device);
    void remove_mapping(Mapping& mapping);

    GrantFrames frames_;
    PageTable<arch::PageTableFormat> page_table_;
    Mapping mappings_[kMaxMappings];
    Bundle* paid_by_;
};

}  // namespace kernel
