// A bounded window onto physical memory for boot-information parsers: every read names a
// physical range and is refused unless it lies wholly inside the window. The kernel passes
// the direct map of low memory; fuzzers pass their input as memory at address 0.
#pragma once

#include "base/result.h"
#include "base/span.h"
#include "base/types.h"

namespace kernel {

class PhysicalMemoryView {
public:
    PhysicalMemoryView(base::u64 base, base::Span<const base::u8> bytes) : base_(base), bytes_(bytes) {}

    base::Result<base::Span<const base::u8>> read(base::u64 physical, base::usize length) const {
        if (physical < base_ || physical - base_ > bytes_.size() || length > bytes_.size() - (physical - base_))
            return base::make_error(base::ErrorCode::OutOfRange, "boot information points outside readable memory");
        return bytes_.subspan(static_cast<base::usize>(physical - base_), length);
    }

private:
    base::u64 base_;
    base::Span<const base::u8> bytes_;
};

// Little-endian reads from a span the caller has bounds-checked.
inline base::u32 read_le32(const base::u8* at) {
    return base::u32(at[0]) | base::u32(at[1]) << 8 | base::u32(at[2]) << 16 | base::u32(at[3]) << 24;
}
inline base::u64 read_le64(const base::u8* at) { return base::u64(read_le32(at)) | base::u64(read_le32(at + 4)) << 32; }
inline base::u16 read_le16(const base::u8* at) { return base::u16(at[0] | at[1] << 8); }

}  // namespace kernel
