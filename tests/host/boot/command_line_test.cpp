// The kernel command line: flags, key=value pairs, and numbers, with what is not one refused.
#include <gtest/gtest.h>

#include "kernel/core/command_line.h"

namespace {

using kernel::CommandLine;

TEST(CommandLine, FindsFlagsAndValuesAsWholeWords) {
    const CommandLine line("  test=timer run=init  quiet -- a b");
    EXPECT_TRUE(line.has_word("quiet"));
    EXPECT_FALSE(line.has_word("test"));  // only as test=...
    EXPECT_FALSE(line.has_word("qui"));
    ASSERT_TRUE(line.value_of("test").has_value());
    EXPECT_TRUE(*line.value_of("test") == base::StringView("timer"));
    EXPECT_TRUE(*line.value_of("run") == base::StringView("init"));
    EXPECT_FALSE(line.value_of("ru").has_value());
    EXPECT_FALSE(line.value_of("quiet").has_value());
}

TEST(CommandLine, ReadsDecimalNumbersAndRefusesEverythingElse) {
    EXPECT_EQ(CommandLine("smp-hold-back=2").number_of("smp-hold-back").value_or(99), 2u);
    EXPECT_EQ(CommandLine("x=0").number_of("x").value_or(99), 0u);
    EXPECT_EQ(CommandLine("x=18446744073709551615").number_of("x").value_or(0), ~base::u64(0));
    EXPECT_FALSE(CommandLine("x=18446744073709551616").number_of("x").has_value());  // one past
    EXPECT_FALSE(CommandLine("x=99999999999999999999999").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("x=").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("x=-1").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("x=2a").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("x=0x10").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("x").number_of("x").has_value());
    EXPECT_FALSE(CommandLine("y=3").number_of("x").has_value());
}

}  // namespace
