// AArch64 VMSAv8-64 descriptors, 4 KiB granule, 48-bit addresses, 4 levels (ARM ARM D8): the
// encoding the portable walker in kernel/mm/page_table.h uses. Pure bit manipulation, tested
// on the host. Leaves: pages at level 0, blocks at levels 1 (2 MiB) and 2 (1 GiB).
// Memory attributes index MAIR_EL1, which the boot code sets to match:
//   index 0 = Normal, write-back cacheable (0xff); index 1 = Device-nGnRE (0x04).
#pragma once

#include "base/types.h"
#include "kernel/mm/mapping_flags.h"

namespace kernel {

struct Aarch64PageTableFormat {
    using u64 = base::u64;
    static constexpr int kLevels = 4;

    static constexpr u64 kValid = 1ull << 0;
    static constexpr u64 kTableOrPage = 1ull << 1;  // table (levels 1-3) or page (level 0)
    static constexpr u64 kAttrNormal = 0ull << 2;
    static constexpr u64 kAttrDevice = 1ull << 2;
    static constexpr u64 kAttrMask = 7ull << 2;
    static constexpr u64 kEl0Access = 1ull << 6;     // AP[1]
    static constexpr u64 kReadOnly = 1ull << 7;      // AP[2]
    static constexpr u64 kInnerShareable = 3ull << 8;
    static constexpr u64 kAccessFlag = 1ull << 10;
    static constexpr u64 kNotGlobal = 1ull << 11;
    static constexpr u64 kPrivilegedExecuteNever = 1ull << 53;
    static constexpr u64 kUserExecuteNever = 1ull << 54;
    static constexpr u64 kAddressMask = 0x0000'ffff'ffff'f000ull;

    static constexpr base::usize index(u64 virt, int level) { return (virt >> (12 + 9 * level)) & 511; }
    static constexpr bool leaf_allowed(int level) { return level <= 2; }
    // With T0SZ = T1SZ = 16: the lower half (TTBR0) or the upper half (TTBR1).
    static constexpr bool is_canonical(u64 virt) {
        const u64 top = virt >> 48;
        return top == 0 || top == 0xffff;
    }

    static constexpr bool is_present(u64 entry) { return entry & kValid; }
    static constexpr bool is_leaf(u64 entry, int level) { return level == 0 || !(entry & kTableOrPage); }
    static constexpr u64 address(u64 entry, int) { return entry & kAddressMask; }

    static constexpr u64 make_table(u64 physical) { return (physical & kAddressMask) | kValid | kTableOrPage; }

    static constexpr u64 make_leaf(u64 physical, MappingFlags flags, int level) {
        u64 entry = (physical & kAddressMask) | kValid | kAccessFlag;
        if (level == 0) entry |= kTableOrPage;  // a page; blocks leave the bit clear
        entry |= flags.device ? kAttrDevice : (kAttrNormal | kInnerShareable);
        if (!flags.writable) entry |= kReadOnly;
        if (flags.user) entry |= kEl0Access;
        if (!flags.global) entry |= kNotGlobal;
        // Executable only at the level that owns it; never both for user pages.
        if (flags.executable && flags.user) entry |= kPrivilegedExecuteNever;
        else if (flags.executable) entry |= kUserExecuteNever;
        else entry |= kPrivilegedExecuteNever | kUserExecuteNever;
        return entry;
    }

    static constexpr MappingFlags flags(u64 entry) {
        MappingFlags flags;
        flags.writable = !(entry & kReadOnly);
        flags.user = entry & kEl0Access;
        flags.executable = flags.user ? !(entry & kUserExecuteNever) : !(entry & kPrivilegedExecuteNever);
        flags.device = (entry & kAttrMask) == kAttrDevice;
        flags.global = !(entry & kNotGlobal);
        return flags;
    }
};

}  // namespace kernel

namespace arch {
using PageTableFormat = kernel::Aarch64PageTableFormat;
}
