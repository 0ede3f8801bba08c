// Reader::open checks everything the format promises before anyone looks up a program: the
// header, then each entry against the ones before it (names, order, bounds, the one canonical
// layout), then that the declared size ends at the last program and every gap is zero. See
// format.h for the layout.
#include "boot_bundle/reader.h"

namespace boot_bundle {

namespace {

using base::ErrorCode;
using base::make_error;
using base::Result;
using base::Span;
using base::StringView;

const u8* entry_at(Span<const u8> bundle, usize index) { return bundle.data() + header_size + index * entry_size; }

// The characters of a name field before its first NUL (all 32 when it has none).
StringView name_in(const u8* field) {
    usize length = 0;
    while (length < max_name_length && field[length] != 0) ++length;
    return StringView(reinterpret_cast<const char*>(field), length);
}

// The name field: the characters before the first NUL, with only NULs after them.
Result<StringView> read_name(const u8* field) {
    const StringView name = name_in(field);
    for (usize i = name.size(); i < max_name_length; ++i)
        if (field[i] != 0) return make_error(ErrorCode::Malformed, "boot bundle: program name field has bytes after its NUL padding");
    TRY(check_name(name));
    return name;
}

// Are all bytes of [begin, end) zero? The caller has checked end <= bundle size.
bool all_zero(Span<const u8> bundle, u64 begin, u64 end) {
    for (u64 i = begin; i < end; ++i)
        if (bundle.data()[i] != 0) return false;
    return true;
}

}  // namespace

Result<Reader> Reader::open(Span<const u8> input) {
    // Is it a bundle of the version we read?
    if (input.size() < header_size) return make_error(ErrorCode::Malformed, "boot bundle: truncated header");
    const u8* header = input.data();
    for (usize i = 0; i < sizeof magic; ++i)
        if (header[header_magic + i] != magic[i]) return make_error(ErrorCode::Malformed, "boot bundle: not a boot bundle (bad magic)");
    if (read_u32(header + header_version) != format_version) return make_error(ErrorCode::Unsupported, "boot bundle: unsupported format version");
    if (read_u32(header + header_entry_size) != entry_size) return make_error(ErrorCode::Malformed, "boot bundle: entry size is not 80");
    if (read_u32(header + header_reserved) != 0) return make_error(ErrorCode::Malformed, "boot bundle: reserved header field is not zero");

    // Are the declared sizes inside what we were given?
    const u32 count = read_u32(header + header_entry_count);
    if (count > max_entries) return make_error(ErrorCode::Malformed, "boot bundle: too many entries (more than 64)");
    const u64 declared_size = read_u64(header + header_bundle_size);
    if (declared_size > input.size()) return make_error(ErrorCode::Malformed, "boot bundle: truncated (declared size is past the end of the data)");
    const u64 table_end = header_size + u64(count) * entry_size;  // <= 32 + 64 * 80
    if (table_end > declared_size) return make_error(ErrorCode::Malformed, "boot bundle: entry table runs past the bundle's end");
    const Span<const u8> bundle = input.first(declared_size);

    // Each entry, against the ones before it. Invariant: previous_end is where the entry table
    // or the previous program ends, so ascending offsets mean no two ranges overlap.
    // Bound: count <= 64 entries, and the duplicate search looks at fewer than 64 each.
    u64 previous_end = table_end;
    for (usize index = 0; index < count; ++index) {
        const u8* entry = entry_at(bundle, index);
        const StringView name = TRY(read_name(entry + entry_name));
        const u64 offset = read_u64(entry + entry_offset);
        const u64 size = read_u64(entry + entry_size_field);
        if (offset % program_alignment != 0) return make_error(ErrorCode::Malformed, "boot bundle: program is not 4096-byte aligned");
        if (offset < previous_end)
            return make_error(ErrorCode::Malformed, "boot bundle: program overlaps the entry table or the previous program (offsets must ascend)");
        // The layout is canonical: each program at the first boundary after what precedes it.
        // (No wrap: offset is a multiple of 4096 and >= previous_end, so rounding previous_end
        // up cannot pass it.)
        if (offset != base::align_up(previous_end, program_alignment))
            return make_error(ErrorCode::Malformed, "boot bundle: program is not at the first 4096-byte boundary after the previous one");
        u64 end;
        if (!base::checked_add(offset, size, &end) || end > declared_size)
            return make_error(ErrorCode::Malformed, "boot bundle: program runs past the bundle's end");
        for (usize other = 0; other < index; ++other)
            if (name_in(entry_at(bundle, other) + entry_name) == name)
                return make_error(ErrorCode::AlreadyExists, "boot bundle: two programs have the same name");
        if (!all_zero(bundle, previous_end, offset)) return make_error(ErrorCode::Malformed, "boot bundle: padding before a program is not zero");
        previous_end = end;
    }
    // Does the declared size end exactly at the last program? (No unaccounted bytes.)
    if (previous_end != declared_size) return make_error(ErrorCode::Malformed, "boot bundle: declared size does not end at the last program");
    // Nothing above kept anything but the span; the Reader holds only what was checked.
    return Reader(bundle, count);
}

Entry Reader::entry(usize index) const {
    if (index >= count_) __builtin_trap();  // a caller bug: open() told it the count
    const u8* field = entry_at(bundle_, index);
    Entry result;
    result.name = name_in(field + entry_name);
    for (usize i = 0; i < hash::sha256_digest_size; ++i) result.sha256.bytes[i] = field[entry_sha256 + i];
    result.offset = read_u64(field + entry_offset);
    result.size = read_u64(field + entry_size_field);
    return result;
}

base::Optional<Entry> Reader::find(StringView name) const {
    for (usize index = 0; index < count_; ++index) {  // bound: count_ <= 64
        const Entry candidate = entry(index);
        if (candidate.name == name) return candidate;
    }
    return base::none;
}

base::Optional<Entry> Reader::find(const hash::Sha256Digest& sha256) const {
    for (usize index = 0; index < count_; ++index) {  // bound: count_ <= 64
        const Entry candidate = entry(index);
        if (candidate.sha256 == sha256) return candidate;
    }
    return base::none;
}

Result<Span<const u8>> Reader::verified_program(const Entry& entry) const {
    const Span<const u8> bytes = bundle_.subspan(entry.offset, entry.size);
    if (bytes.size() != entry.size) return make_error(ErrorCode::InvalidArgument, "boot bundle: entry is not from this bundle");
    if (hash::Sha256::digest(bytes) != entry.sha256)
        return make_error(ErrorCode::Corrupt, "boot bundle: program's bytes do not match its SHA-256");
    return bytes;
}

Result<Span<const u8>> Reader::verified_program(StringView name) const {
    const base::Optional<Entry> found = find(name);
    if (!found.has_value()) return make_error(ErrorCode::NotFound, "boot bundle: no program by that name");
    return verified_program(*found);
}

}  // namespace boot_bundle
