// Runs the userland test cases registered in .user_tests (see test.h) and reports them on the
// console in the kernel test runner's form.
#include "user/runtime/test.h"

#include "user/runtime/console.h"
#include "user/runtime/syscalls.h"

extern "C" const vectra::test::TestCase __user_tests_start[];
extern "C" const vectra::test::TestCase __user_tests_end[];

namespace vectra::test {

void Context::fail(const char* file, int line, const char* expression) {
    ++failures;
    println("[test]     {}:{}: expected {}", file, line, expression);
}

void Context::fail_values(const char* file, int line, const char* expression, base::u64 left, base::u64 right) {
    ++failures;
    println("[test]     {}:{}: expected {} (left {:#x}, right {:#x})", file, line, expression, left, right);
}

int run_all(base::StringView filter) {
    const auto count = static_cast<base::usize>(__user_tests_end - __user_tests_start);
    println("[test] {} test cases in this program", count);
    base::u32 passed = 0, failed = 0;
    for (const TestCase* test = __user_tests_start; test < __user_tests_end; ++test) {
        if (!filter.empty() && !base::StringView(test->name).contains(filter)) continue;
        Context context{test->name};
        const base::u64 start = sys::clock_now();
        test->run(context);
        const base::u64 elapsed_us = (sys::clock_now() - start) / 1000;
        if (context.failures == 0) {
            ++passed;
            println("[test] PASS {} ({} us)", test->name, elapsed_us);
        } else {
            ++failed;
            println("[test] FAIL {} ({} failed checks)", test->name, context.failures);
        }
    }
    println("{} passed, {} failed", passed, failed);
    return failed == 0 && passed > 0 ? 0 : 1;
}

}  // namespace vectra::test
