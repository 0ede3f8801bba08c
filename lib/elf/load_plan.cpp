// plan_load: every check first, in the order a reader would ask them (is it ELF at all? for this
// machine? are the headers inside the file? is each segment sane? do they fit together?), and
// the plan is filled in only from values already checked. See load_plan.h for what is accepted.
#include "elf/load_plan.h"

#include "elf/elf64.h"

namespace elf {

namespace {

using base::ErrorCode;
using base::make_error;
using base::Result;
using base::Span;
using base::u32;

// The file header fields the rest of the checks use, after they have been validated.
struct Header {
    u64 entry;
    u64 program_headers_offset;
    u16 program_header_count;
};

Result<void> check_limits(const LoadLimits& limits) {
    // Are the caller's own parameters sane? A mistake here is the caller's, not the file's.
    if (!base::is_power_of_two(limits.page_size)) return make_error(ErrorCode::InvalidArgument, "elf: page size is not a power of two");
    if (!base::is_aligned(limits.user_low, limits.page_size) || !base::is_aligned(limits.user_high, limits.page_size))
        return make_error(ErrorCode::InvalidArgument, "elf: user address range is not page-aligned");
    if (limits.user_low >= limits.user_high) return make_error(ErrorCode::InvalidArgument, "elf: user address range is empty");
    return {};
}

Result<Header> check_header(Span<const u8> file, Machine machine) {
    const u8* bytes = file.data();
    // Is it an ELF file at all?
    if (file.size() < sizeof magic) return make_error(ErrorCode::Malformed, "elf: not an ELF file (too short for the magic number)");
    for (usize i = 0; i < sizeof magic; ++i)
        if (bytes[i] != magic[i]) return make_error(ErrorCode::Malformed, "elf: not an ELF file (bad magic number)");
    // Is the whole file header there?
    if (file.size() < header_size) return make_error(ErrorCode::Malformed, "elf: truncated ELF header");
    // Is it the kind of ELF we load?
    if (bytes[ident_class] != class_64) return make_error(ErrorCode::Unsupported, "elf: wrong class (not a 64-bit ELF file)");
    if (bytes[ident_data] != data_little_endian) return make_error(ErrorCode::Unsupported, "elf: wrong endianness (not little-endian)");
    if (bytes[ident_version] != version_current || read_u32(bytes, header_version) != version_current)
        return make_error(ErrorCode::Unsupported, "elf: unknown ELF version");
    if (bytes[ident_os_abi] != os_abi_system_v) return make_error(ErrorCode::Unsupported, "elf: OS ABI is not System V");
    const u16 type = read_u16(bytes, header_type);
    if (type == type_shared)
        return make_error(ErrorCode::Unsupported, "elf: position-independent executable (ET_DYN) is not supported; link with -no-pie");
    if (type != type_executable) return make_error(ErrorCode::Unsupported, "elf: not an executable (e_type is not ET_EXEC)");
    if (read_u16(bytes, header_machine) != static_cast<u16>(machine))
        return make_error(ErrorCode::Unsupported, "elf: wrong machine (built for another architecture)");
    if (read_u16(bytes, header_ehsize) != header_size) return make_error(ErrorCode::Malformed, "elf: ELF header size is not 64");

    // Are the program headers the size we read, and inside the file?
    Header header;
    header.entry = read_u64(bytes, header_entry);
    header.program_headers_offset = read_u64(bytes, header_phoff);
    header.program_header_count = read_u16(bytes, header_phnum);
    if (header.program_header_count == 0) return make_error(ErrorCode::Malformed, "elf: no loadable segment (no program headers)");
    if (read_u16(bytes, header_phentsize) != program_header_size)
        return make_error(ErrorCode::Malformed, "elf: program header entry size (e_phentsize) is not 56");
    // 0xffff (PN_XNUM) would mean the count is elsewhere; it is refused here too.
    if (header.program_header_count > max_program_headers) return make_error(ErrorCode::Unsupported, "elf: too many program headers");
    u64 table_end;
    if (!base::checked_add(header.program_headers_offset, u64(header.program_header_count) * program_header_size, &table_end) ||
        table_end > file.size())
        return make_error(ErrorCode::Malformed, "elf: truncated program headers (table runs past the end of the file)");
    return header;
}

// One program header's fields, read from inside the checked table.
struct ProgramHeader {
    u32 type;
    u32 flags;
    u64 offset;
    u64 vaddr;
    u64 filesz;
    u64 memsz;
    u64 align;
};

ProgramHeader read_program_header(Span<const u8> file, const Header& header, usize index) {
    const u8* entry = file.data() + header.program_headers_offset + index * program_header_size;
    return ProgramHeader{read_u32(entry, phdr_type),   read_u32(entry, phdr_flags),  read_u64(entry, phdr_offset), read_u64(entry, phdr_vaddr),
                         read_u64(entry, phdr_filesz), read_u64(entry, phdr_memsz), read_u64(entry, phdr_align)};
}

// Is [offset, offset + size) inside the file?
bool inside_file(Span<const u8> file, u64 offset, u64 size) {
    u64 end;
    return base::checked_add(offset, size, &end) && end <= file.size();
}

// Checks one PT_LOAD on its own; whether it fits with the others is checked after the loop.
Result<void> check_load_segment(Span<const u8> file, const ProgramHeader& segment, const LoadLimits& limits) {
    // Are the flags ones we know, and not writable and executable at once?
    if ((segment.flags & ~(flag_read | flag_write | flag_execute)) != 0)
        return make_error(ErrorCode::Malformed, "elf: load segment has unknown flag bits");
    if ((segment.flags & (flag_read | flag_write | flag_execute)) == 0)
        return make_error(ErrorCode::Malformed, "elf: load segment grants no access (none of R, W, X)");
    if ((segment.flags & flag_write) && (segment.flags & flag_execute))
        return make_error(ErrorCode::PermissionDenied, "elf: load segment is both writable and executable (W+X)");
    // Do its sizes and file range make sense?
    if (segment.filesz > segment.memsz) return make_error(ErrorCode::Malformed, "elf: load segment's file size is larger than its memory size");
    if (!inside_file(file, segment.offset, segment.filesz))
        return make_error(ErrorCode::Malformed, "elf: load segment's file range is outside the file");
    // Can its file pages be mapped at its address? (The gABI's congruence rule, at page size.)
    if (segment.align > 1 && !base::is_power_of_two(segment.align))
        return make_error(ErrorCode::Malformed, "elf: load segment alignment (p_align) is not a power of two");
    if (segment.vaddr % limits.page_size != segment.offset % limits.page_size ||
        (segment.align > 1 && segment.vaddr % segment.align != segment.offset % segment.align))
        return make_error(ErrorCode::Malformed, "elf: load segment is unaligned (p_vaddr and p_offset differ modulo the page size)");
    // Is it, page-rounded, inside the user range without wrapping?
    u64 end, page_end;
    if (!base::checked_add(segment.vaddr, segment.memsz, &end) || !base::checked_align_up(end, limits.page_size, &page_end))
        return make_error(ErrorCode::OutOfRange, "elf: load segment wraps around the end of the address space");
    if (base::align_down(segment.vaddr, limits.page_size) < limits.user_low || page_end > limits.user_high)
        return make_error(ErrorCode::OutOfRange, "elf: load segment is outside the user address range");
    return {};
}

// Checks PT_TLS against the loaded segments: its template must be file contents of one of them.
Result<TlsTemplate> check_tls(const ProgramHeader& tls, const LoadPlan& plan, const LoadLimits& limits) {
    if (tls.filesz > tls.memsz) return make_error(ErrorCode::Malformed, "elf: PT_TLS file size is larger than its memory size");
    if (tls.memsz > limits.max_total_memory) return make_error(ErrorCode::OutOfRange, "elf: PT_TLS memory size exceeds the limit");
    const u64 alignment = tls.align == 0 ? 1 : tls.align;
    if (!base::is_power_of_two(alignment) || alignment > limits.page_size)
        return make_error(ErrorCode::Malformed, "elf: PT_TLS alignment is not a power of two up to the page size");
    // Bound: segment_count <= max_load_segments.
    for (const LoadSegment& segment : plan.load_segments()) {
        if (tls.vaddr < segment.virtual_address || tls.vaddr - segment.virtual_address > segment.file_size) continue;
        const u64 into = tls.vaddr - segment.virtual_address;
        if (tls.filesz > segment.file_size - into) continue;
        if (tls.offset != segment.file_offset + into)
            return make_error(ErrorCode::Malformed, "elf: PT_TLS file offset does not match its address");
        return TlsTemplate{tls.vaddr, tls.filesz, tls.memsz, alignment};
    }
    return make_error(ErrorCode::Malformed, "elf: PT_TLS template is not inside a loaded segment's file contents");
}

// Where the loaded image holds the program header table, if a segment's file contents hold it.
base::Optional<u64> find_program_headers(const Header& header, const LoadPlan& plan) {
    const u64 size = u64(header.program_header_count) * program_header_size;  // small: count <= 64
    for (const LoadSegment& segment : plan.load_segments()) {
        if (header.program_headers_offset < segment.file_offset) continue;
        const u64 into = header.program_headers_offset - segment.file_offset;
        if (into > segment.file_size || size > segment.file_size - into) continue;
        return segment.virtual_address + into;
    }
    return base::none;
}

}  // namespace

Result<LoadPlan> plan_load(Span<const u8> file, Machine machine, const LoadLimits& limits) {
    TRY(check_limits(limits));
    const Header header = TRY(check_header(file, machine));

    LoadPlan plan{};
    plan.page_size = limits.page_size;
    plan.program_header_count = header.program_header_count;
    base::Optional<ProgramHeader> tls;
    base::Optional<ProgramHeader> phdr;

    // Each program header on its own. Bound: program_header_count <= max_program_headers.
    for (usize index = 0; index < header.program_header_count; ++index) {
        const ProgramHeader entry = read_program_header(file, header, index);
        switch (entry.type) {
            case segment_load: {
                TRY(check_load_segment(file, entry, limits));
                if (entry.memsz == 0) break;  // occupies nothing; nothing to plan
                if (plan.segment_count == max_load_segments) return make_error(ErrorCode::Unsupported, "elf: too many load segments");
                LoadSegment& segment = plan.segments[plan.segment_count++];
                segment = LoadSegment{entry.vaddr,
                                      entry.memsz,
                                      entry.offset,
                                      entry.filesz,
                                      (entry.flags & flag_read) != 0,
                                      (entry.flags & flag_write) != 0,
                                      (entry.flags & flag_execute) != 0};
                // Checked: before the overlap check, segments may cover the same pages, and a
                // sum near 2^64 must not wrap under a cap.
                if (!base::checked_add(plan.total_memory, segment.page_end(limits.page_size) - segment.page_start(limits.page_size),
                                       &plan.total_memory) ||
                    plan.total_memory > limits.max_total_memory)
                    return make_error(ErrorCode::OutOfRange, "elf: total memory size exceeds the limit");
                break;
            }
            case segment_tls:
                if (tls.has_value()) return make_error(ErrorCode::Malformed, "elf: more than one PT_TLS");
                tls = entry;
                break;
            case segment_phdr:
                if (phdr.has_value()) return make_error(ErrorCode::Malformed, "elf: more than one PT_PHDR");
                phdr = entry;
                break;
            case segment_gnu_stack:
                if (entry.flags & flag_execute) return make_error(ErrorCode::PermissionDenied, "elf: executable stack requested (PT_GNU_STACK has X)");
                break;
            case segment_interp:
            case segment_dynamic:
                return make_error(ErrorCode::Unsupported, "elf: dynamic linking is not supported (PT_INTERP or PT_DYNAMIC)");
            case segment_null:
            case segment_note:
                break;
            default:
                // PT_SHLIB and types no standard defines are malformed; OS- and processor-specific
                // ones describe parts of loaded segments and are ignored.
                if (entry.type < segment_os_low) return make_error(ErrorCode::Malformed, "elf: unknown program header type");
                break;
        }
    }
    if (plan.segment_count == 0) return make_error(ErrorCode::Malformed, "elf: no loadable segment");

    // Do the segments fit together: no two share a page, and they ascend (gABI order)?
    // Bound: at most 16 x 16 pairs.
    const auto segments = plan.load_segments();
    for (usize i = 0; i < segments.size(); ++i)
        for (usize j = i + 1; j < segments.size(); ++j)
            if (segments[i].page_start(plan.page_size) < segments[j].page_end(plan.page_size) &&
                segments[j].page_start(plan.page_size) < segments[i].page_end(plan.page_size))
                return make_error(ErrorCode::Malformed, "elf: load segments overlap (after rounding to pages)");
    for (usize i = 1; i < segments.size(); ++i)
        if (segments[i].virtual_address < segments[i - 1].virtual_address)
            return make_error(ErrorCode::Malformed, "elf: load segments are not in ascending address order");

    // Does execution start in code the file provides?
    bool entry_ok = false;
    for (const LoadSegment& segment : segments)
        if (segment.executable && header.entry >= segment.virtual_address && header.entry - segment.virtual_address < segment.file_size)
            entry_ok = true;
    if (!entry_ok) return make_error(ErrorCode::Malformed, "elf: entry point is not inside an executable segment");
    plan.entry = header.entry;

    if (tls.has_value()) plan.tls = TRY(check_tls(*tls, plan, limits));
    plan.program_headers_address = find_program_headers(header, plan);
    if (phdr.has_value()) {
        // PT_PHDR claims where the table is loaded; it must be the table itself, loaded.
        if (phdr->offset != header.program_headers_offset || !plan.program_headers_address.has_value() ||
            phdr->vaddr != *plan.program_headers_address)
            return make_error(ErrorCode::Malformed, "elf: PT_PHDR does not describe the loaded program headers");
    }
    // Nothing above wrote outside `plan`; the file was only read.
    return plan;
}

}  // namespace elf
