// Host tests of base::print and format_to: placeholders and escapes, every spec, the extremes of
// every integer type, pointers, enums, errors, user types, and truncation into small buffers.
#include <gtest/gtest.h>

#include <climits>
#include <cstdint>
#include <string>

#include "base/format.h"

namespace {

template <class... Args>
std::string format(const char* text, const Args&... args) {
    char buffer[512];
    const base::usize length = base::format_to(buffer, sizeof buffer, text, args...);
    EXPECT_EQ(length, std::string(buffer).size());
    return buffer;
}

// Collects everything written, however long, and counts the writes.
class StringSink final : public base::Sink {
public:
    void write(const char* data, base::usize length) override {
        text.append(data, length);
        ++writes;
    }
    std::string text;
    int writes = 0;
};

TEST(Format, PlaceholdersTakeTheArgumentsInOrder) {
    EXPECT_EQ(format("{} and {}", 1, "two"), "1 and two");
    EXPECT_EQ(format("no placeholders"), "no placeholders");
    EXPECT_EQ(format(""), "");
    EXPECT_EQ(format("{}{}{}", 'a', 'b', 'c'), "abc");
}

TEST(Format, DoubledBracesPrintOneBrace) {
    EXPECT_EQ(format("{{}} {}", 5), "{} 5");
    EXPECT_EQ(format("{{{}}}", 5), "{5}");
    EXPECT_EQ(format("}}"), "}");
    EXPECT_EQ(format("a } b"), "a } b");  // a lone closing brace is just text
}

TEST(Format, MistakesShowAMarkerInsteadOfCrashing) {
    EXPECT_EQ(format("{} {}", 1), "1 {?}");
    EXPECT_EQ(format("{}"), "{?}");
    EXPECT_EQ(format("{:q}", 1), "{?}");
    EXPECT_EQ(format("{:q} {}", 1, 2), "{?} 2");  // a bad spec still uses up its argument
    EXPECT_EQ(format("{:xx}", 1), "{?}");
    EXPECT_EQ(format("{x}", 1), "{?}");
    EXPECT_EQ(format("{:5000}", 1), "{?}");  // an absurd width
    EXPECT_EQ(format("open {", 1), "open {");
    EXPECT_EQ(format("open {:x", 1), "open {:x");
    EXPECT_EQ(format("{}", 1, 2, 3), "1");  // extra arguments are ignored
}

TEST(Format, HexBinaryAndOctal) {
    EXPECT_EQ(format("{:x}", 255), "ff");
    EXPECT_EQ(format("{:X}", 255), "FF");
    EXPECT_EQ(format("{:#x}", 255), "0xff");
    EXPECT_EQ(format("{:#X}", 255), "0XFF");
    EXPECT_EQ(format("{:b}", 5), "101");
    EXPECT_EQ(format("{:#b}", 5), "0b101");
    EXPECT_EQ(format("{:o}", 8), "10");
    EXPECT_EQ(format("{:#o}", 8), "0o10");
    EXPECT_EQ(format("{:d}", 42), "42");
    EXPECT_EQ(format("{:x}", 0), "0");
    EXPECT_EQ(format("{:#x}", 0), "0x0");
    EXPECT_EQ(format("{:x}", -255), "-ff");
}

TEST(Format, WidthsAlignAndFill) {
    EXPECT_EQ(format("{:>6}", 42), "    42");
    EXPECT_EQ(format("{:6}", 42), "    42");  // numbers go right by default
    EXPECT_EQ(format("{:<6}|", 42), "42    |");
    EXPECT_EQ(format("{:^6}", 42), "  42  ");
    EXPECT_EQ(format("{:*^7}", "ab"), "**ab***");
    EXPECT_EQ(format("{:6}|", "ab"), "ab    |");  // text goes left by default
    EXPECT_EQ(format("{:>5}", "ab"), "   ab");
    EXPECT_EQ(format("{:.>5}", 7), "....7");
    EXPECT_EQ(format("{:2}", 12345), "12345");  // a width never cuts
    EXPECT_EQ(format("{:>3}", true), "true");
    EXPECT_EQ(format("{:>6}", false), " false");
    EXPECT_EQ(format("{:>3}", 'x'), "  x");
}

TEST(Format, ZeroPaddingGoesAfterTheSignAndPrefix) {
    EXPECT_EQ(format("{:016x}", 0xabcu), "0000000000000abc");
    EXPECT_EQ(format("{:#018x}", 0xabcu), "0x0000000000000abc");
    EXPECT_EQ(format("{:05}", -42), "-0042");
    EXPECT_EQ(format("{:#06x}", -255), "-0x0ff");
    EXPECT_EQ(format("{:03}", 12345), "12345");
    EXPECT_EQ(format("{:<05}|", 42), "42   |");  // an explicit alignment wins over zeros
    // Wider than any number's digits: the zeros are not limited by an internal buffer.
    EXPECT_EQ(format("{:0100}", 7), std::string(99, '0') + "7");
    EXPECT_EQ(format("{:#0100b}", 1), "0b" + std::string(97, '0') + "1");
}

TEST(Format, PlusShowsTheSignOfNonNegativeNumbers) {
    EXPECT_EQ(format("{:+}", 5), "+5");
    EXPECT_EQ(format("{:+}", 0), "+0");
    EXPECT_EQ(format("{:+}", -5), "-5");
    EXPECT_EQ(format("{:+05}", 5), "+0005");
}

TEST(Format, ExtremesOfEveryIntegerType) {
    EXPECT_EQ(format("{}", int8_t(INT8_MIN)), "-128");
    EXPECT_EQ(format("{}", int8_t(INT8_MAX)), "127");
    EXPECT_EQ(format("{}", uint8_t(UINT8_MAX)), "255");
    EXPECT_EQ(format("{}", int16_t(INT16_MIN)), "-32768");
    EXPECT_EQ(format("{}", int16_t(INT16_MAX)), "32767");
    EXPECT_EQ(format("{}", uint16_t(UINT16_MAX)), "65535");
    EXPECT_EQ(format("{}", int32_t(INT32_MIN)), "-2147483648");
    EXPECT_EQ(format("{}", int32_t(INT32_MAX)), "2147483647");
    EXPECT_EQ(format("{}", uint32_t(UINT32_MAX)), "4294967295");
    EXPECT_EQ(format("{}", int64_t(INT64_MIN)), "-9223372036854775808");
    EXPECT_EQ(format("{}", int64_t(INT64_MAX)), "9223372036854775807");
    EXPECT_EQ(format("{}", uint64_t(UINT64_MAX)), "18446744073709551615");
    EXPECT_EQ(format("{}", LONG_MIN), std::to_string(LONG_MIN));
    EXPECT_EQ(format("{}", ULONG_MAX), std::to_string(ULONG_MAX));
    EXPECT_EQ(format("{}", LLONG_MIN), std::to_string(LLONG_MIN));
    EXPECT_EQ(format("{}", ULLONG_MAX), std::to_string(ULLONG_MAX));
    EXPECT_EQ(format("{}", SHRT_MIN), std::to_string(SHRT_MIN));
    EXPECT_EQ(format("{}", static_cast<signed char>(-1)), "-1");  // a number, not a character
    EXPECT_EQ(format("{}", static_cast<unsigned char>(65)), "65");
    EXPECT_EQ(format("{:x}", UINT64_MAX), "ffffffffffffffff");
    EXPECT_EQ(format("{:x}", INT64_MIN), "-8000000000000000");
    EXPECT_EQ(format("{:b}", UINT64_MAX), std::string(64, '1'));
    EXPECT_EQ(format("{:#b}", UINT64_MAX), "0b" + std::string(64, '1'));
    EXPECT_EQ(format("{:b}", INT64_MIN), "-1" + std::string(63, '0'));
    EXPECT_EQ(format("{:o}", UINT64_MAX), "1777777777777777777777");
    EXPECT_EQ(format("{:+}", UINT64_MAX), "+18446744073709551615");
}

TEST(Format, CharactersAndTheirCodes) {
    EXPECT_EQ(format("{}", 'c'), "c");
    EXPECT_EQ(format("{:c}", 65), "A");
    EXPECT_EQ(format("{:d}", 'A'), "65");
    EXPECT_EQ(format("{:#x}", '\n'), "0xa");
}

TEST(Format, TextPointersAndViews) {
    EXPECT_EQ(format("{}", base::StringView("view", 2)), "vi");
    EXPECT_EQ(format("{}", static_cast<const char*>(nullptr)), "(null)");
    char mutable_text[] = "mutable";
    EXPECT_EQ(format("{}", static_cast<char*>(mutable_text)), "mutable");
    EXPECT_EQ(format("{}", reinterpret_cast<void*>(0x1000)), "0x1000");
    EXPECT_EQ(format("{}", reinterpret_cast<const int*>(0xdeadbeef)), "0xdeadbeef");
    EXPECT_EQ(format("{:X}", reinterpret_cast<void*>(0xabc)), "0XABC");
    EXPECT_EQ(format("{:018}", reinterpret_cast<void*>(0x1000)), "0x0000000000001000");
    EXPECT_EQ(format("{}", nullptr), "0x0");
    EXPECT_EQ(format("{}", static_cast<void*>(nullptr)), "0x0");
}

enum class Colour : int8_t { Red = -1, Green = 2 };
enum Plain : unsigned { PlainValue = 4000000000u };

TEST(Format, EnumsPrintTheirNumbers) {
    EXPECT_EQ(format("{}", Colour::Red), "-1");
    EXPECT_EQ(format("{:03}", Colour::Green), "002");
    EXPECT_EQ(format("{}", PlainValue), "4000000000");
}

TEST(Format, ErrorsPrintTheirMessageAndCode) {
    const base::Error error = base::make_error(base::ErrorCode::Malformed, "fdt: header too short");
    EXPECT_EQ(format("{}", error), "fdt: header too short (malformed)");
    EXPECT_EQ(format("{}", base::ErrorCode::OutOfMemory), "out of memory");
    EXPECT_EQ(format("[{:>10}]", base::ErrorCode::Busy), "[      busy]");
    EXPECT_EQ(format("{}", base::make_error(base::ErrorCode::Busy, "")), "(no message) (busy)");
}

}  // namespace

// A user type in its own namespace joins in with a format_value beside it.
namespace geometry {
struct Point {
    int x, y;
};
void format_value(base::Sink& sink, const base::FormatSpec& spec, const Point& point) {
    char text[64];
    base::format_to(text, sizeof text, "({}, {})", point.x, point.y);
    base::format_text(sink, spec, text);
}
}  // namespace geometry

namespace {

TEST(Format, UserTypesJoinInThroughFormatValue) {
    EXPECT_EQ(format("at {}", geometry::Point{3, -4}), "at (3, -4)");
    EXPECT_EQ(format("{:>10}", geometry::Point{1, 2}), "    (1, 2)");
}

TEST(Format, BufferSinkTruncatesAndStaysTerminated) {
    char buffer[8];
    base::BufferSink sink(buffer, sizeof buffer);
    base::print(sink, "{}", "0123456789");
    EXPECT_TRUE(sink.truncated());
    EXPECT_EQ(std::string(buffer), "0123456");
    EXPECT_EQ(sink.length(), 7u);
    EXPECT_TRUE(sink.view() == "0123456");
    base::print(sink, "more");  // further writes change nothing
    EXPECT_EQ(std::string(buffer), "0123456");
}

TEST(Format, BufferSinkFillsExactlyWithoutTruncating) {
    char buffer[4] = {'x', 'x', 'x', 'x'};
    base::BufferSink sink(buffer, sizeof buffer);
    base::print(sink, "a{}", "bc");
    EXPECT_FALSE(sink.truncated());
    EXPECT_EQ(std::string(buffer), "abc");
    base::print(sink, "d");
    EXPECT_TRUE(sink.truncated());
    EXPECT_EQ(std::string(buffer), "abc");
}

TEST(Format, FormatToReturnsTheLengthWritten) {
    char buffer[5];
    EXPECT_EQ(base::format_to(buffer, sizeof buffer, "{}", 12345678), 4u);
    EXPECT_EQ(std::string(buffer), "1234");
    EXPECT_EQ(base::format_to(buffer, sizeof buffer, "{:x}", 255), 2u);
    EXPECT_EQ(std::string(buffer), "ff");
    char one[1] = {'x'};
    EXPECT_EQ(base::format_to(one, sizeof one, "abc"), 0u);
    EXPECT_EQ(one[0], '\0');  // room only for the terminator
    char untouched = 'x';
    EXPECT_EQ(base::format_to(&untouched, 0, "abc"), 0u);
    EXPECT_EQ(untouched, 'x');  // no room at all: nothing written
}

TEST(Format, ZeroCapacitySinkRemembersTheLoss) {
    base::BufferSink empty(nullptr, 0);
    base::print(empty, "");
    EXPECT_FALSE(empty.truncated());
    base::print(empty, "x");
    EXPECT_TRUE(empty.truncated());
}

TEST(Format, LongPaddingIsWrittenInFull) {
    StringSink sink;
    base::print(sink, "{:4096}|", 1);
    EXPECT_EQ(sink.text.size(), 4097u);
    EXPECT_EQ(sink.text.substr(4094), " 1|");
    sink.text.clear();
    base::print(sink, "{:x<4096}", "");
    EXPECT_EQ(sink.text, std::string(4096, 'x'));
}

}  // namespace
