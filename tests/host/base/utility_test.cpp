// Host tests of base/utility.h and base/type_traits.h: move/forward, swap/exchange, min/max/clamp,
// alignment and overflow-checked arithmetic at the edges of each type.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "base/utility.h"

namespace {

using base::u8;
using base::u32;
using base::u64;
using base::usize;

static_assert(base::is_same_v<base::remove_reference_t<int&&>, int>);
static_assert(base::is_same_v<base::remove_cvref_t<const volatile int&>, int>);
static_assert(base::is_same_v<base::remove_pointer_t<const char*>, const char>);
static_assert(base::is_same_v<base::conditional_t<true, int, long>, int>);
static_assert(base::is_same_v<base::conditional_t<false, int, long>, long>);
static_assert(base::is_integral_v<bool> && base::is_integral_v<u64> && !base::is_integral_v<float>);
static_assert(base::is_signed_v<int> && !base::is_signed_v<unsigned>);
static_assert(base::is_trivially_copyable_v<int> && !base::is_trivially_copyable_v<std::string>);
static_assert(base::is_convertible_v<u32, u64> && !base::is_convertible_v<int*, u64>);

int which_reference(int&) { return 1; }
int which_reference(int&&) { return 2; }
template <class T>
int forwarded(T&& value) {
    return which_reference(base::forward<T>(value));
}

TEST(Utility, ForwardKeepsLvaluesAndRvaluesApart) {
    int x = 0;
    EXPECT_EQ(forwarded(x), 1);
    EXPECT_EQ(forwarded(3), 2);
    EXPECT_EQ(forwarded(base::move(x)), 2);
}

TEST(Utility, MoveLetsAValueBeTakenOver) {
    std::string source(100, 'a');
    std::string target = base::move(source);
    EXPECT_EQ(target.size(), 100u);
    EXPECT_TRUE(source.empty());  // a moved-from long std::string is empty in practice
}

TEST(Utility, SwapAndExchangeTradeValues) {
    std::string a = "first", b = "second";
    base::swap(a, b);
    EXPECT_EQ(a, "second");
    EXPECT_EQ(b, "first");
    int counter = 7;
    EXPECT_EQ(base::exchange(counter, 9), 7);
    EXPECT_EQ(counter, 9);
}

TEST(Utility, MinMaxAndClampPickTheRightBound) {
    EXPECT_EQ(base::min(3, 5), 3);
    EXPECT_EQ(base::max(3, 5), 5);
    EXPECT_EQ(base::min(-1, -1), -1);
    EXPECT_EQ(base::clamp(10, 0, 5), 5);
    EXPECT_EQ(base::clamp(-10, 0, 5), 0);
    EXPECT_EQ(base::clamp(3, 0, 5), 3);
    static_assert(base::max(u64(1) << 40, u64(7)) == u64(1) << 40);
}

TEST(Utility, AlignUpAndDownRoundToTheAlignment) {
    EXPECT_EQ(base::align_up(u64(0), 4096), 0u);
    EXPECT_EQ(base::align_up(u64(1), 4096), 4096u);
    EXPECT_EQ(base::align_up(u64(4096), 4096), 4096u);
    EXPECT_EQ(base::align_up(u64(4097), 4096u), 8192u);
    EXPECT_EQ(base::align_down(u64(8191), 4096), 4096u);
    EXPECT_EQ(base::align_down(u64(4096), 4096), 4096u);
    EXPECT_EQ(base::align_down(~u64(0), u64(1) << 21), ~u64(0) << 21);
    // The result keeps the type of the value, whatever the alignment's type.
    static_assert(base::is_same_v<decltype(base::align_up(u8(3), 4)), u8>);
    static_assert(base::align_up<u64>(5, 8) == 8);
    EXPECT_TRUE(base::is_aligned(u64(0x200000), 0x1000));
    EXPECT_FALSE(base::is_aligned(u64(0x200008), 0x1000));
    EXPECT_TRUE(base::is_aligned(usize(7), 1));
}

TEST(Utility, CheckedAlignUpRefusesToWrapPastTheTop) {
    u64 out = 0;
    EXPECT_TRUE(base::checked_align_up(~u64(0) - 4095 - 4095, 4096, &out));
    EXPECT_EQ(out, ~u64(0) - 4095);
    EXPECT_FALSE(base::checked_align_up(~u64(0) - 4094, 4096, &out));
    EXPECT_EQ(base::align_up(~u64(0) - 4094, 4096), 0u);  // the unchecked one wraps, as documented
}

TEST(Utility, PowersOfTwoAreRecognisedAndZeroIsNotOne) {
    EXPECT_FALSE(base::is_power_of_two(0u));
    EXPECT_TRUE(base::is_power_of_two(1u));
    EXPECT_TRUE(base::is_power_of_two(u64(1) << 63));
    EXPECT_FALSE(base::is_power_of_two(u64(3) << 62));
    EXPECT_FALSE(base::is_power_of_two(12));
}

TEST(Utility, ArraySizeCountsElementsAtCompileTime) {
    const int values[7] = {};
    static_assert(base::array_size(values) == 7);
    const char text[] = "abc";
    EXPECT_EQ(base::array_size(text), 4u);
}

TEST(Utility, CheckedAddAcceptsTheLimitAndRefusesOnePast) {
    u64 sum = 0;
    EXPECT_TRUE(base::checked_add(~u64(0) - 1, u64(1), &sum));
    EXPECT_EQ(sum, ~u64(0));
    EXPECT_FALSE(base::checked_add(~u64(0), u64(1), &sum));
    int32_t small = 0;
    EXPECT_TRUE(base::checked_add(INT32_MAX, 0, &small));
    EXPECT_FALSE(base::checked_add(INT32_MAX, 1, &small));
    EXPECT_FALSE(base::checked_add(INT32_MIN, -1, &small));
    // Mixed types: the exact sum must fit the destination.
    u32 narrow = 0;
    EXPECT_FALSE(base::checked_add(u64(1) << 32, 0, &narrow));
    EXPECT_TRUE(base::checked_add(u64(5), -3, &narrow));
    EXPECT_EQ(narrow, 2u);
    EXPECT_FALSE(base::checked_add(u64(2), -3, &narrow));  // negative does not fit unsigned
}

TEST(Utility, CheckedSubAndMulDetectOverflow) {
    u64 out = 0;
    EXPECT_FALSE(base::checked_sub(u64(0), u64(1), &out));
    EXPECT_TRUE(base::checked_sub(u64(5), u64(5), &out));
    EXPECT_EQ(out, 0u);
    EXPECT_TRUE(base::checked_mul(u64(1) << 31, u64(1) << 32, &out));
    EXPECT_EQ(out, u64(1) << 63);
    EXPECT_FALSE(base::checked_mul(u64(1) << 32, u64(1) << 32, &out));
    int64_t signed_out = 0;
    EXPECT_FALSE(base::checked_mul(INT64_MIN, int64_t(-1), &signed_out));
    EXPECT_TRUE(base::checked_mul(INT64_MIN, int64_t(1), &signed_out));
    static_assert([] {
        usize bytes = 0;
        return !base::checked_mul(~usize(0) / 2 + 1, usize(2), &bytes);
    }());
}

TEST(Utility, PlacementNewConstructsInGivenStorage) {
    alignas(std::string) unsigned char storage[sizeof(std::string)];
    auto* text = new (storage) std::string("placed");
    EXPECT_EQ(static_cast<void*>(text), static_cast<void*>(storage));
    EXPECT_EQ(*text, "placed");
    text->~basic_string();
}

}  // namespace
