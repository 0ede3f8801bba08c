// Reading the 24 words for a ceremony: from the terminal without echo, or from stdin when it
// is not a terminal (scripts, tests). The bytes go from read(2) straight into one fixed
// SecretBuffer — no stdio or iostream buffer, no growing string — and are parsed there as
// views (identity/bip39.h), so the only copy is wiped when the SecretBuffer is freed.
#pragma once

#include <string_view>

#include "files/expected.h"
#include "identity/crypto.h"

namespace commands {

inline constexpr size_t kMaxWordsInput = 4096;  // room for a pasted numbered table

struct SecretText {
    identity::SecretBuffer buffer{kMaxWordsInput};
    size_t size = 0;
    std::string_view view() const { return {reinterpret_cast<const char*>(buffer.data()), size}; }
};

// Reads lines from `fd` until they hold 24 words or input ends. On a terminal, echo is off
// while reading and comes back however the read ends, Ctrl-C and kill included.
[[nodiscard]] files::Expected<> read_secret_words(int fd, const char* prompt, SecretText& text);

// Asks a yes/no question on the terminal; false if stdin is not a terminal.
bool confirm(const char* question);

bool stdout_is_terminal();
bool stdin_is_terminal();

}  // namespace commands
