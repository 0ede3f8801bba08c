// Writing a boot bundle (the host tool, tests, and later anything that builds one on the
// machine): the layout is a function of the programs alone, so the same inputs always give
// the same bytes. No heap: the caller asks for the size, then provides the buffer.
#pragma once

#include "base/result.h"
#include "base/span.h"
#include "base/string_view.h"
#include "boot_bundle/format.h"

namespace boot_bundle {

struct Program {
    base::StringView name;
    base::Span<const u8> bytes;
};

// The size of the bundle holding `programs`, in this order; refuses what write() would refuse
// (too many programs, a bad or duplicate name, a size that does not fit in 64 bits).
base::Result<u64> bundle_size(base::Span<const Program> programs);

// Writes the bundle into `out` (which needs at least bundle_size() bytes) and returns the
// number of bytes written. Nothing is written unless every check passes.
base::Result<usize> write(base::Span<const Program> programs, base::Span<u8> out);

}  // namespace boot_bundle
