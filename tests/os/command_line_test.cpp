// In-OS tests of the command line words the boot modes depend on.
#include "kernel/core/command_line.h"
#include "kernel/test/test.h"

using kernel::CommandLine;

KERNEL_TEST(command_line_words_and_values_are_found_exactly) {
    const CommandLine line(base::StringView("quiet test=timer  panic-test"));
    EXPECT(line.has_word("quiet"));
    EXPECT(line.has_word("panic-test"));
    EXPECT(!line.has_word("test"));  // only "test=timer" is present
    EXPECT(!line.has_word("pan"));
    const auto value = line.value_of("test");
    ASSERT(value.has_value());
    EXPECT(*value == base::StringView("timer"));
    EXPECT(!line.value_of("quiet").has_value());
}
