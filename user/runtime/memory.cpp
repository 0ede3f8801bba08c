// The C memory and string functions a program links against: the compiler calls memcpy,
// memmove and memset on its own (struct copies, zero-initialisation), and programs use the
// rest. The bodies are in memory_functions.h.
#include "user/runtime/memory_functions.h"

using base::usize;

extern "C" {

void* memcpy(void* destination, const void* source, usize count) {
    vectra::memory::copy(destination, source, count);
    return destination;
}

void* memmove(void* destination, const void* source, usize count) {
    vectra::memory::move(destination, source, count);
    return destination;
}

void* memset(void* destination, int value, usize count) {
    vectra::memory::fill(destination, static_cast<base::u8>(value), count);
    return destination;
}

int memcmp(const void* left, const void* right, usize count) { return vectra::memory::compare(left, right, count); }

int bcmp(const void* left, const void* right, usize count) { return vectra::memory::compare(left, right, count); }

usize strlen(const char* text) { return vectra::memory::string_length(text); }

int strcmp(const char* left, const char* right) { return vectra::memory::string_compare(left, right); }

// A call through a pure virtual function is a program bug: stop at once.
void __cxa_pure_virtual() { __builtin_trap(); }

}  // extern "C"
