// Host tests of base::Optional: empty and full states, value lifetimes (each value destroyed
// exactly once), conversions, comparisons, and traps on reading an empty one.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "base/optional.h"
#include "base/types.h"
#include "tracked.h"

namespace {

using base::Optional;
using base_test::Tracked;

static_assert(base::is_trivially_copyable_v<Optional<base::u64>>);
static_assert(base::is_trivially_destructible_v<Optional<int*>>);
static_assert(!base::is_trivially_destructible_v<Optional<std::string>>);

constexpr Optional<int> compile_time_five = 5;
static_assert(compile_time_five.has_value() && *compile_time_five == 5);
static_assert(!Optional<int>(base::none).has_value());

TEST(Optional, IsEmptyByDefaultAndFromNone) {
    Optional<int> by_default;
    Optional<int> from_none = base::none;
    EXPECT_FALSE(by_default.has_value());
    EXPECT_FALSE(from_none);
    EXPECT_EQ(by_default.value_or(-1), -1);
}

TEST(Optional, HoldsAValueAndGivesItBack) {
    Optional<std::string> text(std::string("vectra"));
    ASSERT_TRUE(text.has_value());
    EXPECT_EQ(*text, "vectra");
    EXPECT_EQ(text->size(), 6u);
    EXPECT_EQ(text.value_or("other"), "vectra");
    text->append("OS");
    EXPECT_EQ(text.value(), "vectraOS");
}

TEST(Optional, ConvertsFromValuesOfACompatibleType) {
    Optional<base::u64> wide = base::u32(7);
    EXPECT_EQ(*wide, 7u);
    Optional<std::string> text = "literal";
    EXPECT_EQ(*text, "literal");
    auto maybe_index = [](bool found) -> Optional<base::usize> {
        if (!found) return base::none;
        return 3;
    };
    EXPECT_EQ(maybe_index(true).value(), 3u);
    EXPECT_FALSE(maybe_index(false).has_value());
}

TEST(Optional, ResetAndDestructionDestroyTheValueExactlyOnce) {
    Tracked::reset_counts();
    {
        Optional<Tracked> value(Tracked(1));
        EXPECT_EQ(Tracked::live, 1);
        value.reset();
        EXPECT_EQ(Tracked::live, 0);
        value.reset();  // resetting an empty one destroys nothing
        value.emplace(2);
        EXPECT_EQ(Tracked::live, 1);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Optional, EmplaceReplacesTheOldValue) {
    Tracked::reset_counts();
    Optional<Tracked> value(Tracked(1));
    const int destroyed_before = Tracked::destroyed;
    Tracked& placed = value.emplace(2);
    EXPECT_EQ(placed.value, 2);
    EXPECT_EQ(Tracked::destroyed, destroyed_before + 1);
    EXPECT_EQ(Tracked::live, 1);
}

TEST(Optional, CopiesAreIndependentAndAllValuesAreFreed) {
    Tracked::reset_counts();
    {
        Optional<Tracked> original(Tracked(5));
        Optional<Tracked> copy = original;
        copy->value = 6;
        EXPECT_EQ(original->value, 5);
        Optional<Tracked> moved = base::move(original);
        EXPECT_EQ(moved->value, 5);
        EXPECT_TRUE(original->moved_from);
        EXPECT_EQ(Tracked::live, 3);
    }
    EXPECT_EQ(Tracked::live, 0);
}

TEST(Optional, AssignmentCoversEveryEmptyAndFullPair) {
    Tracked::reset_counts();
    {
        Optional<Tracked> empty;
        Optional<Tracked> full(Tracked(1));
        Optional<Tracked> target;
        target = full;  // empty <- full
        EXPECT_EQ(target->value, 1);
        target = Optional<Tracked>(Tracked(2));  // full <- full (moved)
        EXPECT_EQ(target->value, 2);
        target = empty;  // full <- empty
        EXPECT_FALSE(target.has_value());
        target = empty;  // empty <- empty
        EXPECT_FALSE(target.has_value());
        target = full;
        const Optional<Tracked>& same = target;
        target = same;  // self-assignment keeps the value
        EXPECT_EQ(target->value, 1);
        target = base::none;
        EXPECT_FALSE(target.has_value());
        EXPECT_EQ(Tracked::live, 1);  // only `full`
    }
    EXPECT_EQ(Tracked::live, 0);
}

struct ConstantMember {
    const int id;
};

TEST(Optional, AssignsTypesThatCanOnlyBeConstructed) {
    Optional<ConstantMember> value(ConstantMember{1});
    value = Optional<ConstantMember>(ConstantMember{2});
    EXPECT_EQ(value->id, 2);
}

TEST(Optional, HoldsMoveOnlyValues) {
    Optional<std::unique_ptr<int>> owner(std::make_unique<int>(4));
    Optional<std::unique_ptr<int>> other = base::move(owner);
    EXPECT_EQ(**other, 4);
    std::unique_ptr<int> taken = base::move(other).value();
    EXPECT_EQ(*taken, 4);
    EXPECT_EQ(base::move(owner).value_or(nullptr), nullptr);  // owner's pointer was moved out
}

TEST(Optional, ComparesWithOptionalsValuesAndNone) {
    const Optional<int> three = 3;
    const Optional<int> empty;
    EXPECT_TRUE(three == 3);
    EXPECT_FALSE(three == 4);
    EXPECT_TRUE(three != 4);
    EXPECT_FALSE(empty == 3);
    EXPECT_TRUE(empty == base::none);
    EXPECT_FALSE(three == base::none);
    EXPECT_TRUE(three == Optional<int>(3));
    EXPECT_FALSE(three == empty);
    EXPECT_TRUE(empty == Optional<int>());
}

TEST(OptionalDeathTest, ReadingAnEmptyOptionalTraps) {
    Optional<int> empty;
    EXPECT_DEATH((void)empty.value(), "");
    EXPECT_DEATH((void)*empty, "");
}

}  // namespace
