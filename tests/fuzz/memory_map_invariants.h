// What every accepted boot information must satisfy, checked by the boot-information fuzzers:
// the normalized memory map has sorted, disjoint, non-empty regions and usable RAM in whole
// pages, and a boot bundle is BootBundle on every page it touches (never usable, never handed
// out). A violation traps, which libFuzzer reports as a crash.
#pragma once

#include "kernel/boot/boot_info.h"

namespace kernel::fuzz {

inline void check_normalized(const MemoryMap& map) {
    base::u64 previous_end = 0;
    bool first = true;
    for (const MemoryRegion& region : map.regions()) {
        if (region.size == 0 || region.end() < region.base) __builtin_trap();
        if (!first && region.base < previous_end) __builtin_trap();
        if (region.kind == MemoryKind::Usable && (region.base % 4096 != 0 || region.size % 4096 != 0)) __builtin_trap();
        previous_end = region.end();
        first = false;
    }
}

// After normalize().
inline void check_boot_bundle(const BootInfo& info) {
    if (info.boot_bundle.size == 0) {
        if (info.boot_bundle.physical_base != 0) __builtin_trap();
        return;
    }
    const base::u64 first = info.boot_bundle.physical_base & ~base::u64(4095);
    const base::u64 end = info.boot_bundle.physical_base + info.boot_bundle.size;
    for (base::u64 page = first; page < end; page += 4096) {
        bool bundle = false;
        for (const MemoryRegion& region : info.memory.regions())
            if (region.base <= page && page + 4096 <= region.end()) bundle = region.kind == MemoryKind::BootBundle;
        if (!bundle) __builtin_trap();
    }
}

}  // namespace kernel::fuzz
