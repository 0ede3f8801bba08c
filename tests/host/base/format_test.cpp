// Host tests of base::print: placeholders, specs, every integer type's extremes, truncation.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

#include "base/format.h"

namespace {

template <class... Args>
std::string format(const char* text, const Args&... args) {
    char buffer[256];
    base::format_to(buffer, sizeof buffer, text, args...);
    return buffer;
}

TEST(Format, PlaceholdersTakeArgumentsInOrder) {
    EXPECT_EQ(format("{} and {}", 1, "two"), "1 and two");
    EXPECT_EQ(format("{{}} {}", 5), "{} 5");
    EXPECT_EQ(format("no placeholders"), "no placeholders");
}

TEST(Format, MissingArgumentsAndBadSpecsShowAMarker) {
    EXPECT_EQ(format("{} {}", 1), "1 {?}");
    EXPECT_EQ(format("{:q}", 1), "{?}");
    EXPECT_EQ(format("open {", 1), "open {");
}

TEST(Format, HexBinaryWidthsAndPadding) {
    EXPECT_EQ(format("{:x}", 255), "ff");
    EXPECT_EQ(format("{:X}", 255), "FF");
    EXPECT_EQ(format("{:#x}", 255), "0xff");
    EXPECT_EQ(format("{:016x}", 0xabcu), "0000000000000abc");
    EXPECT_EQ(format("{:#018x}", 0xabcu), "0x0000000000000abc");
    EXPECT_EQ(format("{:b}", 5), "101");
    EXPECT_EQ(format("{:>6}", 42), "    42");
    EXPECT_EQ(format("{:<6}|", 42), "42    |");
    EXPECT_EQ(format("{:*^7}", "ab"), "**ab***");
    EXPECT_EQ(format("{:>5}", "ab"), "   ab");
    EXPECT_EQ(format("{:05}", -42), "-0042");
}

TEST(Format, ExtremesOfEveryIntegerType) {
    EXPECT_EQ(format("{}", INT8_MIN), "-128");
    EXPECT_EQ(format("{}", int16_t(INT16_MIN)), "-32768");
    EXPECT_EQ(format("{}", INT32_MIN), "-2147483648");
    EXPECT_EQ(format("{}", INT64_MIN), "-9223372036854775808");
    EXPECT_EQ(format("{}", INT64_MAX), "9223372036854775807");
    EXPECT_EQ(format("{}", UINT64_MAX), "18446744073709551615");
    EXPECT_EQ(format("{:x}", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(format("{}", uint8_t(255)), "255");
    EXPECT_EQ(format("{}", uint16_t(65535)), "65535");
    EXPECT_EQ(format("{:b}", UINT64_MAX), std::string(64, '1'));
}

TEST(Format, OtherTypes) {
    EXPECT_EQ(format("{}", true), "true");
    EXPECT_EQ(format("{}", 'c'), "c");
    EXPECT_EQ(format("{}", base::StringView("view", 2)), "vi");
    EXPECT_EQ(format("{}", static_cast<const char*>(nullptr)), "(null)");
    EXPECT_EQ(format("{}", reinterpret_cast<void*>(0x1000)), "0x1000");
}

TEST(Format, BufferSinkTruncatesAndStaysTerminated) {
    char buffer[8];
    base::BufferSink sink(buffer, sizeof buffer);
    base::print(sink, "{}", "0123456789");
    EXPECT_TRUE(sink.truncated());
    EXPECT_EQ(std::string(buffer), "0123456");
    EXPECT_EQ(sink.length(), 7u);
}

}  // namespace
