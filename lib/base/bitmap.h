// A bitmap over caller-owned 64-bit words (no allocation): free-frame tracking and the like.
// Searches go a word at a time. Bits of the last word past bit_count are never read as meaning
// anything nor written, so the caller's storage may hold anything there. Touching a bit past
// the end (test, set, clear, a range) is a caller bug and traps; searches just stop at the end.
#pragma once

#include "base/optional.h"
#include "base/types.h"

namespace base {

class Bitmap {
public:
    static constexpr usize bits_per_word = 64;
    static constexpr usize words_for(usize bits) { return bits / bits_per_word + (bits % bits_per_word != 0 ? 1 : 0); }

    constexpr Bitmap() = default;
    // `words` must hold at least words_for(bit_count) words; their contents are kept.
    constexpr Bitmap(u64* words, usize bit_count) : words_(words), bit_count_(bit_count) {}

    constexpr usize size() const { return bit_count_; }

    bool test(usize bit) const {
        check_in_range(bit, 1);
        return (words_[bit / bits_per_word] >> (bit % bits_per_word)) & 1;
    }
    void set(usize bit) {
        check_in_range(bit, 1);
        words_[bit / bits_per_word] |= u64(1) << (bit % bits_per_word);
    }
    void clear(usize bit) {
        check_in_range(bit, 1);
        words_[bit / bits_per_word] &= ~(u64(1) << (bit % bits_per_word));
    }

    // Bits [first, first + count); the range must lie inside the bitmap.
    void set_range(usize first, usize count) { fill_range(first, count, true); }
    void clear_range(usize first, usize count) { fill_range(first, count, false); }

    usize count_set() const {
        usize count = 0;
        const usize whole_words = bit_count_ / bits_per_word;
        for (usize word = 0; word < whole_words; ++word) count += __builtin_popcountll(words_[word]);
        if (bit_count_ % bits_per_word != 0) count += __builtin_popcountll(words_[whole_words] & tail_mask());
        return count;
    }

    // The first clear (or set) bit at or after `from`.
    Optional<usize> find_first_clear(usize from = 0) const { return found_or_none(scan(from, bit_count_, false)); }
    Optional<usize> find_first_set(usize from = 0) const { return found_or_none(scan(from, bit_count_, true)); }

    // The first run of `count` clear bits, at or after `from`, starting at a multiple of
    // `alignment` bits (any alignment, not only powers of two). None if count is 0.
    Optional<usize> find_clear_run(usize count, usize alignment = 1, usize from = 0) const {
        if (count == 0 || alignment == 0 || count > bit_count_) return none;
        usize start = from;
        // Invariant: no run that fits starts before `start`; `start` grows every round.
        while (true) {
            const usize misalignment = start % alignment;
            if (misalignment != 0) {
                if (alignment - misalignment > bit_count_ - min(start, bit_count_)) return none;
                start += alignment - misalignment;
            }
            if (start > bit_count_ - count) return none;
            const usize first_clear = scan(start, bit_count_, false);
            if (first_clear != start) {  // `start` is set: try from the next clear bit
                start = first_clear;
                continue;
            }
            const usize first_set = scan(start, start + count, true);
            if (first_set == start + count) return start;
            start = first_set + 1;
        }
    }

private:
    void check_in_range(usize first, usize count) const {
        if (first > bit_count_ || count > bit_count_ - first) __builtin_trap();  // past the end: a caller bug
    }

    // The valid bits of the last, partial word.
    u64 tail_mask() const { return (u64(1) << (bit_count_ % bits_per_word)) - 1; }

    Optional<usize> found_or_none(usize bit) const {
        if (bit == bit_count_) return none;
        return bit;
    }

    // The first bit in [from, limit) equal to `value`, or `limit` if none is; limit <= bit_count_.
    usize scan(usize from, usize limit, bool value) const {
        if (from >= limit) return limit;
        const u64 flip = value ? 0 : ~u64(0);  // makes the bits we look for ones
        usize word = from / bits_per_word;
        const usize last_word = (limit - 1) / bits_per_word;
        u64 bits = (words_[word] ^ flip) & (~u64(0) << (from % bits_per_word));
        while (bits == 0) {
            if (word == last_word) return limit;
            ++word;
            bits = words_[word] ^ flip;
        }
        const usize found = word * bits_per_word + static_cast<usize>(__builtin_ctzll(bits));
        return found < limit ? found : limit;
    }

    void fill_range(usize first, usize count, bool value) {
        check_in_range(first, count);
        usize bit = first;
        const usize end = first + count;
        // Loose bits up to a word boundary, whole words, then the loose bits at the end.
        for (; bit < end && bit % bits_per_word != 0; ++bit) write_bit(bit, value);
        for (; end - bit >= bits_per_word; bit += bits_per_word) words_[bit / bits_per_word] = value ? ~u64(0) : 0;
        for (; bit < end; ++bit) write_bit(bit, value);
    }
    void write_bit(usize bit, bool value) {
        const u64 mask = u64(1) << (bit % bits_per_word);
        words_[bit / bits_per_word] = value ? (words_[bit / bits_per_word] | mask) : (words_[bit / bits_per_word] & ~mask);
    }

    u64* words_ = nullptr;
    usize bit_count_ = 0;
};

}  // namespace base
