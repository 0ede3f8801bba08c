// Splitting the command line into words; bounded by the line's length.
#include "kernel/core/command_line.h"

namespace kernel {

template <class Visit>
void CommandLine::for_each_word(Visit visit) const {
    base::usize position = 0;
    while (position < text_.size()) {
        while (position < text_.size() && text_[position] == ' ') ++position;
        const base::usize start = position;
        while (position < text_.size() && text_[position] != ' ') ++position;
        if (position > start && !visit(text_.substr(start, position - start))) return;
    }
}

bool CommandLine::has_word(base::StringView word) const {
    bool found = false;
    for_each_word([&](base::StringView candidate) {
        found = candidate == word;
        return !found;
    });
    return found;
}

base::Optional<base::StringView> CommandLine::value_of(base::StringView key) const {
    base::Optional<base::StringView> value;
    for_each_word([&](base::StringView candidate) {
        if (candidate.size() > key.size() && candidate.starts_with(key) && candidate[key.size()] == '=') {
            value = candidate.substr(key.size() + 1, candidate.size() - key.size() - 1);
            return false;
        }
        return true;
    });
    return value;
}

}  // namespace kernel
