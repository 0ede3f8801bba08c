#include "commands/terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <sstream>

#include "identity/crypto.h"

namespace commands {

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }

void wipe_string(std::string& text) {
    if (!text.empty()) identity::secure_wipe(text.data(), text.size());
    text.clear();
    text.shrink_to_fit();
}

std::string read_words(const char* prompt) {
    const bool terminal = isatty(STDIN_FILENO) == 1;
    termios saved{};
    if (terminal) {
        std::fprintf(stderr, "%s", prompt);
        tcgetattr(STDIN_FILENO, &saved);
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // the words are the identity: no echo
        tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    }
    std::string words;
    std::string line;
    size_t count = 0;
    while (count < 24 && std::getline(std::cin, line)) {
        std::istringstream split(line);
        std::string word;
        while (split >> word) {
            words += word + ' ';
            ++count;
            wipe_string(word);
        }
        wipe_string(line);
    }
    if (terminal) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved);
        std::fprintf(stderr, "\n");
    }
    return words;
}

}  // namespace commands
