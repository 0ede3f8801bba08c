// Host tests of base::FixedVector: refusing past capacity, keeping order on insert and remove,
// destroying each element exactly once, move-only elements, and traps on bad indexes.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "base/fixed_vector.h"
#include "tracked.h"

namespace {

using base::FixedVector;
using base_test::Tracked;

static_assert(base::is_trivially_destructible_v<FixedVector<int, 4>>);
static_assert(!base::is_trivially_destructible_v<FixedVector<std::string, 4>>);
static_assert(FixedVector<int, 9>::capacity() == 9);

template <class T, base::usize N>
std::vector<int> values_of(const FixedVector<T, N>& vector) {
    std::vector<int> values;
    for (const T& item : vector) values.push_back(static_cast<int>(item));
    return values;
}

TEST(FixedVector, AppendsUntilFullThenRefuses) {
    FixedVector<int, 3> vector;
    EXPECT_TRUE(vector.empty());
    EXPECT_TRUE(vector.try_append(1));
    EXPECT_TRUE(vector.try_append(2));
    EXPECT_TRUE(vector.try_emplace(3));
    EXPECT_TRUE(vector.full());
    EXPECT_FALSE(vector.try_append(4));
    EXPECT_FALSE(vector.try_emplace(4));
    EXPECT_FALSE(vector.insert_at(0, 4));
    EXPECT_EQ(values_of(vector), (std::vector<int>{1, 2, 3}));
    EXPECT_EQ(vector.front(), 1);
    EXPECT_EQ(vector.back(), 3);
}

TEST(FixedVector, InsertAtKeepsOrderAtTheFrontMiddleAndEnd) {
    FixedVector<int, 8> vector;
    EXPECT_TRUE(vector.insert_at(0, 3));   // into an empty vector
    EXPECT_TRUE(vector.insert_at(0, 1));   // front
    EXPECT_TRUE(vector.insert_at(1, 2));   // middle
    EXPECT_TRUE(vector.insert_at(3, 4));   // end
    EXPECT_FALSE(vector.insert_at(5, 9));  // past the end: refused, nothing changes
    EXPECT_EQ(values_of(vector), (std::vector<int>{1, 2, 3, 4}));
    const int& first = vector[0];
    EXPECT_TRUE(vector.insert_at(2, first));  // an element of the vector itself
    EXPECT_EQ(values_of(vector), (std::vector<int>{1, 2, 1, 3, 4}));
}

TEST(FixedVector, RemoveAtKeepsTheOrderOfTheRest) {
    FixedVector<int, 8> vector;
    for (int i = 0; i < 6; ++i) ASSERT_TRUE(vector.try_append(i));
    vector.remove_at(0);
    vector.remove_at(2);
    vector.remove_at(vector.size() - 1);
    EXPECT_EQ(values_of(vector), (std::vector<int>{1, 2, 4}));
    vector.pop_back();
    EXPECT_EQ(values_of(vector), (std::vector<int>{1, 2}));
    vector.clear();
    EXPECT_TRUE(vector.empty());
    EXPECT_TRUE(vector.try_append(7));  // usable again after clear
}

TEST(FixedVector, DestroysEachElementExactlyOnce) {
    Tracked::reset_counts();
    {
        FixedVector<Tracked, 6> vector;
        for (int i = 0; i < 4; ++i) ASSERT_TRUE(vector.try_emplace(i));
        EXPECT_EQ(Tracked::live, 4);
        ASSERT_TRUE(vector.insert_at(1, Tracked(10)));
        EXPECT_EQ(Tracked::live, 5);
        vector.remove_at(2);
        EXPECT_EQ(Tracked::live, 4);
        EXPECT_EQ(vector[0].value, 0);
        EXPECT_EQ(vector[1].value, 10);
        EXPECT_EQ(vector[2].value, 2);
        EXPECT_EQ(vector[3].value, 3);
        FixedVector<Tracked, 6> copy = vector;
        EXPECT_EQ(Tracked::live, 8);
        FixedVector<Tracked, 6> moved = base::move(copy);
        EXPECT_TRUE(copy.empty());
        EXPECT_EQ(Tracked::live, 8);
        moved = vector;
        EXPECT_EQ(Tracked::live, 8);
        moved.clear();
        EXPECT_EQ(Tracked::live, 4);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(FixedVector, HoldsMoveOnlyElements) {
    FixedVector<std::unique_ptr<int>, 4> vector;
    ASSERT_TRUE(vector.try_append(std::make_unique<int>(1)));
    ASSERT_TRUE(vector.try_append(std::make_unique<int>(3)));
    ASSERT_TRUE(vector.insert_at(1, std::make_unique<int>(2)));
    vector.remove_at(0);
    ASSERT_EQ(vector.size(), 2u);
    EXPECT_EQ(*vector[0], 2);
    EXPECT_EQ(*vector[1], 3);
    FixedVector<std::unique_ptr<int>, 4> other = base::move(vector);
    EXPECT_EQ(*other[1], 3);
}

TEST(FixedVector, SpanViewsTheElementsInPlace) {
    FixedVector<int, 4> vector;
    ASSERT_TRUE(vector.try_append(5));
    ASSERT_TRUE(vector.try_append(6));
    base::Span<int> span = vector.span();
    EXPECT_EQ(span.size(), 2u);
    EXPECT_EQ(span.data(), vector.data());
    span[1] = 60;
    EXPECT_EQ(vector[1], 60);
    const auto& constant = vector;
    base::Span<const int> readable = constant.span();
    EXPECT_EQ(readable[0], 5);
}

TEST(FixedVectorDeathTest, IndexingPastTheSizeTraps) {
    FixedVector<int, 4> vector;
    ASSERT_TRUE(vector.try_append(1));
    EXPECT_DEATH((void)vector[1], "");
    EXPECT_DEATH(vector.remove_at(1), "");
    vector.clear();
    EXPECT_DEATH(vector.pop_back(), "");
}

}  // namespace
