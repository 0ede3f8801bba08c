// Panics: the end of the kernel when one of its own invariants is broken, or when an
// exception arrives that nothing expected. A panic prints a dump a person can act on (what
// happened, where, the registers, a symbolised backtrace) and ends QEMU with ExitCode::Panicked.
// Nothing a user or a device can send may lead here.
#pragma once

#include "base/format.h"
#include "base/span.h"
#include "base/types.h"

namespace kernel {

struct TrapRegister {
    const char* name;  // "rax", "x0", ...
    base::u64 value;
};

// Filled by the architecture's trap handler for an exception it cannot handle.
struct TrapReport {
    const char* exception_name = "";     // "page fault (#PF)", "data abort from EL1"
    base::u64 vector = 0;                // x86_64 vector number; aarch64 ESR_EL1.EC
    base::u64 instruction_pointer = 0;   // RIP / ELR_EL1
    base::u64 stack_pointer = 0;
    base::u64 frame_pointer = 0;         // start of the backtrace
    bool has_faulting_address = false;
    base::u64 faulting_address = 0;      // CR2 / FAR_EL1
    base::u64 error_code = 0;            // raw #PF/#GP error code or ESR_EL1
    const char* error_description = "";  // the error code decoded, in words
    base::Span<const TrapRegister> registers;
};

[[noreturn]] void panic_from_trap(const TrapReport& report);
[[noreturn]] void panic_text(const char* message);

// Prints "PANIC: <formatted message>", a backtrace from the caller, and ends QEMU.
void panic_begin();  // internal: takes the console, marks the panic (a panic inside a panic halts)
[[noreturn]] void panic_end(base::uptr frame_pointer);

template <class... Args>
[[noreturn]] void panic(const char* format, const Args&... args);

}  // namespace kernel

#include "kernel/core/log.h"

template <class... Args>
[[noreturn]] void kernel::panic(const char* format, const Args&... args) {
    panic_begin();
    base::print(console(), "PANIC: ");
    base::print(console(), format, args...);
    base::print(console(), "\n");
    panic_end(reinterpret_cast<base::uptr>(__builtin_frame_address(0)));
}
