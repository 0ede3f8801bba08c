// Host tests of base::Span: views of arrays, const conversion, slices clipped to the span, and
// a trap on indexing past the end.
#include <gtest/gtest.h>

#include <vector>

#include "base/span.h"

namespace {

using base::Span;

TEST(Span, ViewsAnArrayWithoutCopying) {
    int values[] = {1, 2, 3, 4};
    Span<int> all(values);
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all.size_bytes(), 4 * sizeof(int));
    EXPECT_EQ(all.data(), values);
    all[2] = 30;
    EXPECT_EQ(values[2], 30);
    EXPECT_EQ(all.front(), 1);
    EXPECT_EQ(all.back(), 4);
    std::vector<int> seen(all.begin(), all.end());
    EXPECT_EQ(seen, (std::vector<int>{1, 2, 30, 4}));
}

TEST(Span, DefaultIsEmpty) {
    Span<const char> nothing;
    EXPECT_TRUE(nothing.empty());
    EXPECT_EQ(nothing.begin(), nothing.end());
}

TEST(Span, MutableSpansBecomeConstSpans) {
    int values[] = {5, 6};
    Span<int> writable(values);
    Span<const int> readable = writable;
    EXPECT_EQ(readable.data(), values);
    EXPECT_EQ(readable.size(), 2u);
    static_assert(!base::is_constructible_v<Span<int>, Span<const int>>);
    const int fixed[] = {7};
    Span<const int> from_const_array(fixed);
    EXPECT_EQ(from_const_array[0], 7);
}

TEST(Span, SubspansAreClippedToTheSpan) {
    int values[] = {1, 2, 3, 4};
    Span<int> all(values);
    EXPECT_EQ(all.subspan(1, 2).size(), 2u);
    EXPECT_EQ(all.subspan(1, 2)[1], 3);
    EXPECT_EQ(all.subspan(3, 100).size(), 1u);
    EXPECT_EQ(all.subspan(2).size(), 2u);
    EXPECT_TRUE(all.subspan(4).empty());
    EXPECT_TRUE(all.subspan(9).empty());
    EXPECT_EQ(all.subspan(9).data(), all.end());
    EXPECT_EQ(all.subspan(1, ~base::usize(0)).size(), 3u);
}

TEST(Span, FirstAndLastTakeAtMostWhatIsThere) {
    int values[] = {1, 2, 3, 4};
    Span<int> all(values);
    EXPECT_EQ(all.first(1)[0], 1);
    EXPECT_EQ(all.first(10).size(), 4u);
    EXPECT_TRUE(all.first(0).empty());
    EXPECT_EQ(all.last(2)[0], 3);
    EXPECT_EQ(all.last(2).size(), 2u);
    EXPECT_EQ(all.last(10).size(), 4u);
    EXPECT_TRUE(all.last(0).empty());
}

TEST(Span, AsBytesViewsTheSameMemory) {
    const base::u32 words[] = {0x04030201, 0x08070605};
    const auto bytes = base::as_bytes(Span<const base::u32>(words));
    ASSERT_EQ(bytes.size(), 8u);
    EXPECT_EQ(static_cast<const void*>(bytes.data()), static_cast<const void*>(words));
}

TEST(SpanDeathTest, IndexingPastTheEndTraps) {
    int values[] = {1, 2};
    Span<int> span(values);
    EXPECT_DEATH((void)span[2], "");
    EXPECT_DEATH((void)Span<int>().front(), "");
}

}  // namespace
