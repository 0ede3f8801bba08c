// A bitmap over caller-owned words (no allocation): used for free-frame tracking and the like.
// Bits past bit_count are never reported as clear.
#pragma once

#include "base/optional.h"
#include "base/types.h"

namespace base {

class Bitmap {
public:
    static constexpr usize words_for(usize bits) { return (bits + 63) / 64; }

    constexpr Bitmap() = default;
    Bitmap(u64* words, usize bit_count) : words_(words), bit_count_(bit_count) {}

    usize size() const { return bit_count_; }

    bool test(usize bit) const { return (words_[bit / 64] >> (bit % 64)) & 1; }
    void set(usize bit) { words_[bit / 64] |= u64(1) << (bit % 64); }
    void clear(usize bit) { words_[bit / 64] &= ~(u64(1) << (bit % 64)); }

    void set_range(usize first, usize count) { fill_range(first, count, true); }
    void clear_range(usize first, usize count) { fill_range(first, count, false); }

    usize count_set() const {
        usize count = 0;
        for (usize word = 0; word < words_for(bit_count_); ++word) count += __builtin_popcountll(masked_word(word));
        return count;
    }

    // The first clear bit at or after `from`.
    Optional<usize> find_first_clear(usize from = 0) const {
        for (usize word = from / 64; word < words_for(bit_count_); ++word) {
            u64 bits = ~masked_word(word);
            if (word == from / 64) bits &= ~u64(0) << (from % 64);  // ignore bits below `from`
            if (word == words_for(bit_count_) - 1 && bit_count_ % 64 != 0)
                bits &= (u64(1) << (bit_count_ % 64)) - 1;  // ignore bits past the end
            if (bits != 0) return word * 64 + __builtin_ctzll(bits);
        }
        return none;
    }

    // The first run of `count` clear bits starting at a multiple of `alignment` (in bits).
    Optional<usize> find_clear_run(usize count, usize alignment = 1, usize from = 0) const {
        if (count == 0 || alignment == 0 || count > bit_count_) return none;
        usize start = (from + alignment - 1) / alignment * alignment;
        // Invariant: no aligned run starting before `start` fits.
        while (start + count <= bit_count_) {
            usize length = 0;
            while (length < count && !test(start + length)) ++length;
            if (length == count) return start;
            // The bit at start + length is set: the next candidate begins after it.
            const usize next = start + length + 1;
            start = (next + alignment - 1) / alignment * alignment;
        }
        return none;
    }

private:
    // A word with bits past the end forced to "set", so they are never found clear.
    u64 masked_word(usize word) const {
        u64 bits = words_[word];
        if (word == words_for(bit_count_) - 1 && bit_count_ % 64 != 0) bits &= (u64(1) << (bit_count_ % 64)) - 1;
        return bits;
    }

    void fill_range(usize first, usize count, bool value) {
        usize bit = first;
        const usize end = first + count;
        while (bit < end && bit % 64 != 0) value ? set(bit++) : clear(bit++);
        while (bit + 64 <= end) {
            words_[bit / 64] = value ? ~u64(0) : 0;
            bit += 64;
        }
        while (bit < end) value ? set(bit++) : clear(bit++);
    }

    u64* words_ = nullptr;
    usize bit_count_ = 0;
};

}  // namespace base
