// The untyped system calls, generated from VECTRA_SYSCALL_LIST in lib/abi/abi.h: one function
// per syscall, sys::raw::<name>(arguments...), taking exactly the argument count the list gives
// (a call with more or fewer does not compile) and returning the raw result word (>= 0 a
// value, < 0 the negated abi::Status). Typed wrappers in syscalls.h sit on top of these.
#pragma once

#include "abi/abi.h"

#if defined(__x86_64__)
#include "user/runtime/arch/x86_64/syscall_instruction.h"
#elif defined(__aarch64__)
#include "user/runtime/arch/aarch64/syscall_instruction.h"
#else
#error "VectraOS userland runs on x86_64 and aarch64"
#endif

namespace vectra::sys::raw {

using base::i64;
using base::u64;

// One argument word: integers, enums and pointers go in as their 64-bit value. Signed
// integers are sign-extended, as a C call would.
template <class T>
constexpr u64 argument_word(T value) {
    if constexpr (__is_pointer(T)) {
        return reinterpret_cast<base::uptr>(value);
    } else if constexpr (__is_enum(T)) {
        return static_cast<u64>(static_cast<__underlying_type(T)>(value));
    } else {
        static_assert(__is_integral(T), "a syscall argument is an integer, an enum or a pointer");
        return static_cast<u64>(value);
    }
}

template <class... Arguments>
inline i64 invoke(abi::Syscall number, Arguments... arguments) {
    static_assert(sizeof...(Arguments) <= 6, "a syscall has at most six arguments");
    u64 words[6] = {argument_word(arguments)...};  // the rest are zero
    return arch::syscall6(static_cast<u64>(number), words[0], words[1], words[2], words[3], words[4], words[5]);
}

#define VECTRA_RAW_SYSCALL(name, number, count)                          \
    template <class... Arguments>                                        \
        requires(sizeof...(Arguments) == (count))                        \
    inline i64 name(Arguments... arguments) {                            \
        return invoke(abi::Syscall::name, arguments...);                 \
    }
VECTRA_SYSCALL_LIST(VECTRA_RAW_SYSCALL)
#undef VECTRA_RAW_SYSCALL

// Any number at all, for tests that try numbers the kernel does not know.
inline i64 numbered(u64 number, u64 a0 = 0, u64 a1 = 0, u64 a2 = 0, u64 a3 = 0, u64 a4 = 0, u64 a5 = 0) {
    return arch::syscall6(number, a0, a1, a2, a3, a4, a5);
}

}  // namespace vectra::sys::raw
