// The boot bundle's on-disk format, version 1 (docs/boot_bundle.md is its specification): one
// source of truth for the reader (kernel, init) and the writer (host tool, tests). All numbers
// are little-endian; every program starts on a 4 KiB boundary so it can be used in place.
//
//   offset 0   header (32 bytes)
//              magic "VECTRABB" | version u32 = 1 | entry_count u32 | bundle_size u64 |
//              entry_size u32 = 80 | reserved u32 = 0
//   offset 32  entry_count entries (80 bytes each)
//              name[32] (ASCII, NUL-padded) | sha256[32] | offset u64 | size u64
//   then       the programs' bytes, in entry order, each at a multiple of 4096, zeros between;
//              bundle_size ends exactly at the last program's end.
#pragma once

#include "base/result.h"
#include "base/string_view.h"
#include "base/types.h"

namespace boot_bundle {

using base::u8;
using base::u32;
using base::u64;
using base::usize;

inline constexpr u8 magic[8] = {'V', 'E', 'C', 'T', 'R', 'A', 'B', 'B'};
inline constexpr u32 format_version = 1;

inline constexpr usize header_size = 32;
inline constexpr usize header_magic = 0;         // u8[8]
inline constexpr usize header_version = 8;       // u32
inline constexpr usize header_entry_count = 12;  // u32
inline constexpr usize header_bundle_size = 16;  // u64
inline constexpr usize header_entry_size = 24;   // u32
inline constexpr usize header_reserved = 28;     // u32, zero

inline constexpr usize entry_size = 80;
inline constexpr usize entry_name = 0;     // u8[32]
inline constexpr usize entry_sha256 = 32;  // u8[32]
inline constexpr usize entry_offset = 64;  // u64
inline constexpr usize entry_size_field = 72;  // u64

inline constexpr usize max_entries = 64;
inline constexpr usize max_name_length = 32;
inline constexpr u64 program_alignment = 4096;

// A program name: 1 to 32 characters from [A-Za-z0-9._-], the first a letter or digit (so no
// ".", "..", hidden or option-like names). Names are what init and the console print.
inline constexpr bool is_name_character(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

inline base::Result<void> check_name(base::StringView name) {
    if (name.empty()) return base::make_error(base::ErrorCode::Malformed, "boot bundle: empty program name");
    if (name.size() > max_name_length) return base::make_error(base::ErrorCode::Malformed, "boot bundle: program name longer than 32 characters");
    const char first = name[0];
    if (first == '.' || first == '_' || first == '-')
        return base::make_error(base::ErrorCode::Malformed, "boot bundle: program name must start with a letter or digit");
    for (char c : name)  // bound: at most 32 characters
        if (!is_name_character(c)) return base::make_error(base::ErrorCode::Malformed, "boot bundle: program name has a character outside [A-Za-z0-9._-]");
    return {};
}

// Little-endian fields; the caller has checked the bounds.
inline u32 read_u32(const u8* bytes) { return u32(bytes[0]) | (u32(bytes[1]) << 8) | (u32(bytes[2]) << 16) | (u32(bytes[3]) << 24); }
inline u64 read_u64(const u8* bytes) { return u64(read_u32(bytes)) | (u64(read_u32(bytes + 4)) << 32); }
inline void write_u32(u8* bytes, u32 value) {
    for (usize i = 0; i < 4; ++i) bytes[i] = u8(value >> (8 * i));
}
inline void write_u64(u8* bytes, u64 value) {
    for (usize i = 0; i < 8; ++i) bytes[i] = u8(value >> (8 * i));
}

}  // namespace boot_bundle
