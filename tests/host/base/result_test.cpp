// Host tests of base::Result and TRY: values and errors, propagation through TRY (including
// Result<void> and move-only values), value lifetimes, conversions, and traps on misuse.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "tracked.h"

namespace {

using base::ErrorCode;
using base::Result;
using base_test::Tracked;

static_assert(base::is_trivially_copyable_v<Result<base::u64>>);
static_assert(base::is_trivially_destructible_v<Result<int>>);
static_assert(!base::is_trivially_destructible_v<Result<std::string>>);

Result<int> parse_digit(char c) {
    if (c < '0' || c > '9') return base::make_error(ErrorCode::Malformed, "not a digit");
    return c - '0';
}

int digits_added = 0;
Result<int> sum_of_digits(const char* text) {
    int sum = 0;
    for (; *text; ++text) {
        sum += TRY(parse_digit(*text));
        ++digits_added;
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

TEST(Result, HoldsEitherAValueOrAnError) {
    const Result<int> good = 5;
    EXPECT_TRUE(good.is_ok());
    EXPECT_FALSE(good.is_error());
    EXPECT_EQ(good.value(), 5);
    const Result<int> bad = base::make_error(ErrorCode::NotFound, "no such node");
    EXPECT_TRUE(bad.is_error());
    EXPECT_EQ(bad.error().code, ErrorCode::NotFound);
    EXPECT_STREQ(bad.error().message, "no such node");
    EXPECT_EQ(bad.value_or(-1), -1);
    EXPECT_EQ(good.value_or(-1), 5);
}

TEST(Result, TryPropagatesTheFirstErrorAndStopsThere) {
    digits_added = 0;
    EXPECT_EQ(sum_of_digits("123").value(), 6);
    EXPECT_EQ(digits_added, 3);
    digits_added = 0;
    const auto result = sum_of_digits("12x4y");
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, ErrorCode::Malformed);
    EXPECT_STREQ(result.error().message, "not a digit");
    EXPECT_EQ(digits_added, 2);  // nothing after the first bad digit ran
}

TEST(Result, TryWorksOnResultVoid) {
    EXPECT_EQ(doubled_if_positive(4).value(), 8);
    const auto refused = doubled_if_positive(-1);
    ASSERT_TRUE(refused.is_error());
    EXPECT_EQ(refused.error().code, ErrorCode::OutOfRange);
    EXPECT_TRUE(Result<void>().is_ok());
}

Result<std::unique_ptr<int>> make_box(int value) {
    if (value < 0) return base::make_error(ErrorCode::InvalidArgument, "negative");
    return std::make_unique<int>(value);
}
Result<int> unbox_plus_one(int value) {
    std::unique_ptr<int> box = TRY(make_box(value));
    return *box + 1;
}

TEST(Result, TryYieldsMoveOnlyValues) {
    EXPECT_EQ(unbox_plus_one(41).value(), 42);
    EXPECT_EQ(unbox_plus_one(-1).error().code, ErrorCode::InvalidArgument);
}

Result<std::string> describe_digit(char c) {
    const int digit = TRY(parse_digit(c));  // the Error moves across Result types
    return std::string(static_cast<size_t>(digit), '*');
}

TEST(Result, TryCarriesTheErrorAcrossResultTypes) {
    EXPECT_EQ(describe_digit('3').value(), "***");
    EXPECT_STREQ(describe_digit('z').error().message, "not a digit");
}

Result<int> nested(char a, char b) { return TRY(parse_digit(TRY(parse_digit(a)) == 1 ? b : 'x')) + 10; }

TEST(Result, NestedTryUsesTheInnermostErrorFirst) {
    EXPECT_EQ(nested('1', '5').value(), 15);
    EXPECT_EQ(nested('2', '5').error().code, ErrorCode::Malformed);
    EXPECT_EQ(nested('q', '5').error().code, ErrorCode::Malformed);
}

TEST(Result, ValuesAreDestroyedExactlyOnce) {
    Tracked::reset_counts();
    {
        Result<Tracked> held = Tracked(1);
        Result<Tracked> copy = held;
        Result<Tracked> moved = base::move(held);
        Result<Tracked> failed = base::make_error(ErrorCode::Busy, "busy");
        EXPECT_EQ(Tracked::live, 3);
        EXPECT_EQ(moved.value().value, 1);
        (void)failed;
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Result, AssignmentSwitchesBetweenValueAndError) {
    Tracked::reset_counts();
    {
        Result<Tracked> result = Tracked(1);
        result = Result<Tracked>(base::make_error(ErrorCode::Timeout, "slow"));
        EXPECT_EQ(Tracked::live, 0);
        EXPECT_EQ(result.error().code, ErrorCode::Timeout);
        result = Result<Tracked>(Tracked(2));
        EXPECT_EQ(result.value().value, 2);
        const Result<Tracked> other = Tracked(3);
        result = other;
        EXPECT_EQ(result.value().value, 3);
        const Result<Tracked>& same = result;
        result = same;
        EXPECT_EQ(result.value().value, 3);
        EXPECT_EQ(Tracked::live, 2);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Result, ReleaseValueMovesTheValueOut) {
    Result<std::string> text = std::string(64, 'v');
    const std::string taken = text.release_value();
    EXPECT_EQ(taken.size(), 64u);
    std::string moved = base::move(Result<std::string>(std::string("x"))).value();
    EXPECT_EQ(moved, "x");
}

TEST(Result, ConvertsFromWhatTheValueTypeConvertsFrom) {
    auto lookup = [](bool found) -> Result<base::Optional<int>> {
        if (!found) return base::none;
        return 7;
    };
    EXPECT_FALSE(lookup(false).value().has_value());
    EXPECT_EQ(*lookup(true).value(), 7);
    int values[] = {1, 2};
    auto view = [&]() -> Result<base::Span<const int>> { return base::Span<int>(values); };
    EXPECT_EQ(view().value().size(), 2u);
    Result<std::string> from_literal = "text";
    EXPECT_EQ(from_literal.value(), "text");
}

TEST(ResultDeathTest, MisusingAResultTraps) {
    const Result<int> failed = base::make_error(ErrorCode::Corrupt, "bad");
    const Result<int> fine = 1;
    EXPECT_DEATH((void)failed.value(), "");
    EXPECT_DEATH((void)fine.error(), "");
    EXPECT_DEATH(Result<void>(base::make_error(ErrorCode::Closed, "closed")).value(), "");
    EXPECT_DEATH((void)Result<void>().error(), "");
}

}  // namespace
