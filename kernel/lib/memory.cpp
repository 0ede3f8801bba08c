// The memory functions the compiler may call on its own (struct copies, zero-initialisation)
// even in a freestanding kernel. Simple byte loops: the kernel copies little, and clarity wins.
// Built with -fno-builtin, so these loops are never turned back into calls to themselves.
#include "base/types.h"

using base::u8;
using base::usize;

extern "C" {

void* memcpy(void* destination, const void* source, usize count) {
    auto* to = static_cast<u8*>(destination);
    const auto* from = static_cast<const u8*>(source);
    // A word at a time (unaligned word accesses are fine on both architectures' normal memory),
    // then the tail; messages and descriptors are copied through here.
    for (; count >= 8; count -= 8, to += 8, from += 8) {
        base::u64 word;
        __builtin_memcpy(&word, from, 8);
        __builtin_memcpy(to, &word, 8);
    }
    for (usize i = 0; i < count; ++i) to[i] = from[i];
    return destination;
}

void* memmove(void* destination, const void* source, usize count) {
    auto* to = static_cast<u8*>(destination);
    const auto* from = static_cast<const u8*>(source);
    if (to < from) {
        for (usize i = 0; i < count; ++i) to[i] = from[i];
    } else {
        for (usize i = count; i > 0; --i) to[i - 1] = from[i - 1];
    }
    return destination;
}

void* memset(void* destination, int value, usize count) {
    auto* to = static_cast<u8*>(destination);
    for (usize i = 0; i < count; ++i) to[i] = static_cast<u8>(value);
    return destination;
}

int memcmp(const void* left, const void* right, usize count) {
    const auto* a = static_cast<const u8*>(left);
    const auto* b = static_cast<const u8*>(right);
    for (usize i = 0; i < count; ++i) {
        if (a[i] != b[i]) return a[i] < b[i] ? -1 : 1;
    }
    return 0;
}

usize strlen(const char* text) {
    usize length = 0;
    while (text[length] != '\0') ++length;
    return length;
}

// The kernel never exits, so the destructors of its globals never run: registering one is a
// no-op (the compiler registers them with atexit because of -fno-use-cxa-atexit).
int atexit(void (*)()) { return 0; }

// Pure virtual calls cannot happen in a correct kernel; if one does, stop loudly.
void __cxa_pure_virtual() { __builtin_trap(); }

}  // extern "C"
