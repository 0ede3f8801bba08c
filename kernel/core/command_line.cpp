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

base::Optional<base::u64> CommandLine::number_of(base::StringView key) const {
    const base::Optional<base::StringView> text = value_of(key);
    if (!text.has_value() || text->empty()) return base::none;
    base::u64 number = 0;
    // Bound: the value's length.
    for (const char digit : *text) {
        if (digit < '0' || digit > '9') return base::none;
        const base::u64 value = static_cast<base::u64>(digit - '0');
        if (number > (~base::u64(0) - value) / 10) return base::none;
        number = number * 10 + value;
    }
    return number;
}

}  // namespace kernel
