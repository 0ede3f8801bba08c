// Userland tests: each USER_TEST registers a case in the .user_tests section of the program;
// run_all() runs them (or those whose name contains `filter`), prints one line per case and
// then "N passed, N failed" on the console — the same lines the in-OS kernel tests print, so
// host/qemu/qemu.py reads both alike. A test program's main is usually just
//     int main(const vectra::StartInfo& start) { return vectra::test::run_all(start.arguments); }
#pragma once

#include "base/string_view.h"
#include "base/types.h"

namespace vectra::test {

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

// Runs the registered cases whose name contains `filter` (empty: all). Returns the exit
// status for main: 0 when at least one case ran and none failed, 1 otherwise.
int run_all(base::StringView filter = {});

}  // namespace vectra::test

#define USER_TEST(name)                                                                   \
    static void user_test_##name(::vectra::test::Context&);                               \
    [[gnu::used, gnu::section(".user_tests")]] static const ::vectra::test::TestCase      \
        user_test_case_##name = {#name, user_test_##name};                                \
    static void user_test_##name([[maybe_unused]] ::vectra::test::Context& test_context)

#define EXPECT(condition)                                                    \
    do {                                                                     \
        if (!(condition)) test_context.fail(__FILE__, __LINE__, #condition); \
    } while (0)

#define EXPECT_EQ(left, right)                                                                 \
    do {                                                                                       \
        auto&& expect_left_ = (left);                                                          \
        auto&& expect_right_ = (right);                                                        \
        if (!(expect_left_ == expect_right_))                                                  \
            test_context.fail_values(__FILE__, __LINE__, #left " == " #right,                  \
                                     (base::u64)(expect_left_), (base::u64)(expect_right_));   \
    } while (0)

// Like EXPECT, but ends the test case at the first failure.
#define ASSERT(condition)                                         \
    do {                                                          \
        if (!(condition)) {                                       \
            test_context.fail(__FILE__, __LINE__, #condition);    \
            return;                                               \
        }                                                         \
    } while (0)
