// The heap's allocation rules, apart from where its memory comes from (a PageSource), so the
// same code runs in programs (heap.cpp: Bundles mapped through the Task's own Reticle) and in
// host tests (a plain buffer).
//
// Design: every block starts with a 16-byte header (so free needs no size and can refuse a
// pointer it never gave out or gave back already). Blocks up to kSmallMax bytes, header
// included, are rounded up to one of 59 size classes (16-byte steps from 32 to 128, then four per
// power of two, so at most a quarter is wasted) and carved from an arena by bumping a pointer;
// freed blocks go on their class's free list and are reused first (never split or merged).
// Larger blocks get their own mapping, returned to the PageSource when freed. Mappings are
// scarce (a Reticle holds 64), hence classes up to 1 MiB and an arena that grows in steps that
// double up to 4 MiB. Alignments above 16 are served by over-allocating and placing an
// "offset" header just before the aligned address.
#pragma once

#include "base/types.h"

namespace vectra::heap {

using base::u32;
using base::u16;
using base::u64;
using base::u8;
using base::usize;

inline constexpr usize kPageSize = 4096;
inline constexpr usize kHeaderSize = 16;
inline constexpr usize kSmallMax = 1024 * 1024;  // largest size-class block, header included
inline constexpr usize kSizeClassCount = 59;
inline constexpr usize kMaxAlignment = 1024 * 1024;

// Where the heap's memory comes from. Addresses are page-aligned; sizes are whole pages.
class PageSource {
public:
    // Fresh read-write memory for the arena, `bytes` long; ideally right after the previous
    // grow's end (the arena then stays contiguous). Null when none is left.
    // The allocator asks for a generous step first and, if that fails, for just what it needs.
    virtual void* grow(usize bytes) = 0;
    // A mapping of its own for one large block; `token` identifies it to release_large.
    virtual void* map_large(usize bytes, u32& token) = 0;
    virtual void release_large(void* address, usize bytes, u32 token) = 0;

protected:
    ~PageSource() = default;
};

struct Statistics {
    u64 arena_bytes = 0;     // mapped for size classes
    u64 large_bytes = 0;     // mapped for large blocks, now
    u64 in_use_bytes = 0;    // blocks handed out and not yet freed, headers included
    u64 live_blocks = 0;
    u64 arena_grows = 0;     // how often the PageSource was asked for arena memory
};

enum class FreeOutcome { Freed, NotAllocated, DoubleFree };

class Allocator {
public:
    explicit Allocator(PageSource& source) : source_(source) {}
    Allocator(const Allocator&) = delete;
    Allocator& operator=(const Allocator&) = delete;

    // `alignment` a power of two up to kMaxAlignment (16 when smaller). Null when the
    // PageSource has nothing left, or for an impossible size or alignment. Zero bytes gives a
    // distinct minimal block.
    void* allocate(usize size, usize alignment = 16);
    // Null is a no-op (Freed). Anything not handed out by this allocator, or already freed,
    // is refused and left alone — except a second free of a large block, whose mapping is gone:
    // reading its header faults, which stops the program just as well.
    FreeOutcome free(void* pointer);
    // Like C realloc: null pointer allocates; size 0 frees and returns null; on failure the
    // old block stays valid and null is returned. Contents up to the smaller size are kept.
    void* reallocate(void* pointer, usize size);
    // Bytes the caller may use at `pointer` (at least what it asked for); 0 for a bad pointer.
    usize usable_size(const void* pointer) const;

    const Statistics& statistics() const { return statistics_; }

    static constexpr usize class_size(usize index) { return kClassSizes[index]; }
    // The smallest class holding `block_bytes` (header included); kSizeClassCount if none.
    static constexpr usize class_for(usize block_bytes) {
        for (usize i = 0; i < kSizeClassCount; ++i)
            if (kClassSizes[i] >= block_bytes) return i;
        return kSizeClassCount;
    }

private:
    struct FreeBlock {
        FreeBlock* next;
    };
    static constexpr u32 kMagicAllocated = 0x4845'4150;  // "HEAP"
    static constexpr u32 kMagicFree = 0x4652'4545;       // "FREE"
    enum class Kind : u8 { Small = 1, Large = 2, Offset = 3 };
    struct Header {
        u32 magic;
        Kind kind;
        u8 size_class;  // Small
        u16 reserved;
        u32 token;  // Small: requested bytes; Large: the PageSource's token; Offset: bytes back to the block's payload
        u32 pages;  // Large: pages mapped
    };
    static_assert(sizeof(Header) == kHeaderSize);

    // The smallest block holds the header and a free-list link.
    static constexpr usize kClassSizes[kSizeClassCount] = {
        32,    48,    64,    80,    96,    112,   128,   160,   192,   224,   256,   320,   384,   448,
        512,   640,   768,   896,   1024,  1280,  1536,  1792,  2048,  2560,  3072,  3584,  4096,  5120,  6144,
        7168,  8192,  10240, 12288, 14336, 16384, 20480, 24576, 28672, 32768, 40960, 49152, 57344, 65536, 81920,
        98304, 114688, 131072, 163840, 196608, 229376, 262144, 327680, 393216, 458752, 524288, 655360, 786432, 917504,
        1048576};
    static_assert(kClassSizes[kSizeClassCount - 1] == kSmallMax);
    static_assert(kClassSizes[0] >= kHeaderSize + sizeof(FreeBlock));

    void* allocate_aligned16(usize size);
    void* allocate_small(usize size, usize size_class);
    void* allocate_large(usize size);
    bool grow_arena(usize at_least);
    static Header* header_of(const void* payload);
    // The header of the block `pointer` belongs to, following an Offset header; null if the
    // pointer is not a live block.
    Header* live_block_header(const void* pointer, const u8** payload) const;

    PageSource& source_;
    FreeBlock* free_lists_[kSizeClassCount] = {};
    base::uptr arena_top_ = 0;  // next unused byte of the current arena
    base::uptr arena_end_ = 0;  // end of the current arena
    Statistics statistics_;
};

}  // namespace vectra::heap
