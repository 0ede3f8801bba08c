// The ELF64 loader's first half: validate a static executable completely and describe how to
// load it, without touching memory. The kernel or init then maps or copies exactly what the
// plan says; nothing in the plan needs checking again.
//
// Accepted: ET_EXEC, ELFCLASS64, little-endian, System V OS ABI, the expected machine, at most
// `max_load_segments` PT_LOAD segments, each inside the caller's user range, page-congruent
// (p_vaddr and p_offset equal modulo the page size, so the file can be mapped in place), never
// writable and executable at once, not sharing a page with another segment, together within a
// memory cap; the entry point inside an executable segment's file contents.
// Program header types, deliberately:
//   PT_LOAD            validated and planned.
//   PT_TLS             validated (inside a loaded segment's file contents) and reported, so the
//                      runtime can copy the template for each thread.
//   PT_PHDR            validated against e_phoff and reported; when absent the headers' address
//                      is found from the PT_LOAD that contains them, if any.
//   PT_GNU_STACK       refused when it asks for an executable stack; otherwise ignored (user
//                      stacks are never executable).
//   PT_INTERP, PT_DYNAMIC  refused: there is no dynamic linker.
//   PT_SHLIB, unknown generic types (below PT_LOOS)  refused as malformed.
//   PT_NULL, PT_NOTE, OS- and processor-specific types (PT_GNU_EH_FRAME, PT_GNU_RELRO,
//   PT_GNU_PROPERTY, PT_ARM_EXIDX ...)  ignored: they describe parts of loaded segments.
//                      (PT_GNU_RELRO is not applied: a static non-PIE executable has no
//                      relocations to protect, and the pages keep the PT_LOAD's rights.)
// ET_DYN (including static-pie) is refused: supporting it properly means choosing a base and
// applying relocations, which no VectraOS program needs yet. Section headers are not read.
#pragma once

#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "base/types.h"

namespace elf {

using base::u16;
using base::u64;
using base::u8;
using base::usize;

enum class Machine : u16 {
    x86_64 = 62,    // EM_X86_64
    aarch64 = 183,  // EM_AARCH64
};

// What the caller allows. All addresses are page-aligned and user_low < user_high; a plan's
// segments lie, page-rounded, inside [user_low, user_high).
struct LoadLimits {
    u64 user_low;
    u64 user_high;
    u64 max_total_memory;  // cap on the sum of the segments' page-rounded sizes
    u64 page_size = 4096;  // a power of two
};

struct LoadSegment {
    u64 virtual_address;
    u64 memory_size;  // > 0; bytes past file_size are zero-filled
    u64 file_offset;
    u64 file_size;    // <= memory_size; [file_offset, file_offset + file_size) is inside the file
    bool readable;
    bool writable;
    bool executable;  // never together with writable

    // The page-rounded range the segment occupies: [page_start, page_end).
    constexpr u64 page_start(u64 page_size) const { return virtual_address & ~(page_size - 1); }
    constexpr u64 page_end(u64 page_size) const { return (virtual_address + memory_size + page_size - 1) & ~(page_size - 1); }
};

// The initial image of thread-local storage (PT_TLS): file_size bytes at virtual_address (inside
// a loaded segment), then zeros up to memory_size; aligned to `alignment` (a power of two).
struct TlsTemplate {
    u64 virtual_address;
    u64 file_size;
    u64 memory_size;
    u64 alignment;
};

inline constexpr usize max_load_segments = 16;
inline constexpr usize max_program_headers = 64;

struct LoadPlan {
    u64 entry;
    LoadSegment segments[max_load_segments];
    usize segment_count;  // 1 ..= max_load_segments; segments ascend by address, pages disjoint
    u64 total_memory;     // sum of the page-rounded sizes; <= LoadLimits::max_total_memory
    u64 page_size;
    base::Optional<TlsTemplate> tls;
    // Where the program headers are in the loaded image (for the runtime's auxiliary vector),
    // when a loaded segment contains them.
    base::Optional<u64> program_headers_address;
    u16 program_header_count;

    base::Span<const LoadSegment> load_segments() const { return {segments, segment_count}; }
};

// Validates `file` as a static executable for `machine` under `limits`; every refusal is an
// error whose message names the reason ("elf: ..."). Reads only inside `file`.
base::Result<LoadPlan> plan_load(base::Span<const u8> file, Machine machine, const LoadLimits& limits);

}  // namespace elf
