// Host tests of Result/TRY, Optional, Span, FixedVector, Bitmap, IntrusiveList, StringView,
// atomics and the spinlock.
#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "base/atomic.h"
#include "base/bitmap.h"
#include "base/fixed_vector.h"
#include "base/intrusive_list.h"
#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "base/spinlock.h"
#include "base/string_view.h"

namespace {

using base::ErrorCode;
using base::Result;

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return base::make_error(ErrorCode::Malformed, "not a digit");
    return c - '0';
}

int steps_taken = 0;
Result<int> sum_of_digits(const char* text) {
    int sum = 0;
    for (; *text; ++text) {
        sum += TRY(parse_digit(*text));
        ++steps_taken;
    }
    return sum;
}

Result<void> check_positive(int value) {
    if (value <= 0) return base::make_error(ErrorCode::OutOfRange, "not positive");
    return {};
}
Result<int> doubled_if_positive(int value) {
    TRY(check_positive(value));
    return value * 2;
}

TEST(Result, TryPropagatesTheFirstErrorAndStopsThere) {
    steps_taken = 0;
    EXPECT_EQ(sum_of_digits("123").value(), 6);
    steps_taken = 0;
    const auto result = sum_of_digits("12x4");
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, ErrorCode::Malformed);
    EXPECT_STREQ(result.error().message, "not a digit");
    EXPECT_EQ(steps_taken, 2);
}

TEST(Result, TryWorksOnResultVoid) {
    EXPECT_EQ(doubled_if_positive(4).value(), 8);
    EXPECT_EQ(doubled_if_positive(-1).error().code, ErrorCode::OutOfRange);
}

TEST(Result, HoldsNonTrivialValues) {
    Result<std::string> text(std::string("hello"));
    EXPECT_EQ(text.value(), "hello");
    EXPECT_EQ(Result<std::string>(base::make_error(ErrorCode::NotFound, "x")).value_or("fallback"), "fallback");
}

TEST(Optional, EmptyAndFullAndReset) {
    base::Optional<std::string> empty;
    EXPECT_FALSE(empty.has_value());
    EXPECT_EQ(empty.value_or("none"), "none");
    base::Optional<std::string> full(std::string("x"));
    EXPECT_EQ(*full, "x");
    base::Optional<std::string> copy = full;
    full.reset();
    EXPECT_FALSE(full.has_value());
    EXPECT_EQ(copy->size(), 1u);
}

TEST(Span, SubspansAreClippedToTheSpan) {
    int values[] = {1, 2, 3, 4};
    base::Span<int> all(values);
    EXPECT_EQ(all.size(), 4u);
    EXPECT_EQ(all.subspan(1, 2)[1], 3);
    EXPECT_EQ(all.subspan(3, 100).size(), 1u);
    EXPECT_TRUE(all.subspan(9).empty());
    EXPECT_EQ(all.last(2)[0], 3);
    base::Span<const int> constant = all;
    EXPECT_EQ(constant.first(1)[0], 1);
}

TEST(FixedVector, FullVectorsRefuseMoreAndInsertKeepsOrder) {
    base::FixedVector<int, 3> vector;
    EXPECT_TRUE(vector.try_append(1));
    EXPECT_TRUE(vector.try_append(3));
    EXPECT_TRUE(vector.insert_at(1, 2));
    EXPECT_FALSE(vector.try_append(4));
    EXPECT_EQ(vector[0], 1);
    EXPECT_EQ(vector[1], 2);
    EXPECT_EQ(vector[2], 3);
    vector.remove_at(0);
    EXPECT_EQ(vector.size(), 2u);
    EXPECT_EQ(vector[0], 2);
}

TEST(Bitmap, RangesAcrossWordBoundaries) {
    uint64_t words[3] = {};
    base::Bitmap bitmap(words, 150);
    bitmap.set_range(60, 10);
    EXPECT_TRUE(bitmap.test(60));
    EXPECT_TRUE(bitmap.test(69));
    EXPECT_FALSE(bitmap.test(70));
    EXPECT_EQ(bitmap.count_set(), 10u);
    bitmap.clear_range(62, 2);
    EXPECT_EQ(bitmap.count_set(), 8u);
    EXPECT_EQ(bitmap.find_first_clear(60).value(), 62u);
}

TEST(Bitmap, BitsPastTheEndAreNeverFoundClear) {
    uint64_t words[2] = {};
    base::Bitmap bitmap(words, 70);
    bitmap.set_range(0, 70);
    EXPECT_FALSE(bitmap.find_first_clear().has_value());
    EXPECT_FALSE(bitmap.find_clear_run(1).has_value());
    bitmap.clear(69);
    EXPECT_EQ(bitmap.find_first_clear().value(), 69u);
}

TEST(Bitmap, ClearRunsRespectAlignment) {
    uint64_t words[4] = {};
    base::Bitmap bitmap(words, 256);
    bitmap.set(0);
    bitmap.set(20);
    EXPECT_EQ(bitmap.find_clear_run(8, 1).value(), 1u);
    EXPECT_EQ(bitmap.find_clear_run(16, 16).value(), 32u);  // 16..31 holds bit 20
    EXPECT_EQ(bitmap.find_clear_run(64, 64).value(), 64u);
    EXPECT_FALSE(bitmap.find_clear_run(256, 1).has_value());
    EXPECT_FALSE(bitmap.find_clear_run(0, 1).has_value());
}

struct Item {
    int value;
    base::IntrusiveListNode node;
};

TEST(IntrusiveList, PushPopRemoveAndIterate) {
    Item a{1, {}}, b{2, {}}, c{3, {}};
    base::IntrusiveList<Item, &Item::node> list;
    EXPECT_TRUE(list.empty());
    list.push_back(a);
    list.push_back(b);
    list.push_front(c);
    EXPECT_EQ(list.size(), 3u);
    std::vector<int> order;
    for (Item& item : list) order.push_back(item.value);
    EXPECT_EQ(order, (std::vector<int>{3, 1, 2}));
    list.remove(a);
    EXPECT_FALSE(a.node.is_linked());
    EXPECT_EQ(list.pop_front()->value, 3);
    EXPECT_EQ(list.front()->value, 2);
}

TEST(StringView, ComparesFindsAndSlices) {
    const base::StringView text("memory@40000000");
    EXPECT_TRUE(text.starts_with("memory"));
    EXPECT_TRUE(text.ends_with("0000"));
    EXPECT_EQ(text.find('@'), 6u);
    EXPECT_TRUE(text.substr(0, 6) == base::StringView("memory"));
    EXPECT_TRUE(text.contains("@4"));
    EXPECT_FALSE(text.contains("@5"));
    EXPECT_EQ(text.substr(100).size(), 0u);
}

TEST(Spinlock, ExcludesConcurrentIncrements) {
    base::Spinlock lock;
    long counter = 0;
    auto work = [&] {
        for (int i = 0; i < 100000; ++i) {
            base::SpinlockGuard guard(lock);
            ++counter;
        }
    };
    std::thread first(work), second(work);
    first.join();
    second.join();
    EXPECT_EQ(counter, 200000);
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    EXPECT_FALSE(lock.try_lock());
    lock.unlock();
}

TEST(Atomic, FetchAndCompareExchange) {
    base::Atomic<int> value{5};
    EXPECT_EQ(value.fetch_add(2), 5);
    int expected = 6;
    EXPECT_FALSE(value.compare_exchange_strong(expected, 9));
    EXPECT_EQ(expected, 7);
    EXPECT_TRUE(value.compare_exchange_strong(expected, 9));
    EXPECT_EQ(value.load(), 9);
}

}  // namespace
