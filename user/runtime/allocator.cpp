// The heap's allocation rules (see allocator.h for the design).
#include "user/runtime/allocator.h"

#include "base/utility.h"
#include "user/runtime/memory_functions.h"

namespace vectra::heap {

namespace {
constexpr usize kGrowUnit = 64 * 1024;            // the arena grows by at least this
constexpr usize kGrowStepMax = 4 * 1024 * 1024;  // and, once large, by at most this at a time
}  // namespace

Allocator::Header* Allocator::header_of(const void* payload) {
    return reinterpret_cast<Header*>(reinterpret_cast<base::uptr>(payload) - kHeaderSize);
}

Allocator::Header* Allocator::live_block_header(const void* pointer, const u8** payload) const {
    const auto address = reinterpret_cast<base::uptr>(pointer);
    if (address < kHeaderSize || !base::is_aligned(address, 16)) return nullptr;
    Header* header = header_of(pointer);
    if (header->magic != kMagicAllocated) return nullptr;
    if (header->kind == Kind::Offset) {
        // The aligned pointer sits inside a live block `token` bytes past its payload.
        if (header->token < kHeaderSize || header->token > address) return nullptr;
        const void* block_payload = reinterpret_cast<const void*>(address - header->token);
        Header* block = header_of(block_payload);
        if (block->magic != kMagicAllocated || block->kind == Kind::Offset) return nullptr;
        *payload = static_cast<const u8*>(block_payload);
        return block;
    }
    if (header->kind != Kind::Small && header->kind != Kind::Large) return nullptr;
    if (header->kind == Kind::Small && header->size_class >= kSizeClassCount) return nullptr;
    *payload = static_cast<const u8*>(pointer);
    return header;
}

bool Allocator::grow_arena(usize at_least) {
    // A step as large as the arena so far (so the count of mappings grows with the logarithm
    // of the heap's size), capped; if memory is too short or fragmented for it, just enough.
    const usize needed = base::align_up(at_least, kGrowUnit);
    const usize generous = base::align_up(base::max(at_least, base::min<usize>(statistics_.arena_bytes, kGrowStepMax)), kGrowUnit);
    usize step = generous;
    void* memory = source_.grow(step);
    if (memory == nullptr && generous > needed) {
        step = needed;
        memory = source_.grow(step);
    }
    if (memory == nullptr) return false;
    const auto base_address = reinterpret_cast<base::uptr>(memory);
    // Contiguous with the current arena: it simply gets longer. Otherwise the rest of the old
    // arena is left unused (it is smaller than the block that did not fit).
    if (base_address != arena_end_) arena_top_ = base_address;
    arena_end_ = base_address + step;
    statistics_.arena_bytes += step;
    ++statistics_.arena_grows;
    return true;
}

void* Allocator::allocate_small(usize size, usize size_class) {
    const usize block_bytes = kClassSizes[size_class];
    u8* block = nullptr;
    if (FreeBlock* reused = free_lists_[size_class]) {
        free_lists_[size_class] = reused->next;
        block = reinterpret_cast<u8*>(reused) - kHeaderSize;
    } else {
        if (arena_end_ - arena_top_ < block_bytes && !grow_arena(block_bytes)) return nullptr;
        block = reinterpret_cast<u8*>(arena_top_);
        arena_top_ += block_bytes;
    }
    auto* header = reinterpret_cast<Header*>(block);
    *header = Header{kMagicAllocated, Kind::Small, static_cast<u8>(size_class), 0, static_cast<u32>(size), 0};
    statistics_.in_use_bytes += block_bytes;
    ++statistics_.live_blocks;
    return block + kHeaderSize;
}

void* Allocator::allocate_large(usize size) {
    usize bytes = 0;
    if (!base::checked_add(size, kHeaderSize, &bytes) || !base::checked_align_up(bytes, kPageSize, &bytes)) return nullptr;
    if (bytes / kPageSize > 0xffff'ffffu) return nullptr;
    u32 token = 0;
    void* memory = source_.map_large(bytes, token);
    if (memory == nullptr) return nullptr;
    auto* header = static_cast<Header*>(memory);
    *header = Header{kMagicAllocated, Kind::Large, 0, 0, token, static_cast<u32>(bytes / kPageSize)};
    statistics_.large_bytes += bytes;
    statistics_.in_use_bytes += bytes;
    ++statistics_.live_blocks;
    return static_cast<u8*>(memory) + kHeaderSize;
}

void* Allocator::allocate_aligned16(usize size) {
    usize block_bytes = 0;
    if (!base::checked_add(size, kHeaderSize, &block_bytes)) return nullptr;
    // Even a zero-byte block gets a class with room for the free-list link (distinct blocks).
    const usize size_class = class_for(block_bytes);
    if (size_class < kSizeClassCount) return allocate_small(size, size_class);
    return allocate_large(size);
}

void* Allocator::allocate(usize size, usize alignment) {
    if (alignment <= 16) return allocate_aligned16(size);
    if (!base::is_power_of_two(alignment) || alignment > kMaxAlignment) return nullptr;
    // Room for the size, the worst-case shift to the alignment, and an Offset header before it.
    // The shift is at least 2 * kHeaderSize, so the Offset header lies past the first 16 bytes
    // of the block's payload, where free() puts the free-list link, and a second free still
    // finds it marked free.
    usize padded = 0;
    if (!base::checked_add(size, alignment + kHeaderSize, &padded)) return nullptr;
    u8* payload = static_cast<u8*>(allocate_aligned16(padded));
    if (payload == nullptr) return nullptr;
    const base::uptr start = reinterpret_cast<base::uptr>(payload);
    const base::uptr aligned = base::align_up(start + 2 * kHeaderSize, alignment);
    auto* offset_header = reinterpret_cast<Header*>(aligned - kHeaderSize);
    *offset_header = Header{kMagicAllocated, Kind::Offset, 0, 0, static_cast<u32>(aligned - start), 0};
    return reinterpret_cast<void*>(aligned);
}

FreeOutcome Allocator::free(void* pointer) {
    if (pointer == nullptr) return FreeOutcome::Freed;
    const auto address = reinterpret_cast<base::uptr>(pointer);
    if (address >= kHeaderSize && base::is_aligned(address, 16) && header_of(pointer)->magic == kMagicFree)
        return FreeOutcome::DoubleFree;
    const u8* payload = nullptr;
    Header* header = live_block_header(pointer, &payload);
    if (header == nullptr) return FreeOutcome::NotAllocated;
    if (payload != pointer) header_of(pointer)->magic = kMagicFree;  // the Offset header
    if (header->kind == Kind::Large) {
        const usize bytes = usize(header->pages) * kPageSize;
        header->magic = kMagicFree;
        statistics_.large_bytes -= bytes;
        statistics_.in_use_bytes -= bytes;
        --statistics_.live_blocks;
        source_.release_large(header, bytes, header->token);
        return FreeOutcome::Freed;
    }
    header->magic = kMagicFree;
    auto* block = reinterpret_cast<FreeBlock*>(const_cast<u8*>(payload));
    block->next = free_lists_[header->size_class];
    free_lists_[header->size_class] = block;
    statistics_.in_use_bytes -= kClassSizes[header->size_class];
    --statistics_.live_blocks;
    return FreeOutcome::Freed;
}

usize Allocator::usable_size(const void* pointer) const {
    const u8* payload = nullptr;
    const Header* header = live_block_header(pointer, &payload);
    if (header == nullptr) return 0;
    const usize block_bytes =
        header->kind == Kind::Large ? usize(header->pages) * kPageSize : kClassSizes[header->size_class];
    const usize shift = static_cast<usize>(static_cast<const u8*>(pointer) - payload);
    return block_bytes - kHeaderSize - shift;
}

void* Allocator::reallocate(void* pointer, usize size) {
    if (pointer == nullptr) return allocate(size);
    if (size == 0) {
        (void)free(pointer);
        return nullptr;
    }
    const usize usable = usable_size(pointer);
    if (usable == 0) return nullptr;  // not a live block: leave it alone
    if (size <= usable) {
        // Still fits; a Small block remembers the size for statistics only.
        const u8* payload = nullptr;
        Header* header = live_block_header(pointer, &payload);
        if (header->kind == Kind::Small && payload == pointer) header->token = static_cast<u32>(size);
        return pointer;
    }
    void* moved = allocate(size);
    if (moved == nullptr) return nullptr;
    memory::copy(moved, pointer, usable);
    (void)free(pointer);
    return moved;
}

}  // namespace vectra::heap
