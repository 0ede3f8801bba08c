// The portable page-table walker: map, unmap, protect and translate over any radix page-table
// format. The Format (kernel/arch/<arch>/include/arch/page_table_format.h) says how many levels
// there are, how a virtual address indexes each, where leaves may sit (4 KiB pages, 2 MiB and
// 1 GiB blocks) and how entries are encoded; the walk itself is the same everywhere and is
// tested on the host for both formats. Level 0 holds 4 KiB pages; level Format::kLevels - 1
// is the root. Callers flush the TLB.
//
// Every change is all or nothing: the page-table frames a change needs (new tables for a map,
// tables that split a large page for unmap and protect) are counted and taken before anything
// is written, so running out of frames leaves the tree exactly as it was.
#pragma once

#include "base/optional.h"
#include "base/result.h"
#include "base/types.h"
#include "base/utility.h"
#include "kernel/mm/mapping_flags.h"

namespace kernel {

// Frames for page tables come from here (the frame allocator in the kernel, an arena in tests).
class PageTableFrames {
public:
    virtual base::Optional<base::u64> allocate_table() = 0;
    virtual void free_table(base::u64 physical) = 0;

protected:
    ~PageTableFrames() = default;
};

struct Translation {
    base::u64 physical;
    MappingFlags flags;
    base::u64 page_size;
};

// Which half of the virtual address space a table serves: the kernel's (Upper: x86_64's upper
// half, aarch64's TTBR1) or a user address space's (Lower: TTBR0). A table refuses addresses of
// the other half — on aarch64 the walk ignores the top bits, so a lower-half address in the
// kernel's table would alias the direct map. Upper tables hold no user mappings; Lower tables
// never mark a mapping global (it would outlive an address-space switch in the TLB). An Upper
// table never clears a root entry once set, so copies of the kernel's root entries stay valid.
enum class AddressHalf : base::u8 { Lower, Upper };

template <class Format>
class PageTable {
public:
    using u64 = base::u64;
    using PhysicalToPointer = base::u8* (*)(u64 physical);
    static constexpr int kRootLevel = Format::kLevels - 1;

    static constexpr u64 level_size(int level) { return u64(4096) << (9 * level); }

    PageTable(AddressHalf half, u64 root_physical, PageTableFrames& frames, PhysicalToPointer physical_to_pointer)
        : half_(half), root_(root_physical), frames_(frames), physical_to_pointer_(physical_to_pointer) {
        clear_table(root_);
    }

    u64 root() const { return root_; }
    AddressHalf half() const { return half_; }

    // Maps [virt, virt + size) to [phys, phys + size). A range that is partly mapped already is
    // refused (AlreadyExists); so is a mapping both writable and executable.
    base::Result<void> map(u64 virt, u64 phys, u64 size, MappingFlags flags, bool allow_large_pages = true) {
        const u64 last = TRY(check_range(virt, size));
        flags = TRY(check_flags(flags));
        u64 phys_last = 0;
        if (phys % 4096 != 0 || !base::checked_add(phys, size - 1, &phys_last))
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: unaligned or wrapping physical range");
        if (!is_unmapped(virt, last))
            return base::make_error(base::ErrorCode::AlreadyExists, "page table: the range is already mapped");
        Reserve reserve;
        if (!take_frames(reserve, count_new_tables(virt, phys, size, allow_large_pages)))
            return base::make_error(base::ErrorCode::OutOfMemory, "page table: no frame for a page table");
        // Nothing above changed anything. Below cannot fail: every table comes from the reserve.
        for (u64 done = 0; done < size;) {
            const int level = best_leaf_level(virt + done, phys + done, size - done, allow_large_pages);
            u64* entry = walk_creating(virt + done, level, reserve);
            *entry = Format::make_leaf(phys + done, flags, level);
            done += level_size(level);
        }
        release_frames(reserve);  // empty unless the count was generous
        return {};
    }

    // Unmaps [virt, virt + size); unmapped parts are skipped. A large page only partly inside
    // the range is split first. Page tables left empty are freed.
    base::Result<void> unmap(u64 virt, u64 size) {
        const u64 last = TRY(check_range(virt, size));
        Reserve reserve;
        if (!take_frames(reserve, count_splits(virt, last)))
            return base::make_error(base::ErrorCode::OutOfMemory, "page table: no frame to split a large page");
        for_each_leaf(virt, last, reserve, /*free_empty=*/true, [&](u64* entry, int) { *entry = 0; });
        release_frames(reserve);
        return {};
    }

    // Changes the rights of every page in [virt, virt + size), which must be fully mapped.
    base::Result<void> protect(u64 virt, u64 size, MappingFlags flags) {
        const u64 last = TRY(check_range(virt, size));
        flags = TRY(check_flags(flags));
        if (!is_fully_mapped(virt, last))
            return base::make_error(base::ErrorCode::NotFound, "page table: protecting an unmapped page");
        Reserve reserve;
        if (!take_frames(reserve, count_splits(virt, last)))
            return base::make_error(base::ErrorCode::OutOfMemory, "page table: no frame to split a large page");
        for_each_leaf(virt, last, reserve, /*free_empty=*/false, [&](u64* entry, int level) {
            *entry = Format::make_leaf(Format::address(*entry, level), flags, level);
        });
        release_frames(reserve);
        return {};
    }

    base::Optional<Translation> translate(u64 virt) const {
        if (!in_half(virt)) return base::none;
        u64 table = root_;
        for (int level = kRootLevel; level >= 0; --level) {
            const u64 entry = table_at(table)[Format::index(virt, level)];
            if (!Format::is_present(entry)) return base::none;
            if (Format::is_leaf(entry, level)) {
                const u64 size = level_size(level);
                return Translation{Format::address(entry, level) + (virt & (size - 1)), Format::flags(entry), size};
            }
            table = Format::address(entry, level);
        }
        return base::none;
    }

    // Calls visit(virtual_address, translation) for every leaf of this table's half, in address
    // order: each mapping exactly as the hardware walk would find it.
    template <class Visit>
    void for_each_mapping(Visit visit) const {
        for (u64 index = 0; index < 512; ++index) {
            const u64 virt = (half_ == AddressHalf::Upper ? ~u64(0) << 48 : 0) | (index << (12 + 9 * kRootLevel));
            if (!in_half(virt)) continue;
            visit_subtree(table_at(root_)[index], kRootLevel, virt, visit);
        }
    }

private:
    // Frames taken before a change starts, chained through their first word.
    struct Reserve {
        u64 head = 0;
        u64 count = 0;
    };

    bool take_frames(Reserve& reserve, u64 count) {
        while (reserve.count < count) {
            const base::Optional<u64> frame = frames_.allocate_table();
            if (!frame.has_value()) {
                release_frames(reserve);
                return false;
            }
            table_at(*frame)[0] = reserve.head;
            reserve.head = *frame;
            ++reserve.count;
        }
        return true;
    }

    // Precondition: reserve.count > 0 (the count before the change promised enough).
    u64 take_table(Reserve& reserve) {
        const u64 frame = reserve.head;
        reserve.head = table_at(frame)[0];
        --reserve.count;
        clear_table(frame);
        return frame;
    }

    void release_frames(Reserve& reserve) {
        while (reserve.count > 0) {
            const u64 frame = reserve.head;
            reserve.head = table_at(frame)[0];
            --reserve.count;
            frames_.free_table(frame);
        }
    }

    u64* table_at(u64 physical) const { return reinterpret_cast<u64*>(physical_to_pointer_(physical)); }

    void clear_table(u64 physical) {
        u64* table = table_at(physical);
        for (int i = 0; i < 512; ++i) table[i] = 0;
    }

    bool in_half(u64 virt) const {
        return Format::is_canonical(virt) && (virt >> 63) == (half_ == AddressHalf::Upper ? 1u : 0u);
    }

    // The last byte of [virt, virt + size), once the range is known to be page-aligned,
    // non-empty, not wrapping and inside this table's half.
    base::Result<u64> check_range(u64 virt, u64 size) const {
        if (virt % 4096 != 0 || size % 4096 != 0 || size == 0)
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: unaligned or empty range");
        u64 last = 0;
        if (!base::checked_add(virt, size - 1, &last))
            return base::make_error(base::ErrorCode::Overflow, "page table: range wraps around");
        if (!Format::is_canonical(virt) || !Format::is_canonical(last) || (virt >> 63) != (last >> 63))
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: non-canonical address");
        if (!in_half(virt))
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: address in the other half of the address space");
        return last;
    }

    base::Result<MappingFlags> check_flags(MappingFlags flags) const {
        if (flags.writable && flags.executable)
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: writable and executable at once");
        if (half_ == AddressHalf::Upper && flags.user)
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: a user mapping in the kernel's half");
        if (half_ == AddressHalf::Lower) flags.global = false;
        return flags;
    }

    // The largest leaf level usable at this point of a mapping.
    int best_leaf_level(u64 virt, u64 phys, u64 remaining, bool allow_large_pages) const {
        if (allow_large_pages) {
            for (int level = kRootLevel; level > 0; --level) {
                const u64 size = level_size(level);
                if (!Format::leaf_allowed(level) || remaining < size || virt % size != 0 || phys % size != 0) continue;
                // A table already below this entry (other mappings nearby) rules out a block.
                const u64* entry = walk_existing(virt, level);
                if (entry != nullptr && Format::is_present(*entry)) continue;
                return level;
            }
        }
        return 0;
    }

    // How many tables map() will link: it places the same leaves, in increasing address order,
    // so a table it creates is reused by the following leaves while they stay in its range —
    // remembering per level the range of the last table counted is enough. (A leaf's choice of
    // level never depends on the tables this map creates: those lie below earlier leaves.)
    u64 count_new_tables(u64 virt, u64 phys, u64 size, bool allow_large_pages) const {
        u64 needed = 0;
        bool counted[Format::kLevels] = {};
        u64 counted_base[Format::kLevels] = {};
        for (u64 done = 0; done < size;) {
            const u64 at = virt + done;
            const int leaf_level = best_leaf_level(at, phys + done, size - done, allow_large_pages);
            u64 table = root_;
            bool existing = true;
            for (int level = kRootLevel; level > leaf_level; --level) {
                if (existing) {
                    const u64 entry = table_at(table)[Format::index(at, level)];
                    if (Format::is_present(entry)) {  // a table: the range holds no leaf
                        table = Format::address(entry, level);
                        continue;
                    }
                    existing = false;
                }
                const u64 base = base::align_down(at, level_size(level));
                if (!counted[level] || counted_base[level] != base) {
                    ++needed;
                    counted[level] = true;
                    counted_base[level] = base;
                }
            }
            done += level_size(leaf_level);
        }
        return needed;
    }

    // How many tables splitting takes for a change to [virt, last]: only leaves that straddle
    // one of the two ends are split, once per level down to that end's alignment; a split
    // both ends need (both inside one large page) is counted once.
    struct Splits {
        int count = 0;
        int level[Format::kLevels];
        u64 base[Format::kLevels];  // the region each new table covers
    };

    u64 count_splits(u64 virt, u64 last) const {
        const Splits first = splits_at(virt);
        u64 needed = u64(first.count);
        if (last == ~u64(0) || !in_half(last + 1)) return needed;
        const Splits second = splits_at(last + 1);
        for (int i = 0; i < second.count; ++i) {
            bool shared = false;
            for (int j = 0; j < first.count; ++j)
                shared = shared || (first.level[j] == second.level[i] && first.base[j] == second.base[i]);
            if (!shared) ++needed;
        }
        return needed;
    }

    Splits splits_at(u64 boundary) const {
        Splits splits;
        u64 table = root_;
        for (int level = kRootLevel; level >= 0; --level) {
            const u64 entry = table_at(table)[Format::index(boundary, level)];
            if (!Format::is_present(entry)) return splits;
            if (Format::is_leaf(entry, level)) {
                for (int split_level = level; split_level > 0; --split_level) {
                    if (boundary % level_size(split_level) == 0) break;
                    splits.level[splits.count] = split_level;
                    splits.base[splits.count] = base::align_down(boundary, level_size(split_level));
                    ++splits.count;
                }
                return splits;
            }
            table = Format::address(entry, level);
        }
        return splits;
    }

    // Is nothing in [virt, last] mapped? Skips whole unmapped subtrees at once.
    bool is_unmapped(u64 virt, u64 last) const {
        for (u64 at = virt;;) {
            u64 table = root_;
            u64 step = 4096;
            for (int level = kRootLevel; level >= 0; --level) {
                const u64 entry = table_at(table)[Format::index(at, level)];
                if (!Format::is_present(entry)) {
                    step = level_size(level) - (at & (level_size(level) - 1));
                    break;
                }
                if (Format::is_leaf(entry, level)) return false;
                table = Format::address(entry, level);
            }
            if (step > last - at) return true;  // the next step is past the end (or the top)
            at += step;
        }
    }

    // Is every page in [virt, last] mapped? Steps over whole leaves.
    bool is_fully_mapped(u64 virt, u64 last) const {
        for (u64 at = virt;;) {
            u64 table = root_;
            u64 step = 0;
            for (int level = kRootLevel; level >= 0; --level) {
                const u64 entry = table_at(table)[Format::index(at, level)];
                if (!Format::is_present(entry)) return false;
                if (Format::is_leaf(entry, level)) {
                    step = level_size(level) - (at & (level_size(level) - 1));
                    break;
                }
                table = Format::address(entry, level);
            }
            if (step > last - at) return true;
            at += step;
        }
    }

    // The entry for `virt` at `level`, or null if a table on the way is missing.
    const u64* walk_existing(u64 virt, int target_level) const {
        u64 table = root_;
        for (int level = kRootLevel; level > target_level; --level) {
            const u64 entry = table_at(table)[Format::index(virt, level)];
            if (!Format::is_present(entry) || Format::is_leaf(entry, level)) return nullptr;
            table = Format::address(entry, level);
        }
        return &table_at(table)[Format::index(virt, target_level)];
    }

    // The entry for `virt` at `level`, linking missing tables from the reserve. The caller has
    // checked that no leaf lies on the way.
    u64* walk_creating(u64 virt, int target_level, Reserve& reserve) {
        u64 table = root_;
        for (int level = kRootLevel; level > target_level; --level) {
            u64& entry = table_at(table)[Format::index(virt, level)];
            if (!Format::is_present(entry)) entry = Format::make_table(take_table(reserve));
            table = Format::address(entry, level);
        }
        return &table_at(table)[Format::index(virt, target_level)];
    }

    // Replaces the large leaf `entry` at `level` by a table of next-level leaves with the same
    // translation and rights.
    void split(u64* entry, int level, Reserve& reserve) {
        const u64 frame = take_table(reserve);
        const u64 base_physical = Format::address(*entry, level);
        const MappingFlags flags = Format::flags(*entry);
        u64* table = table_at(frame);
        for (int i = 0; i < 512; ++i) table[i] = Format::make_leaf(base_physical + u64(i) * level_size(level - 1), flags, level - 1);
        *entry = Format::make_table(frame);
    }

    static bool table_is_empty(const u64* table) {
        for (int i = 0; i < 512; ++i)
            if (table[i] != 0) return false;
        return true;
    }

    // Visits each leaf entry inside [virt, last], splitting (from the reserve) large leaves
    // that stick out.
    template <class Visit>
    void for_each_leaf(u64 virt, u64 last, Reserve& reserve, bool free_empty, Visit visit) {
        for (u64 at = virt;;) {
            // Walk down, remembering the path so empty tables can be freed on the way back.
            u64* path[Format::kLevels] = {};
            u64 table = root_;
            u64 step = 4096;
            for (int level = kRootLevel; level >= 0; --level) {
                u64* entry = &table_at(table)[Format::index(at, level)];
                path[level] = entry;
                const u64 size_here = level_size(level);
                if (!Format::is_present(*entry)) {
                    step = size_here - (at & (size_here - 1));
                    break;
                }
                if (Format::is_leaf(*entry, level)) {
                    if (at % size_here != 0 || last - at < size_here - 1) {
                        split(entry, level, reserve);
                        table = Format::address(*entry, level);
                        continue;
                    }
                    visit(entry, level);
                    step = size_here;
                    if (free_empty) free_empty_tables(path, level);
                    break;
                }
                table = Format::address(*entry, level);
            }
            if (step > last - at) return;  // the next step is past the end (or the top)
            at += step;
        }
    }

    // After clearing the entry at `level`, frees each table on the path that became empty.
    // The kernel's root entries stay once set: x86_64 address spaces copy them at creation.
    void free_empty_tables(u64** path, int level) {
        const int highest_freed = half_ == AddressHalf::Upper ? kRootLevel - 2 : kRootLevel - 1;
        for (int child = level; child <= highest_freed; ++child) {
            // path[child] points into the table that the entry path[child + 1] refers to.
            const u64 table_physical = Format::address(*path[child + 1], child + 1);
            if (!table_is_empty(table_at(table_physical))) return;
            *path[child + 1] = 0;
            frames_.free_table(table_physical);
        }
    }

    template <class Visit>
    void visit_subtree(u64 entry, int level, u64 virt, Visit& visit) const {
        if (!Format::is_present(entry)) return;
        if (Format::is_leaf(entry, level)) {
            visit(virt, Translation{Format::address(entry, level), Format::flags(entry), level_size(level)});
            return;
        }
        const u64* table = table_at(Format::address(entry, level));
        for (u64 index = 0; index < 512; ++index)
            visit_subtree(table[index], level - 1, virt + index * level_size(level - 1), visit);
    }

    AddressHalf half_;
    u64 root_;
    PageTableFrames& frames_;
    PhysicalToPointer physical_to_pointer_;
};

}  // namespace kernel
