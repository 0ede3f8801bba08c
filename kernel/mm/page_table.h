// The portable page-table walker: map, unmap, protect and translate over any radix page-table
// format. The Format (kernel/arch/<arch>/include/arch/page_table_format.h) says how many levels
// there are, how a virtual address indexes each, where leaves may sit (4 KiB pages, 2 MiB and
// 1 GiB blocks) and how entries are encoded; the walk itself is the same everywhere and is
// tested on the host for both formats. Level 0 holds 4 KiB pages; level Format::kLevels - 1
// is the root. Callers flush the TLB.
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

template <class Format>
class PageTable {
public:
    using u64 = base::u64;
    using PhysicalToPointer = base::u8* (*)(u64 physical);
    static constexpr int kRootLevel = Format::kLevels - 1;

    static constexpr u64 level_size(int level) { return u64(4096) << (9 * level); }

    PageTable(u64 root_physical, PageTableFrames& frames, PhysicalToPointer physical_to_pointer)
        : root_(root_physical), frames_(frames), physical_to_pointer_(physical_to_pointer) {
        clear_table(root_);
    }

    u64 root() const { return root_; }

    // Maps [virt, virt + size) to [phys, phys + size). All or nothing: a range that is partly
    // mapped already is refused (AlreadyExists) and a failure half way undoes what it did.
    base::Result<void> map(u64 virt, u64 phys, u64 size, MappingFlags flags, bool allow_large_pages = true) {
        TRY(check_range(virt, size));
        if (phys % 4096 != 0) return base::make_error(base::ErrorCode::InvalidArgument, "page table: unaligned physical address");
        if (!is_unmapped(virt, size))
            return base::make_error(base::ErrorCode::AlreadyExists, "page table: the range is already mapped");
        u64 done = 0;
        // Invariant: [virt, virt + done) is mapped to [phys, phys + done); nothing else changed.
        while (done < size) {
            const int level = best_leaf_level(virt + done, phys + done, size - done, allow_large_pages);
            u64* entry = walk(virt + done, level, /*create=*/true);
            if (entry == nullptr) {
                (void)unmap(virt, done);
                return base::make_error(base::ErrorCode::OutOfMemory, "page table: no frame for a page table");
            }
            *entry = Format::make_leaf(phys + done, flags, level);
            done += level_size(level);
        }
        return {};
    }

    // Unmaps [virt, virt + size); unmapped parts are skipped. A large page only partly inside
    // the range is split first. Page tables left empty are freed.
    base::Result<void> unmap(u64 virt, u64 size) {
        TRY(check_range(virt, size));
        return for_each_leaf(virt, size, [&](u64* entry, int) {
            *entry = 0;
            return true;
        }, /*free_empty=*/true);
    }

    // Changes the rights of every page in [virt, virt + size), which must be fully mapped.
    base::Result<void> protect(u64 virt, u64 size, MappingFlags flags) {
        TRY(check_range(virt, size));
        for (u64 at = virt; at < virt + size; at += 4096) {
            if (!translate(at).has_value()) return base::make_error(base::ErrorCode::NotFound, "page table: protecting an unmapped page");
        }
        return for_each_leaf(virt, size, [&](u64* entry, int level) {
            *entry = Format::make_leaf(Format::address(*entry, level), flags, level);
            return true;
        }, /*free_empty=*/false);
    }

    base::Optional<Translation> translate(u64 virt) const {
        if (!Format::is_canonical(virt)) return base::none;
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

private:
    u64* table_at(u64 physical) const { return reinterpret_cast<u64*>(physical_to_pointer_(physical)); }

    void clear_table(u64 physical) {
        u64* table = table_at(physical);
        for (int i = 0; i < 512; ++i) table[i] = 0;
    }

    static base::Result<void> check_range(u64 virt, u64 size) {
        if (virt % 4096 != 0 || size % 4096 != 0 || size == 0)
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: unaligned or empty range");
        u64 last = 0;
        if (!base::checked_add(virt, size - 1, &last))
            return base::make_error(base::ErrorCode::Overflow, "page table: range wraps around");
        if (!Format::is_canonical(virt) || !Format::is_canonical(last) || (virt >> 63) != (last >> 63))
            return base::make_error(base::ErrorCode::InvalidArgument, "page table: non-canonical address");
        return {};
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

    // Is nothing in [virt, virt + size) mapped? Skips whole unmapped subtrees at once.
    bool is_unmapped(u64 virt, u64 size) const {
        u64 at = virt;
        while (at < virt + size && at >= virt) {
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
            at += step;
        }
        return true;
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

    // The entry for `virt` at `level`, creating missing tables when asked (null when out of
    // frames). Never descends through a leaf.
    u64* walk(u64 virt, int target_level, bool create) {
        u64 table = root_;
        for (int level = kRootLevel; level > target_level; --level) {
            u64& entry = table_at(table)[Format::index(virt, level)];
            if (!Format::is_present(entry)) {
                if (!create) return nullptr;
                const base::Optional<u64> frame = frames_.allocate_table();
                if (!frame.has_value()) return nullptr;
                clear_table(*frame);
                entry = Format::make_table(*frame);
            } else if (Format::is_leaf(entry, level)) {
                return nullptr;
            }
            table = Format::address(entry, level);
        }
        return &table_at(table)[Format::index(virt, target_level)];
    }

    // Replaces the large leaf `entry` at `level` by a table of next-level leaves with the same
    // translation and rights.
    bool split(u64* entry, int level) {
        const base::Optional<u64> frame = frames_.allocate_table();
        if (!frame.has_value()) return false;
        const u64 base_physical = Format::address(*entry, level);
        const MappingFlags flags = Format::flags(*entry);
        u64* table = table_at(*frame);
        for (int i = 0; i < 512; ++i) table[i] = Format::make_leaf(base_physical + u64(i) * level_size(level - 1), flags, level - 1);
        *entry = Format::make_table(*frame);
        return true;
    }

    static bool table_is_empty(const u64* table) {
        for (int i = 0; i < 512; ++i)
            if (table[i] != 0) return false;
        return true;
    }

    // Visits each leaf entry inside [virt, virt + size), splitting large leaves that stick out.
    template <class Visit>
    base::Result<void> for_each_leaf(u64 virt, u64 size, Visit visit, bool free_empty) {
        u64 at = virt;
        const u64 end = virt + size;
        while (at < end) {
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
                    if (at % size_here != 0 || end - at < size_here) {
                        if (!split(entry, level))
                            return base::make_error(base::ErrorCode::OutOfMemory, "page table: no frame to split a large page");
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
            if (at + step < at) break;  // reached the top of the address space
            at += step;
        }
        return {};
    }

    // After clearing the entry at `level`, frees each table on the path that became empty.
    void free_empty_tables(u64** path, int level) {
        for (int child = level; child < kRootLevel; ++child) {
            // path[child] points into the table that the entry path[child + 1] refers to.
            const u64 table_physical = Format::address(*path[child + 1], child + 1);
            if (!table_is_empty(table_at(table_physical))) return;
            *path[child + 1] = 0;
            frames_.free_table(table_physical);
        }
    }

    u64 root_;
    PageTableFrames& frames_;
    PhysicalToPointer physical_to_pointer_;
};

}  // namespace kernel
