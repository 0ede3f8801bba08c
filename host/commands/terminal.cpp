#include "commands/terminal.h"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "identity/bip39.h"

namespace commands {
namespace {

// The terminal settings to restore, for the signal handler (which may only touch plain data).
termios saved_terminal{};
int saved_fd = -1;
constexpr int kRestoringSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP};
struct sigaction previous_actions[sizeof kRestoringSignals / sizeof kRestoringSignals[0]];

void restore_terminal() {
    if (saved_fd >= 0) tcsetattr(saved_fd, TCSANOW, &saved_terminal);
}

// Puts echo back, then lets the signal do what it would have done (async-signal-safe calls only).
void on_signal(int signal) {
    restore_terminal();
    struct sigaction action {};
    action.sa_handler = SIG_DFL;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, nullptr);
    raise(signal);
}

class EchoOff {
public:
    explicit EchoOff(int fd) {
        if (fd < 0 || tcgetattr(fd, &saved_terminal) != 0) return;
        saved_fd = fd;
        for (size_t i = 0; i < std::size(kRestoringSignals); ++i) {
            struct sigaction action {};
            action.sa_handler = on_signal;
            sigemptyset(&action.sa_mask);
            sigaction(kRestoringSignals[i], &action, &previous_actions[i]);
        }
        termios quiet = saved_terminal;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);  // the words are the identity: no echo
        tcsetattr(fd, TCSANOW, &quiet);
    }
    ~EchoOff() {
        if (saved_fd < 0) return;
        restore_terminal();
        for (size_t i = 0; i < std::size(kRestoringSignals); ++i) sigaction(kRestoringSignals[i], &previous_actions[i], nullptr);
        saved_fd = -1;
    }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
};

}  // namespace

bool stdout_is_terminal() { return isatty(STDOUT_FILENO) == 1; }
bool stdin_is_terminal() { return isatty(STDIN_FILENO) == 1; }

files::Expected<> read_secret_words(int fd, const char* prompt, SecretText& text) {
    const bool terminal = isatty(fd) == 1;
    {
        // Echo goes off before the prompt shows: nothing typed after it can be echoed.
        EchoOff quiet(terminal ? fd : -1);
        if (terminal) std::fprintf(stderr, "%s", prompt);
        // One byte at a time up to each newline: nothing past the words is consumed, and the
        // bytes land only in the secret buffer. Bound: the buffer's size.
        char* const out = reinterpret_cast<char*>(text.buffer.data());
        text.size = 0;
        for (;;) {
            if (text.size == text.buffer.size()) return files::failure("more than " + std::to_string(kMaxWordsInput) + " bytes of words");
            const ssize_t n = read(fd, out + text.size, 1);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) return files::failure(std::string("cannot read the words: ") + std::strerror(errno));
            if (n == 0) break;
            if (out[text.size++] == '\n' && identity::bip39::count_words(text.view()) >= identity::bip39::kWordCount) break;
        }
    }
    if (terminal) std::fprintf(stderr, "\n");
    return {};
}

bool confirm(const char* question) {
    if (!stdin_is_terminal()) return false;
    std::fprintf(stderr, "%s [y/N] ", question);
    char answer[16] = {};
    size_t length = 0;
    for (char c; length < sizeof answer - 1 && read(STDIN_FILENO, &c, 1) == 1 && c != '\n';) answer[length++] = c;
    return answer[0] == 'y' || answer[0] == 'Y';
}

}  // namespace commands
