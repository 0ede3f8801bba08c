// Reading a boot bundle: open() validates the whole structure once (header, every entry, the
// layout of the data); afterwards lookups trust it. A program's bytes are handed out only by
// verified_program(), after their SHA-256 matches the entry's; the bundle is never written.
#pragma once

#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "base/string_view.h"
#include "boot_bundle/format.h"
#include "hash/sha256.h"

namespace boot_bundle {

struct Entry {
    base::StringView name;  // valid per check_name; points into the bundle
    hash::Sha256Digest sha256;
    u64 offset;             // from the start of the bundle; a multiple of program_alignment
    u64 size;
};

class Reader {
public:
    // Validates `bundle` (kept by reference: it must outlive the Reader). Bytes after the
    // declared bundle size are ignored (a loader may pad the image).
    static base::Result<Reader> open(base::Span<const u8> bundle);

    usize count() const { return count_; }
    // The index-th entry, index < count() (a caller bug otherwise: traps).
    Entry entry(usize index) const;
    base::Optional<Entry> find(base::StringView name) const;
    base::Optional<Entry> find(const hash::Sha256Digest& sha256) const;

    // The program's bytes, only when their SHA-256 matches the entry. Errors: NotFound (no
    // such name) or Corrupt (the bytes do not match; the caller names the program when it
    // reports this, since messages are static).
    base::Result<base::Span<const u8>> verified_program(base::StringView name) const;
    base::Result<base::Span<const u8>> verified_program(const Entry& entry) const;

    // The validated bundle (without any padding past its declared size).
    base::Span<const u8> bytes() const { return bundle_; }

private:
    Reader(base::Span<const u8> bundle, usize count) : bundle_(bundle), count_(count) {}
    base::Span<const u8> bundle_;
    usize count_;
};

}  // namespace boot_bundle
