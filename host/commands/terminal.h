// Reading the 24 words for a ceremony: from the terminal without echo, or from stdin when it
// is not a terminal (scripts, tests). The words go straight into a SecretBuffer-backed string
// that is wiped after use.
#pragma once

#include <string>

namespace commands {

// Reads whitespace-separated words until 24 have been read or input ends.
std::string read_words(const char* prompt);
// Overwrites and clears a string that held secret words.
void wipe_string(std::string& text);
bool stdout_is_terminal();

}  // namespace commands
