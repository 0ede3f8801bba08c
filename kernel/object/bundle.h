// Bundle: a set of physical pages — RAM (contiguous frames, zeroed), a device's registers
// (MMIO), an x86_64 I/O-port range, or a memory grant (a quota of RAM pages that pays for new
// objects and is never mapped). A Bundle's frames stay allocated while any capability or any
// Reticle mapping refers to it (mappings hold a reference), so a mapped page never returns to
// the frame allocator.
#pragma once

#include "abi/abi.h"
#include "kernel/capability/status_or.h"
#include "kernel/object/object.h"

namespace kernel {

class Bundle final : public Object {
public:
    using Flavour = vectra::abi::BundleFlavour;

    // RAM pages paid for by `grant` (the Bundle's own record and its frames).
    static StatusOr<Bundle*> create_memory(Bundle& grant, base::u64 pages);
    // Boot only: the kernel hands these to init.
    static StatusOr<Bundle*> create_device(base::u64 physical, base::u64 size);
    static StatusOr<Bundle*> create_ports(base::u16 first_port, base::u16 count);
    static StatusOr<Bundle*> create_root_grant(base::u64 pages);
    // Boot only: existing RAM (the boot bundle) exposed read-only; never freed.
    static StatusOr<Bundle*> create_boot_memory(base::u64 physical, base::u64 size);
    // grant_split: a new grant taking `pages` of this one's quota, returned when it dies.
    StatusOr<Bundle*> split_grant(base::u64 pages);

    Flavour flavour() const { return flavour_; }
    base::u64 physical() const { return physical_; }
    base::u64 size() const { return size_; }  // bytes; ports for Ports; quota bytes for Grant
    base::u64 pages_left() const { return pages_left_; }
    bool mappable() const { return flavour_ == Flavour::Memory || flavour_ == Flavour::Device; }

    // Grants: take or give back quota (allocate_object_pages uses these).
    bool charge(base::u64 pages);
    void refund(base::u64 pages);

protected:
    void destroy() override;

private:
    Bundle() : Object(vectra::abi::ObjectKind::Bundle) {}

    Flavour flavour_ = Flavour::Memory;
    bool owns_frames_ = false;     // Memory bundles made from a grant free their frames
    base::u64 physical_ = 0;
    base::u64 size_ = 0;
    base::u64 pages_left_ = 0;     // Grant: quota not yet spent
    Bundle* paid_by_ = nullptr;    // the grant this Bundle's memory is charged to (retained)
};

}  // namespace kernel
