// Formatted printing (lib/base/format.h through the runtime) and the console client.
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/test.h"

USER_TEST(format_writes_numbers_and_text_as_specified) {
    char buffer[64];
    base::format_to(buffer, sizeof buffer, "{} {:#x} {:>5} {}", -42, 255u, "ab", vectra::Status::PeerClosed);
    EXPECT(base::StringView(buffer) == base::StringView("-42 0xff    ab PeerClosed"));
}

USER_TEST(the_console_accepts_a_long_line_and_a_flush) {
    if (vectra::console::attached() == vectra::abi::kNoHandle) return;  // started without a console
    char line[600];
    for (int i = 0; i < 599; ++i) line[i] = char('a' + i % 26);
    line[599] = '\0';
    EXPECT(vectra::console::write(base::StringView(line, 599)).is_ok());  // three Write messages
    EXPECT(vectra::console::write("\n").is_ok());
    EXPECT(vectra::console::flush(5'000'000'000).is_ok());
}
