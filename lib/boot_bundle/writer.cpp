// The writer lays programs out the one way the reader's rules allow most simply: the entry
// table right after the header, then each program at the next 4096-byte boundary, zeros in
// between. All checks come first; `out` is touched only once they have passed.
#include "boot_bundle/writer.h"

#include "hash/sha256.h"

namespace boot_bundle {

namespace {

using base::ErrorCode;
using base::make_error;
using base::Result;
using base::Span;

// Each program's offset in the layout, and the total size; nothing written.
struct Layout {
    u64 offsets[max_entries];
    u64 size;
};

Result<Layout> plan_layout(Span<const Program> programs) {
    if (programs.size() > max_entries) return make_error(ErrorCode::OutOfRange, "boot bundle: too many programs (more than 64)");
    Layout layout{};
    u64 end = header_size + programs.size() * entry_size;
    // Bound: at most 64 programs, each compared with fewer than 64 others.
    for (usize index = 0; index < programs.size(); ++index) {
        TRY(check_name(programs[index].name));
        for (usize other = 0; other < index; ++other)
            if (programs[other].name == programs[index].name)
                return make_error(ErrorCode::AlreadyExists, "boot bundle: two programs have the same name");
        u64 offset;
        if (!base::checked_align_up(end, program_alignment, &offset) || !base::checked_add(offset, programs[index].bytes.size(), &end))
            return make_error(ErrorCode::Overflow, "boot bundle: programs too large for a bundle");
        layout.offsets[index] = offset;
    }
    layout.size = end;
    return layout;
}

}  // namespace

Result<u64> bundle_size(Span<const Program> programs) { return TRY(plan_layout(programs)).size; }

Result<usize> write(Span<const Program> programs, Span<u8> out) {
    const Layout layout = TRY(plan_layout(programs));
    if (layout.size > out.size()) return make_error(ErrorCode::OutOfRange, "boot bundle: output buffer is smaller than the bundle");
    // Every check has passed; from here on nothing fails.
    u8* bytes = out.data();
    for (u64 i = 0; i < layout.size; ++i) bytes[i] = 0;
    for (usize i = 0; i < sizeof magic; ++i) bytes[header_magic + i] = magic[i];
    write_u32(bytes + header_version, format_version);
    write_u32(bytes + header_entry_count, u32(programs.size()));
    write_u64(bytes + header_bundle_size, layout.size);
    write_u32(bytes + header_entry_size, entry_size);
    for (usize index = 0; index < programs.size(); ++index) {
        const Program& program = programs[index];
        u8* entry = bytes + header_size + index * entry_size;
        for (usize i = 0; i < program.name.size(); ++i) entry[entry_name + i] = u8(program.name[i]);
        const hash::Sha256Digest digest = hash::Sha256::digest(program.bytes);
        for (usize i = 0; i < hash::sha256_digest_size; ++i) entry[entry_sha256 + i] = digest.bytes[i];
        write_u64(entry + entry_offset, layout.offsets[index]);
        write_u64(entry + entry_size_field, program.bytes.size());
        for (usize i = 0; i < program.bytes.size(); ++i) bytes[layout.offsets[index] + i] = program.bytes[i];
    }
    return usize(layout.size);
}

}  // namespace boot_bundle
