// Looks addresses up in the symbol table embedded after linking (format in symbols.h).
// The table is read defensively: a missing or damaged table yields "?" rather than a fault
// inside a panic.
#include "kernel/debug/symbols.h"

namespace kernel::debug {
namespace {

using base::u32;
using base::u64;
using base::u8;

constexpr base::usize kTableSize = 512 * 1024;

// Reserved here, filled by embed_symbols.py. Zero until then ("KSYM" missing → no symbols).
[[gnu::used, gnu::retain, gnu::section(".kernel_symbols"), gnu::aligned(16)]]
const u8 kernel_symbol_table[kTableSize] = {};

// The compiler must not assume the table keeps the zeros it was declared with.
const u8* table() {
    const u8* pointer = kernel_symbol_table;
    asm("" : "+r"(pointer));
    return pointer;
}

u32 read_u32(const u8* at) { return u32(at[0]) | u32(at[1]) << 8 | u32(at[2]) << 16 | u32(at[3]) << 24; }
u64 read_u64(const u8* at) { return u64(read_u32(at)) | u64(read_u32(at + 4)) << 32; }

constexpr u32 kHeaderSize = 24;
constexpr u32 kEntrySize = 16;

}  // namespace

bool find_symbol(u64 address, SymbolMatch& match) {
    const u8* section = table();
    if (section[0] != 'K' || section[1] != 'S' || section[2] != 'Y' || section[3] != 'M') return false;
    const u32 count = read_u32(section + 8);
    const u32 strings_offset = read_u32(section + 12);
    const u32 strings_size = read_u32(section + 16);
    // Is the table inside the section? (It was written by our tool, but a panic must not fault.)
    if (count > (kTableSize - kHeaderSize) / kEntrySize) return false;
    if (strings_offset < kHeaderSize + count * kEntrySize || strings_offset > kTableSize ||
        strings_size > kTableSize - strings_offset || strings_size == 0)
        return false;

    // Binary search for the last entry whose start is <= address.
    // Invariant: entries [0, low) start at or below address; [high, count) start above it.
    u32 low = 0, high = count;
    while (low < high) {
        const u32 middle = low + (high - low) / 2;
        if (read_u64(section + kHeaderSize + middle * kEntrySize) <= address) low = middle + 1;
        else high = middle;
    }
    if (low == 0) return false;
    const u8* entry = section + kHeaderSize + (low - 1) * kEntrySize;
    const u64 start = read_u64(entry);
    const u32 size = read_u32(entry + 8);
    const u32 name_offset = read_u32(entry + 12);
    if (size != 0 && address - start >= size) return false;
    if (name_offset >= strings_size) return false;
    // The strings block ends with a NUL (checked by the tool), so the name is terminated.
    if (section[strings_offset + strings_size - 1] != 0) return false;
    match.name = reinterpret_cast<const char*>(section + strings_offset + name_offset);
    match.offset = address - start;
    return true;
}

void print_symbol(base::Sink& sink, u64 address) {
    SymbolMatch match{};
    if (find_symbol(address, match)) base::print(sink, "{}+{:#x}", match.name, match.offset);
    else base::print(sink, "?");
}

}  // namespace kernel::debug
