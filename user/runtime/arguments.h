// Reading a program's command line (StartInfo::arguments): words of the form key=value.
#pragma once

#include "base/string_view.h"
#include "base/types.h"

namespace vectra::arguments {

// The decimal number after `key` (e.g. "calls=") where it starts a word, else `fallback`.
constexpr base::u64 number(base::StringView text, base::StringView key, base::u64 fallback) {
    for (base::usize i = 0; i + key.size() <= text.size(); ++i) {
        if ((i != 0 && text[i - 1] != ' ') || !(text.substr(i, key.size()) == key)) continue;
        base::u64 value = 0;
        bool any = false;
        // Bound: the text's length; digits past 19 would overflow, so stop there.
        for (base::usize j = i + key.size(); j < text.size() && j < i + key.size() + 19 && text[j] >= '0' && text[j] <= '9'; ++j) {
            value = value * 10 + base::u64(text[j] - '0');
            any = true;
        }
        return any ? value : fallback;
    }
    return fallback;
}

}  // namespace vectra::arguments
