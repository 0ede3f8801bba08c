// The runtime's memcpy/memmove/memset/memcmp bodies (user/runtime/memory_functions.h) against
// byte-by-byte references, for every length up to a few chunks and every alignment within one.
#include "user/runtime/memory_functions.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

namespace {

constexpr size_t kArena = 512;

std::vector<uint8_t> pattern(size_t size, uint8_t seed) {
    std::vector<uint8_t> bytes(size);
    for (size_t i = 0; i < size; ++i) bytes[i] = static_cast<uint8_t>(seed + i * 7 + (i >> 3));
    return bytes;
}

TEST(MemoryFunctions, CopyCopiesExactlyTheRangeForEveryLengthAndAlignment) {
    for (size_t length = 0; length <= 160; ++length) {
        for (size_t from = 0; from < 16; ++from) {
            for (size_t to = 0; to < 16; to += 3) {
                auto source = pattern(kArena, 1);
                auto destination = pattern(kArena, 99);
                auto expected = destination;
                for (size_t i = 0; i < length; ++i) expected[64 + to + i] = source[from + i];
                vectra::memory::copy(destination.data() + 64 + to, source.data() + from, length);
                ASSERT_EQ(destination, expected) << "length " << length << " from " << from << " to " << to;
            }
        }
    }
}

TEST(MemoryFunctions, MoveHandlesOverlapInBothDirections) {
    for (size_t length = 0; length <= 130; ++length) {
        for (int shift = -40; shift <= 40; ++shift) {
            auto bytes = pattern(kArena, 5);
            auto expected = bytes;
            const size_t from = 200, to = static_cast<size_t>(200 + shift);
            const std::vector<uint8_t> original(bytes.begin() + from, bytes.begin() + from + length);
            for (size_t i = 0; i < length; ++i) expected[to + i] = original[i];
            vectra::memory::move(bytes.data() + to, bytes.data() + from, length);
            ASSERT_EQ(bytes, expected) << "length " << length << " shift " << shift;
        }
    }
}

TEST(MemoryFunctions, FillSetsExactlyTheRange) {
    for (size_t length = 0; length <= 100; ++length) {
        for (size_t offset = 0; offset < 16; ++offset) {
            auto bytes = pattern(kArena, 3);
            auto expected = bytes;
            for (size_t i = 0; i < length; ++i) expected[32 + offset + i] = 0xa5;
            vectra::memory::fill(bytes.data() + 32 + offset, 0xa5, length);
            ASSERT_EQ(bytes, expected) << "length " << length << " offset " << offset;
        }
    }
}

TEST(MemoryFunctions, CompareOrdersByTheFirstDifferingByteAsUnsigned) {
    const uint8_t a[] = {1, 2, 3, 0x80};
    const uint8_t b[] = {1, 2, 3, 0x7f};
    EXPECT_EQ(vectra::memory::compare(a, a, 4), 0);
    EXPECT_GT(vectra::memory::compare(a, b, 4), 0);  // 0x80 > 0x7f unsigned
    EXPECT_LT(vectra::memory::compare(b, a, 4), 0);
    EXPECT_EQ(vectra::memory::compare(a, b, 3), 0);
    EXPECT_EQ(vectra::memory::compare(a, b, 0), 0);
}

TEST(MemoryFunctions, StringLengthAndCompare) {
    EXPECT_EQ(vectra::memory::string_length(""), 0u);
    EXPECT_EQ(vectra::memory::string_length("vectra"), 6u);
    EXPECT_EQ(vectra::memory::string_compare("abc", "abc"), 0);
    EXPECT_LT(vectra::memory::string_compare("ab", "abc"), 0);
    EXPECT_GT(vectra::memory::string_compare("abd", "abc"), 0);
    EXPECT_GT(vectra::memory::string_compare("\x80", "a"), 0);  // bytes compare unsigned
}

}  // namespace
