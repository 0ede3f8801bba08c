// In-OS tests: each KERNEL_TEST registers a case in the .kernel_tests linker section; when the
// kernel boots with the word "test" on its command line it runs them all (or those whose name
// contains the text after "test="), prints one line per case and then "N passed, N failed",
// and ends QEMU with a status the host runner checks.
#pragma once

#include "base/types.h"

namespace kernel::test {

struct Context {
    const char* test_name;
    base::u32 failures = 0;
    void fail(const char* file, int line, const char* expression);
    void fail_values(const char* file, int line, const char* expression, base::u64 left, base::u64 right);
};

struct TestCase {
    const char* name;
    void (*run)(Context&);
};

// Runs every registered case whose name contains `filter` (empty: all). Never returns.
[[noreturn]] void run_all_and_exit(const char* filter, base::usize filter_length);

}  // namespace kernel::test

#define KERNEL_TEST(name)                                                                   \
    static void kernel_test_##name(::kernel::test::Context&);                               \
    [[gnu::used, gnu::section(".kernel_tests")]] static const ::kernel::test::TestCase      \
        kernel_test_case_##name = {#name, kernel_test_##name};                              \
    static void kernel_test_##name([[maybe_unused]] ::kernel::test::Context& test_context)

#define EXPECT(condition)                                                         \
    do {                                                                          \
        if (!(condition)) test_context.fail(__FILE__, __LINE__, #condition);      \
    } while (0)

#define EXPECT_EQ(left, right)                                                                  \
    do {                                                                                        \
        auto&& expect_left_ = (left);                                                           \
        auto&& expect_right_ = (right);                                                         \
        if (!(expect_left_ == expect_right_))                                                   \
            test_context.fail_values(__FILE__, __LINE__, #left " == " #right,                   \
                                     (base::u64)(expect_left_), (base::u64)(expect_right_));    \
    } while (0)

// Like EXPECT, but ends the test case at the first failure.
#define ASSERT(condition)                                                         \
    do {                                                                          \
        if (!(condition)) {                                                       \
            test_context.fail(__FILE__, __LINE__, #condition);                    \
            return;                                                               \
        }                                                                         \
    } while (0)
