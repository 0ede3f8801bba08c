// Host tests of base::Bitmap: single bits and ranges at word boundaries, ranges that end at the
// bitmap's end, storage bits past the end left alone, and every search checked against a
// plain reference on many random bitmaps (sizes around word boundaries, runs with alignment).
#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <vector>

#include "base/bitmap.h"

namespace {

using base::Bitmap;
using base::u64;
using base::usize;

constexpr u64 kPattern = 0xa5a5a5a5a5a5a5a5;

TEST(Bitmap, WordsForRoundsUpWithoutOverflow) {
    static_assert(Bitmap::words_for(0) == 0);
    static_assert(Bitmap::words_for(1) == 1);
    static_assert(Bitmap::words_for(64) == 1);
    static_assert(Bitmap::words_for(65) == 2);
    static_assert(Bitmap::words_for(128) == 2);
    static_assert(Bitmap::words_for(~usize(0)) == ~usize(0) / 64 + 1);
}

TEST(Bitmap, SingleBitsAtWordBoundaries) {
    u64 words[3] = {};
    Bitmap bitmap(words, 192);
    for (usize bit : {usize(0), usize(63), usize(64), usize(127), usize(128), usize(191)}) {
        EXPECT_FALSE(bitmap.test(bit));
        bitmap.set(bit);
        EXPECT_TRUE(bitmap.test(bit));
    }
    EXPECT_EQ(words[0], (u64(1) << 63) | 1);
    EXPECT_EQ(words[1], (u64(1) << 63) | 1);
    EXPECT_EQ(words[2], (u64(1) << 63) | 1);
    EXPECT_EQ(bitmap.count_set(), 6u);
    bitmap.clear(64);
    EXPECT_FALSE(bitmap.test(64));
    EXPECT_TRUE(bitmap.test(63));
    EXPECT_EQ(bitmap.count_set(), 5u);
}

TEST(Bitmap, RangesAcrossWordBoundaries) {
    u64 words[4] = {};
    Bitmap bitmap(words, 256);
    bitmap.set_range(60, 140);  // 60..199: a partial word, two whole words' worth, a partial word
    for (usize bit = 0; bit < 256; ++bit) EXPECT_EQ(bitmap.test(bit), bit >= 60 && bit < 200) << bit;
    EXPECT_EQ(bitmap.count_set(), 140u);
    bitmap.clear_range(64, 64);  // exactly one whole word
    EXPECT_EQ(words[1], 0u);
    EXPECT_EQ(bitmap.count_set(), 76u);
    bitmap.clear_range(62, 2);
    EXPECT_EQ(bitmap.find_first_clear(60).value(), 62u);
    bitmap.set_range(5, 0);  // an empty range changes nothing
    EXPECT_FALSE(bitmap.test(5));
}

TEST(Bitmap, RangesEndingAtTheEndLeaveTheStorageBeyondAlone) {
    u64 words[3] = {0, 0, kPattern};
    Bitmap bitmap(words, 130);  // bits 128 and 129 live in words[2]; the rest of it is not ours
    bitmap.clear_range(128, 2);
    EXPECT_EQ(words[2], kPattern & ~u64(3));
    bitmap.set_range(100, 30);
    EXPECT_EQ(bitmap.count_set(), 30u);
    EXPECT_EQ(words[2] >> 2, kPattern >> 2);
    bitmap.set_range(0, 130);
    EXPECT_EQ(bitmap.count_set(), 130u);
    EXPECT_EQ(words[2] >> 2, kPattern >> 2);
    bitmap.clear_range(0, 130);
    EXPECT_EQ(bitmap.count_set(), 0u);
    EXPECT_EQ(words[2] >> 2, kPattern >> 2);
}

TEST(Bitmap, StorageBitsPastTheEndAreNeverReported) {
    u64 words[2] = {~u64(0), ~u64(0)};
    Bitmap bitmap(words, 70);
    EXPECT_EQ(bitmap.count_set(), 70u);
    EXPECT_FALSE(bitmap.find_first_clear().has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1).has_value());
    bitmap.clear(69);
    EXPECT_EQ(bitmap.find_first_clear().value(), 69u);
    EXPECT_EQ(bitmap.find_clear_run(1).value(), 69u);
    EXPECT_FALSE(bitmap.find_clear_run(2).has_value());

    u64 zeros[2] = {0, 0};
    Bitmap clear_map(zeros, 70);
    zeros[1] = ~u64(0) << 6;  // garbage past bit 69
    EXPECT_FALSE(clear_map.find_first_set().has_value());
    EXPECT_EQ(clear_map.find_clear_run(70).value(), 0u);
}

TEST(Bitmap, EmptyBitmapFindsNothing) {
    Bitmap bitmap(nullptr, 0);
    EXPECT_EQ(bitmap.count_set(), 0u);
    EXPECT_FALSE(bitmap.find_first_clear().has_value());
    EXPECT_FALSE(bitmap.find_first_set().has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1).has_value());
}

TEST(Bitmap, SearchesFromPastTheEndFindNothing) {
    u64 words[2] = {};
    Bitmap bitmap(words, 100);
    EXPECT_FALSE(bitmap.find_first_clear(100).has_value());
    EXPECT_FALSE(bitmap.find_first_clear(5000).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1, 1, 100).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1, 7, ~usize(0) - 3).has_value());
    EXPECT_EQ(bitmap.find_first_clear(99).value(), 99u);
}

TEST(Bitmap, ClearRunsRespectAlignment) {
    u64 words[4] = {};
    Bitmap bitmap(words, 256);
    bitmap.set(0);
    bitmap.set(20);
    EXPECT_EQ(bitmap.find_clear_run(8, 1).value(), 1u);
    EXPECT_EQ(bitmap.find_clear_run(8, 4).value(), 4u);
    EXPECT_EQ(bitmap.find_clear_run(16, 16).value(), 32u);  // 16..31 holds bit 20
    EXPECT_EQ(bitmap.find_clear_run(64, 64).value(), 64u);
    EXPECT_EQ(bitmap.find_clear_run(3, 6).value(), 6u);  // alignments need not be powers of two
    EXPECT_EQ(bitmap.find_clear_run(3, 7, 8).value(), 14u);
    EXPECT_EQ(bitmap.find_clear_run(235, 1).value(), 21u);
    EXPECT_FALSE(bitmap.find_clear_run(236, 1).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(256, 1).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(257, 1).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(0, 1).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1, 0).has_value());
    EXPECT_EQ(bitmap.find_clear_run(1, ~usize(0)).value_or(99), 99u);  // only start 0 is aligned; it is set
}

TEST(Bitmap, ARunCanEndExactlyAtTheEnd) {
    u64 words[3] = {};
    Bitmap bitmap(words, 150);
    bitmap.set_range(0, 140);
    EXPECT_EQ(bitmap.find_clear_run(10).value(), 140u);
    EXPECT_EQ(bitmap.find_clear_run(10, 10).value(), 140u);
    EXPECT_EQ(bitmap.find_clear_run(10, 20).value(), 140u);  // 140 is a multiple of 20
    EXPECT_FALSE(bitmap.find_clear_run(10, 30).has_value());  // 120 is taken, 150 is past the end
    EXPECT_FALSE(bitmap.find_clear_run(11).has_value());
}

TEST(Bitmap, FindsARunFarIntoALargeBitmap) {
    const usize bits = usize(1) << 22;  // 16 GiB of 4 KiB frames
    std::vector<u64> words(Bitmap::words_for(bits));
    Bitmap bitmap(words.data(), bits);
    bitmap.set_range(0, bits);
    bitmap.clear_range(bits - 512, 512);
    bitmap.clear(12345);
    EXPECT_EQ(bitmap.find_clear_run(512, 512).value(), bits - 512);
    EXPECT_EQ(bitmap.find_first_clear().value(), 12345u);
}

// The reference: one bit at a time, obviously right.
struct Reference {
    std::vector<bool> bits;
    std::optional<usize> first_clear(usize from) const {
        for (usize i = from; i < bits.size(); ++i)
            if (!bits[i]) return i;
        return std::nullopt;
    }
    std::optional<usize> first_set(usize from) const {
        for (usize i = from; i < bits.size(); ++i)
            if (bits[i]) return i;
        return std::nullopt;
    }
    std::optional<usize> clear_run(usize count, usize alignment, usize from) const {
        if (count == 0) return std::nullopt;
        for (usize start = from; start + count <= bits.size(); ++start) {
            if (start % alignment != 0) continue;
            bool all_clear = true;
            for (usize i = start; i < start + count && all_clear; ++i) all_clear = !bits[i];
            if (all_clear) return start;
        }
        return std::nullopt;
    }
};

std::optional<usize> to_std(base::Optional<usize> value) {
    if (!value) return std::nullopt;
    return *value;
}

TEST(Bitmap, SearchesAgreeWithABitByBitReference) {
    std::mt19937_64 random(20261125);
    for (usize size : {1, 2, 63, 64, 65, 127, 128, 129, 200, 300}) {
        for (int round = 0; round < 40; ++round) {
            std::vector<u64> words(Bitmap::words_for(size));
            for (u64& word : words) word = random();  // garbage past the end included
            Bitmap bitmap(words.data(), size);
            Reference reference{std::vector<bool>(size)};
            // Density from sparse to dense, so runs of every length occur.
            const unsigned density = static_cast<unsigned>(random() % 100);
            for (usize bit = 0; bit < size; ++bit) {
                const bool value = random() % 100 < density;
                value ? bitmap.set(bit) : bitmap.clear(bit);
                reference.bits[bit] = value;
            }
            usize expected_count = 0;
            for (bool b : reference.bits) expected_count += b;
            ASSERT_EQ(bitmap.count_set(), expected_count);
            for (int query = 0; query < 20; ++query) {
                const usize from = random() % (size + 2);
                ASSERT_EQ(to_std(bitmap.find_first_clear(from)), reference.first_clear(from)) << size << " from " << from;
                ASSERT_EQ(to_std(bitmap.find_first_set(from)), reference.first_set(from)) << size << " from " << from;
                const usize count = 1 + random() % 70;
                const usize alignments[] = {1, 2, 3, 4, 8, 13, 64, 128};
                const usize alignment = alignments[random() % 8];
                ASSERT_EQ(to_std(bitmap.find_clear_run(count, alignment, from)), reference.clear_run(count, alignment, from))
                    << "size " << size << " count " << count << " alignment " << alignment << " from " << from;
            }
        }
    }
}

TEST(BitmapDeathTest, TouchingBitsPastTheEndTraps) {
    u64 words[2] = {};
    Bitmap bitmap(words, 100);
    EXPECT_DEATH((void)bitmap.test(100), "");
    EXPECT_DEATH(bitmap.set(100), "");
    EXPECT_DEATH(bitmap.clear(127), "");
    EXPECT_DEATH(bitmap.set_range(90, 11), "");
    EXPECT_DEATH(bitmap.clear_range(1, ~usize(0)), "");  // first + count would wrap
}

}  // namespace
