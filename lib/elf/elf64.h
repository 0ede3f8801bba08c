// The parts of the ELF64 format (System V gABI, x86_64 and AArch64 psABIs) that the loader
// reads: field offsets and constants. Fields are read byte by byte as little-endian numbers
// from a span, never by casting the file to a struct, so a file at any alignment is safe.
#pragma once

#include "base/types.h"

namespace elf {

using base::u8;
using base::u16;
using base::u32;
using base::u64;
using base::usize;

// e_ident.
inline constexpr u8 magic[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr usize ident_class = 4;
inline constexpr usize ident_data = 5;
inline constexpr usize ident_version = 6;
inline constexpr usize ident_os_abi = 7;
inline constexpr u8 class_64 = 2;          // ELFCLASS64
inline constexpr u8 data_little_endian = 1;  // ELFDATA2LSB
inline constexpr u8 version_current = 1;     // EV_CURRENT
inline constexpr u8 os_abi_system_v = 0;     // ELFOSABI_NONE

// The file header (Elf64_Ehdr): offsets of the fields after e_ident.
inline constexpr usize header_size = 64;
inline constexpr usize header_type = 16;       // e_type, u16
inline constexpr usize header_machine = 18;    // e_machine, u16
inline constexpr usize header_version = 20;    // e_version, u32
inline constexpr usize header_entry = 24;      // e_entry, u64
inline constexpr usize header_phoff = 32;      // e_phoff, u64
inline constexpr usize header_ehsize = 52;     // e_ehsize, u16
inline constexpr usize header_phentsize = 54;  // e_phentsize, u16
inline constexpr usize header_phnum = 56;      // e_phnum, u16

inline constexpr u16 type_executable = 2;  // ET_EXEC
inline constexpr u16 type_shared = 3;      // ET_DYN (also static-pie)

// A program header (Elf64_Phdr).
inline constexpr usize program_header_size = 56;
inline constexpr usize phdr_type = 0;    // p_type, u32
inline constexpr usize phdr_flags = 4;   // p_flags, u32
inline constexpr usize phdr_offset = 8;  // p_offset, u64
inline constexpr usize phdr_vaddr = 16;  // p_vaddr, u64
inline constexpr usize phdr_filesz = 32; // p_filesz, u64 (p_paddr at 24 is unused)
inline constexpr usize phdr_memsz = 40;  // p_memsz, u64
inline constexpr usize phdr_align = 48;  // p_align, u64

inline constexpr u32 segment_null = 0;      // PT_NULL
inline constexpr u32 segment_load = 1;      // PT_LOAD
inline constexpr u32 segment_dynamic = 2;   // PT_DYNAMIC
inline constexpr u32 segment_interp = 3;    // PT_INTERP
inline constexpr u32 segment_note = 4;      // PT_NOTE
inline constexpr u32 segment_shlib = 5;     // PT_SHLIB
inline constexpr u32 segment_phdr = 6;      // PT_PHDR
inline constexpr u32 segment_tls = 7;       // PT_TLS
inline constexpr u32 segment_os_low = 0x60000000;  // PT_LOOS: OS- and processor-specific types start here
inline constexpr u32 segment_gnu_stack = 0x6474e551;

inline constexpr u32 flag_execute = 1;  // PF_X
inline constexpr u32 flag_write = 2;    // PF_W
inline constexpr u32 flag_read = 4;     // PF_R

// Little-endian reads; the caller has checked that [offset, offset + width) is inside `bytes`.
inline u16 read_u16(const u8* bytes, usize offset) { return u16(bytes[offset] | (u16(bytes[offset + 1]) << 8)); }
inline u32 read_u32(const u8* bytes, usize offset) {
    return u32(bytes[offset]) | (u32(bytes[offset + 1]) << 8) | (u32(bytes[offset + 2]) << 16) | (u32(bytes[offset + 3]) << 24);
}
inline u64 read_u64(const u8* bytes, usize offset) { return u64(read_u32(bytes, offset)) | (u64(read_u32(bytes, offset + 4)) << 32); }

}  // namespace elf
