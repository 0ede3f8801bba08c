// Runs the in-OS test cases registered in the .kernel_tests section (see test.h) and reports
// one line per case, then the summary line the host runner looks for.
#include "kernel/test/test.h"

#include "arch/arch.h"
#include "base/string_view.h"
#include "kernel/core/log.h"

extern "C" const kernel::test::TestCase __kernel_tests_start[];
extern "C" const kernel::test::TestCase __kernel_tests_end[];

namespace kernel::test {

void Context::fail(const char* file, int line, const char* expression) {
    ++failures;
    log("[test]     {}:{}: expected {}", file, line, expression);
}

void Context::fail_values(const char* file, int line, const char* expression, base::u64 left, base::u64 right) {
    ++failures;
    log("[test]     {}:{}: expected {} (left {:#x}, right {:#x})", file, line, expression, left, right);
}

[[noreturn]] void run_all_and_exit(const char* filter, base::usize filter_length) {
    const base::StringView wanted(filter, filter_length);
    const auto count = static_cast<base::usize>(__kernel_tests_end - __kernel_tests_start);
    log("[test] {} test cases in this kernel", count);
    base::u32 passed = 0, failed = 0;
    for (const TestCase* test = __kernel_tests_start; test < __kernel_tests_end; ++test) {
        const base::StringView name(test->name);
        if (!wanted.empty() && !name.contains(wanted)) continue;
        Context context{test->name};
        const base::u64 start = arch::monotonic_ns();
        test->run(context);
        const base::u64 elapsed_us = (arch::monotonic_ns() - start) / 1000;
        if (context.failures == 0) {
            ++passed;
            log("[test] PASS {} ({} us)", test->name, elapsed_us);
        } else {
            ++failed;
            log("[test] FAIL {} ({} failed checks)", test->name, context.failures);
        }
    }
    log("{} passed, {} failed", passed, failed);
    arch::exit_emulator(failed == 0 && passed > 0 ? arch::ExitCode::Passed : arch::ExitCode::Failed);
}

}  // namespace kernel::test
