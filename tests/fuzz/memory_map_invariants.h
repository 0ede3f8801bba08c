// What every normalized memory map must satisfy, checked by the boot-information fuzzers after
// each accepted input: sorted, disjoint, non-empty regions, usable RAM in whole pages. A
// violation traps, which libFuzzer reports as a crash.
#pragma once

#include "kernel/boot/memory_map.h"

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

}  // namespace kernel::fuzz
