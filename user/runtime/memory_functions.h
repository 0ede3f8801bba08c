// The bodies of memcpy, memmove, memset, memcmp and strlen (memory.cpp gives them their C
// names), here as ordinary functions so host tests can check them against a byte-by-byte
// reference without replacing the host's own. Copies move 16 bytes at a time through one
// SIMD register (SSE / NEON, which user code may use); __builtin_memcpy_inline never becomes a
// call, so these cannot recurse into themselves.
#pragma once

#include "base/types.h"

namespace vectra::memory {

using base::u8;
using base::usize;

namespace detail {
inline void copy16(u8* to, const u8* from) {
    u8 chunk[16];
    __builtin_memcpy_inline(chunk, from, 16);  // load all 16 before storing any (memmove relies on it)
    __builtin_memcpy_inline(to, chunk, 16);
}
inline void copy8(u8* to, const u8* from) {
    u8 chunk[8];
    __builtin_memcpy_inline(chunk, from, 8);
    __builtin_memcpy_inline(to, chunk, 8);
}
}  // namespace detail

// [to, to + count) and [from, from + count) must not overlap.
inline void copy(void* destination, const void* source, usize count) {
    auto* to = static_cast<u8*>(destination);
    const auto* from = static_cast<const u8*>(source);
    if (count >= 16) {
        // Whole chunks, then the last 16 bytes once more (overlapping what was copied) for the tail.
        while (count >= 16) {
            detail::copy16(to, from);
            to += 16, from += 16, count -= 16;
        }
        if (count > 0) detail::copy16(to + count - 16, from + count - 16);
        return;
    }
    if (count >= 8) {  // 8..15: two overlapping words
        detail::copy8(to, from);
        detail::copy8(to + count - 8, from + count - 8);
        return;
    }
    for (usize i = 0; i < count; ++i) to[i] = from[i];
}

// The ranges may overlap: copies in the direction that reads each byte before overwriting it.
inline void move(void* destination, const void* source, usize count) {
    auto* to = static_cast<u8*>(destination);
    const auto* from = static_cast<const u8*>(source);
    if (to == from || count == 0) return;
    if (to < from || to >= from + count) {
        // Forward. Invariant: bytes below from + 16 are read before [to, to + 16) is written,
        // and to + 16 <= from + 16, so no unread byte is overwritten.
        while (count >= 16) {
            detail::copy16(to, from);
            to += 16, from += 16, count -= 16;
        }
        for (usize i = 0; i < count; ++i) to[i] = from[i];
        return;
    }
    // Backward (to > from, overlapping): the same argument from the end.
    to += count, from += count;
    while (count >= 16) {
        to -= 16, from -= 16, count -= 16;
        detail::copy16(to, from);
    }
    while (count > 0) {
        --to, --from, --count;
        *to = *from;
    }
}

inline void fill(void* destination, u8 value, usize count) {
    auto* to = static_cast<u8*>(destination);
    if (count >= 16) {
        u8 pattern[16];
        for (u8& byte : pattern) byte = value;
        while (count >= 16) {
            __builtin_memcpy_inline(to, pattern, 16);
            to += 16, count -= 16;
        }
        if (count > 0) __builtin_memcpy_inline(to + count - 16, pattern, 16);
        return;
    }
    for (usize i = 0; i < count; ++i) to[i] = value;
}

// <0, 0 or >0 as the first differing byte (unsigned) is smaller, absent or larger.
inline int compare(const void* left, const void* right, usize count) {
    const auto* a = static_cast<const u8*>(left);
    const auto* b = static_cast<const u8*>(right);
    for (usize i = 0; i < count; ++i) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

inline usize string_length(const char* text) {
    usize length = 0;
    while (text[length] != '\0') ++length;
    return length;
}

inline int string_compare(const char* left, const char* right) {
    const auto* a = reinterpret_cast<const u8*>(left);
    const auto* b = reinterpret_cast<const u8*>(right);
    while (*a != 0 && *a == *b) ++a, ++b;
    return *a < *b ? -1 : (*a > *b ? 1 : 0);
}

}  // namespace vectra::memory
