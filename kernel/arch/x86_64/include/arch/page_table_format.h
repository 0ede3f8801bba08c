// x86_64 4-level paging entries (Intel SDM vol. 3, 4-level paging): the encoding the portable
// walker in kernel/mm/page_table.h uses. Pure bit manipulation, tested on the host.
// Leaves may be 4 KiB pages (level 0) or 2 MiB pages (level 1). 1 GiB pages are not used:
// not every CPU model QEMU offers has them.
#pragma once

#include "base/types.h"
#include "kernel/mm/mapping_flags.h"

namespace kernel {

struct X86_64PageTableFormat {
    using u64 = base::u64;
    static constexpr int kLevels = 4;

    static constexpr u64 kPresent = 1ull << 0;
    static constexpr u64 kWritable = 1ull << 1;
    static constexpr u64 kUser = 1ull << 2;
    static constexpr u64 kWriteThrough = 1ull << 3;
    static constexpr u64 kCacheDisable = 1ull << 4;
    static constexpr u64 kAccessed = 1ull << 5;
    static constexpr u64 kDirty = 1ull << 6;
    static constexpr u64 kLargePage = 1ull << 7;  // levels 1 and 2
    static constexpr u64 kGlobal = 1ull << 8;
    static constexpr u64 kNoExecute = 1ull << 63;
    static constexpr u64 kAddressMask = 0x000f'ffff'ffff'f000ull;

    static constexpr base::usize index(u64 virt, int level) { return (virt >> (12 + 9 * level)) & 511; }
    static constexpr bool leaf_allowed(int level) { return level <= 1; }
    // Bits 63..47 all equal.
    static constexpr bool is_canonical(u64 virt) {
        const u64 top = virt >> 47;
        return top == 0 || top == 0x1ffff;
    }

    static constexpr bool is_present(u64 entry) { return entry & kPresent; }
    static constexpr bool is_leaf(u64 entry, int level) { return level == 0 || (entry & kLargePage); }
    static constexpr u64 address(u64 entry, int level) {
        // A large page's PAT bit (bit 12) is not part of its address; a table's bit 12 is.
        const bool large_page = level > 0 && (entry & kLargePage);
        return large_page ? (entry & kAddressMask & ~0x1000ull) : (entry & kAddressMask);
    }

    // Intermediate tables allow everything; the leaf decides.
    static constexpr u64 make_table(u64 physical) { return (physical & kAddressMask) | kPresent | kWritable | kUser; }

    static constexpr u64 make_leaf(u64 physical, MappingFlags flags, int level) {
        u64 entry = (physical & kAddressMask) | kPresent | kAccessed;
        if (flags.writable) entry |= kWritable | kDirty;
        if (flags.user) entry |= kUser;
        if (!flags.executable) entry |= kNoExecute;
        if (flags.device) entry |= kCacheDisable | kWriteThrough;
        if (flags.global && !flags.user) entry |= kGlobal;
        if (level > 0) entry |= kLargePage;
        return entry;
    }

    static constexpr MappingFlags flags(u64 entry) {
        MappingFlags flags;
        flags.writable = entry & kWritable;
        flags.user = entry & kUser;
        flags.executable = !(entry & kNoExecute);
        flags.device = entry & kCacheDisable;
        flags.global = entry & kGlobal;
        return flags;
    }
};

}  // namespace kernel

namespace arch {
using PageTableFormat = kernel::X86_64PageTableFormat;
}
