// Runs the runtime's in-OS tests. The command line (StartInfo::arguments) holds settings for the
// stress tests, words of the form key=value ("seed=N", "rounds=N", see stress.h), and at most
// one other word, which filters the tests by name. "hang=1" hangs on purpose instead (the test
// of qemu.py's hang dump, stress_hang.cpp).
#include "user/runtime-tests/stress.h"
#include "user/runtime/arguments.h"
#include "user/runtime/runtime.h"
#include "user/runtime/test.h"

namespace {

// The first word of `text` that is not a key=value setting (empty: none).
base::StringView filter_word(base::StringView text) {
    // Bound: the text's length; each pass consumes one word.
    while (!text.empty()) {
        const base::usize space = text.find(' ');
        const base::StringView word = text.substr(0, space);
        if (!word.empty() && !word.contains('=')) return word;
        if (space == base::StringView::npos) break;
        text = text.substr(space + 1);
    }
    return {};
}

}  // namespace

int main(const vectra::StartInfo& start) {
    const base::StringView arguments(start.arguments, start.arguments_length);
    stress::settings.run = arguments.contains(base::StringView("seed="));
    stress::settings.seed = vectra::arguments::number(arguments, base::StringView("seed="), 1);
    stress::settings.rounds = vectra::arguments::number(arguments, base::StringView("rounds="), 1);
    if (vectra::arguments::number(arguments, base::StringView("hang="), 0) != 0) stress::hang_every_cpu();
    return vectra::test::run_all(filter_word(arguments));
}
