// The host libraries' one error idiom: a fallible function returns std::expected<T, E>, is
// declared [[nodiscard]] (libstdc++'s std::expected is not, and an alias template cannot add
// it), and callers propagate with VECTRA_TRY, the host-side twin of lib/base's TRY:
//     auto bytes = VECTRA_TRY(files::read_file(path, limit));   // returns the error if any
// E is a std::string saying what failed and where, unless a caller needs to branch on a kind.
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace files {

template <class T = void>
using Expected = std::expected<T, std::string>;

inline std::unexpected<std::string> failure(std::string message) { return std::unexpected(std::move(message)); }

}  // namespace files

// Evaluates a std::expected; on error returns that error from the enclosing function (which
// must return a std::expected with the same error type), else yields the value.
#define VECTRA_TRY(expression)                                                          \
    ({                                                                                  \
        auto&& vectra_try_result_ = (expression);                                       \
        if (!vectra_try_result_) return std::unexpected(std::move(vectra_try_result_).error()); \
        std::move(vectra_try_result_).value();                                          \
    })
