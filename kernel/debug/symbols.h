// Symbol names for panic backtraces. The table lives in the image's .kernel_symbols section,
// reserved at a fixed size and filled after linking by debug/embed_symbols.py (format below).
//
//   header  "KSYM" u32 version=1, u32 count, u32 strings_offset, u32 strings_size, u32 reserved
//   entries count × { u64 address, u32 size, u32 name_offset }, sorted by address
//   strings NUL-terminated names; name_offset is relative to strings_offset
//
// All integers little-endian; offsets relative to the section start.
#pragma once

#include "base/format.h"
#include "base/types.h"

namespace kernel::debug {

struct SymbolMatch {
    const char* name;
    base::u64 offset;  // address - symbol start
};

// The function containing `address`, or false when the table has none (or was never filled).
bool find_symbol(base::u64 address, SymbolMatch& match);

// Prints "name+0x1c" or "?" for an address outside every known function.
void print_symbol(base::Sink& sink, base::u64 address);

}  // namespace kernel::debug
