// The kernel command line: words separated by spaces, each either a flag ("test") or a
// key=value pair ("test=timer"). Read-only view over the BootInfo copy.
#pragma once

#include "base/optional.h"
#include "base/string_view.h"
#include "base/types.h"

namespace kernel {

class CommandLine {
public:
    explicit CommandLine(base::StringView text) : text_(text) {}

    // Is `word` present on its own (not as "word=...")?
    bool has_word(base::StringView word) const;
    // The value after "key=", if the key is present.
    base::Optional<base::StringView> value_of(base::StringView key) const;
    // The value after "key=" as a decimal number; nothing if the key is absent or its value is
    // not all digits or does not fit in 64 bits.
    base::Optional<base::u64> number_of(base::StringView key) const;

private:
    template <class Visit>
    void for_each_word(Visit visit) const;

    base::StringView text_;
};

}  // namespace kernel
