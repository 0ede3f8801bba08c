// The kernel command line: words separated by spaces, each either a flag ("test") or a
// key=value pair ("test=timer"). Read-only view over the BootInfo copy.
#pragma once

#include "base/optional.h"
#include "base/string_view.h"

namespace kernel {

class CommandLine {
public:
    explicit CommandLine(base::StringView text) : text_(text) {}

    // Is `word` present on its own (not as "word=...")?
    bool has_word(base::StringView word) const;
    // The value after "key=", if the key is present.
    base::Optional<base::StringView> value_of(base::StringView key) const;

private:
    template <class Visit>
    void for_each_word(Visit visit) const;

    base::StringView text_;
};

}  // namespace kernel
