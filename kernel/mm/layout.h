// The kernel's virtual memory layout: one source of truth, used by the portable address-space
// builder and by each architecture's early boot code (through the constants' values in its
// assembly, checked against these by static_asserts in the arch code). docs/boot.md draws it.
#pragma once

#include "base/types.h"

namespace kernel::layout {

// The direct map: all of physical memory at a fixed offset. Early boot maps the first 4 GiB
// here (large pages); the kernel's own tables map every RAM region and the kernel's devices.
#if defined(__aarch64__)
inline constexpr base::u64 kDirectMapBase = 0xffff'0000'0000'0000;
#else
inline constexpr base::u64 kDirectMapBase = 0xffff'8000'0000'0000;
#endif
inline constexpr base::u64 kDirectMapSize = 64ull << 40;  // 64 TiB of physical address space

// The kernel image, linked at the top 2 GiB: virtual = kKernelImageBase + (physical - load base).
inline constexpr base::u64 kKernelImageBase = 0xffff'ffff'8000'0000;

// Kernel stacks, each with an unmapped guard page below it, in their own window.
inline constexpr base::u64 kKernelStacksBase = 0xffff'ffff'c000'0000;
inline constexpr base::u64 kKernelStacksSize = 256ull << 20;
inline constexpr base::u64 kKernelStackSize = 32ull << 10;        // mapped part
inline constexpr base::u64 kKernelStackSlot = kKernelStackSize + 4096;  // plus the guard page

// A window for short-lived kernel mappings (today: the in-OS tests' map/unmap checks).
inline constexpr base::u64 kScratchBase = 0xffff'ffff'e000'0000;
inline constexpr base::u64 kScratchSize = 256ull << 20;

inline constexpr base::u64 kPageSize = 4096;

inline base::u64 physical_to_virtual(base::u64 physical) { return kDirectMapBase + physical; }
template <class T>
inline T* physical_to_pointer(base::u64 physical) {
    return reinterpret_cast<T*>(physical_to_virtual(physical));
}

}  // namespace kernel::layout
