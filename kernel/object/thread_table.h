// A Task's thread table: kSlots entries, each named to user space by an abi::ThreadId, the slot
// index plus the slot's generation. The generation moves on each time a slot is freed, so an
// id kept after its thread was joined or detached is refused instead of naming the next thread
// in that slot (as a handle's generation does). It wraps within the id's generation bits and
// skips 0, so 0 is never an id. Portable and host-tested (tests/host/object); Task keeps what
// each entry holds (the thread, its exit value, its joiners) and the locking (the kernel lock).
#pragma once

#include "abi/abi.h"
#include "base/optional.h"
#include "base/types.h"

namespace kernel {

template <class Entry, base::u32 kSlots>
class ThreadTable {
    static_assert(kSlots >= 1 && kSlots <= (1u << vectra::abi::kThreadSlotBits), "every slot has an id");

public:
    static constexpr base::u32 kGenerationMask = (1u << (32 - vectra::abi::kThreadSlotBits)) - 1;

    constexpr ThreadTable() {
        for (base::u32& generation : generation_) generation = 1;  // 0 is no id's generation
    }

    // A free slot, now in use; none when every slot is.
    base::Optional<base::u32> take() {
        // Bound: kSlots.
        for (base::u32 index = 0; index < kSlots; ++index) {
            if (used_[index]) continue;
            used_[index] = true;
            return index;
        }
        return base::none;
    }

    // Frees slot `index` (in use): the id it had goes stale. Its entry is the caller's to clear.
    void release(base::u32 index) {
        used_[index] = false;
        generation_[index] = (generation_[index] + 1) & kGenerationMask;
        if (generation_[index] == 0) generation_[index] = 1;
    }

    // The entry `id` names, or null: a slot out of range, free, or of another generation.
    Entry* find(vectra::abi::ThreadId id) {
        const base::u32 index = vectra::abi::thread_slot(id);
        if (index >= kSlots || !used_[index] || generation_[index] != vectra::abi::thread_generation(id)) return nullptr;
        return &entries_[index];
    }

    // The id of slot `index` as it is now.
    vectra::abi::ThreadId id_of(base::u32 index) const { return vectra::abi::make_thread_id(index, generation_[index]); }

    Entry& operator[](base::u32 index) { return entries_[index]; }
    bool in_use(base::u32 index) const { return used_[index]; }

    // Every entry, in use or not.
    Entry* begin() { return entries_; }
    Entry* end() { return entries_ + kSlots; }

private:
    Entry entries_[kSlots] = {};
    base::u32 generation_[kSlots] = {};
    bool used_[kSlots] = {};
};

}  // namespace kernel
