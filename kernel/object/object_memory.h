// Where kernel objects live: there is no kernel heap. Every object (and the memory it needs:
// a capability table, a Ring's message slots, a Reticle's page tables, a thread's stack) is
// made of whole frames taken from the frame allocator and charged to a memory grant (a Bundle
// of flavour Grant), which holds a quota of pages. A Task that creates objects until its grant
// is spent gets OutOfMemory; other grants are untouched, and the sum of all quotas never
// exceeds the frames free when the root grant was made (see docs/kernel.md).
// Objects made by the kernel at boot are paid for by no grant (grant == nullptr).
#pragma once

#include "abi/abi.h"
#include "base/types.h"
#include "kernel/capability/status_or.h"
#include "kernel/mm/layout.h"

namespace kernel {

class Bundle;

// `pages` contiguous zeroed frames charged to `grant` (may be null at boot). OutOfMemory when
// the grant's quota or the frame allocator runs out; nothing is charged then.
StatusOr<void*> allocate_object_pages(Bundle* grant, base::u64 pages);
// Gives the frames back and refunds the grant.
void free_object_pages(Bundle* grant, void* memory, base::u64 pages);

template <class T>
constexpr base::u64 pages_for() {
    return (sizeof(T) + layout::kPageSize - 1) / layout::kPageSize;
}

}  // namespace kernel
