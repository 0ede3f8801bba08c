// Host tests of base/error.h: every code has its own readable name, and errors carry their message.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "base/error.h"

namespace {

using base::ErrorCode;

TEST(Error, EveryCodeHasItsOwnName) {
    std::set<std::string> names;
    const int count = static_cast<int>(ErrorCode::Interrupted) + 1;  // Interrupted is the last code
    for (int i = 0; i < count; ++i) {
        const std::string name = base::error_code_name(static_cast<ErrorCode>(i));
        EXPECT_NE(name, "unknown error") << "code " << i;
        EXPECT_FALSE(name.empty());
        names.insert(name);
    }
    EXPECT_EQ(names.size(), static_cast<size_t>(count));
    EXPECT_STREQ(base::error_code_name(ErrorCode::NotFound), "not found");
    EXPECT_STREQ(base::error_code_name(static_cast<ErrorCode>(count)), "unknown error");
}

TEST(Error, MakeErrorKeepsTheCodeAndTheMessage) {
    constexpr base::Error error = base::make_error(ErrorCode::Malformed, "fdt: string offset past end of strings block");
    static_assert(error.code == ErrorCode::Malformed);
    EXPECT_STREQ(error.message, "fdt: string offset past end of strings block");
    static_assert(sizeof(base::Error) <= 2 * sizeof(void*));
}

}  // namespace
