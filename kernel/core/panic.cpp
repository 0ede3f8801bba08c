// Panic dumps. Everything here must work with the kernel half broken: no allocation, no locks
// that a faulting thread might hold (the console is polled), reads of possibly bad frame
// pointers go through arch::probe_read_u8, and a panic during a panic just stops.
#include "kernel/core/panic.h"

#include "arch/arch.h"
#include "base/atomic.h"
#include "kernel/debug/symbols.h"

namespace kernel {
namespace {

base::Atomic<bool> panicking{false};

constexpr int kMaxBacktraceFrames = 32;

// Reads a u64 from an address that may not be mapped; false if any byte faulted.
bool read_u64_carefully(base::uptr address, base::u64& value) {
    value = 0;
    for (int i = 0; i < 8; ++i) {
        base::u8 byte = 0;
        if (!arch::probe_read_u8(reinterpret_cast<const volatile base::u8*>(address + i), &byte)) return false;
        value |= base::u64(byte) << (8 * i);
    }
    return true;
}

bool is_kernel_address(base::u64 address) { return address >= 0xffff'0000'0000'0000ull; }

void print_frame(int index, base::u64 address) {
    base::print(console(), "    #{} {:#018x} ", index, address);
    debug::print_symbol(console(), address);
    base::print(console(), "\n");
}

// Walks frame records ([fp] = caller's fp, [fp + 8] = return address) up the stack. Stops at
// a null, misaligned, non-kernel or unreadable frame pointer, or when frames stop growing
// upwards (a loop in a corrupt stack).
void print_backtrace(base::uptr frame_pointer, int first_index) {
    for (int index = first_index; index < kMaxBacktraceFrames && frame_pointer != 0; ++index) {
        if (frame_pointer % 8 != 0 || !is_kernel_address(frame_pointer)) {
            base::print(console(), "    (frame pointer {:#x} is not on a kernel stack)\n", frame_pointer);
            return;
        }
        base::u64 caller_frame = 0, return_address = 0;
        if (!read_u64_carefully(frame_pointer, caller_frame) ||
            !read_u64_carefully(frame_pointer + 8, return_address)) {
            base::print(console(), "    (frame at {:#x} is unreadable)\n", frame_pointer);
            return;
        }
        if (return_address == 0) return;
        // The return address points after the call; name the call itself.
        print_frame(index, return_address - 1);
        if (caller_frame <= frame_pointer) return;
        frame_pointer = caller_frame;
    }
}

}  // namespace

void panic_begin() {
    arch::interrupts_disable();
    if (panicking.exchange(true)) {
        arch::console_write("\nPANIC during a panic: stopping\n", 32);
        arch::exit_emulator(arch::ExitCode::Panicked);
    }
    base::print(console(), "\n");
}

[[noreturn]] void panic_end(base::uptr frame_pointer) {
    base::print(console(), "  backtrace:\n");
    print_backtrace(frame_pointer, 0);
    base::print(console(), "PANIC: end of dump, stopping\n");
    arch::exit_emulator(arch::ExitCode::Panicked);
}

[[noreturn]] void panic_text(const char* message) { panic("{}", message); }

[[noreturn]] void panic_from_trap(const TrapReport& report) {
    panic_begin();
    base::Sink& out = console();
    base::print(out, "PANIC: unexpected exception: {} (vector {:#x})\n", report.exception_name, report.vector);
    base::print(out, "  error code: {:#x} ({})\n", report.error_code, report.error_description);
    if (report.has_faulting_address) base::print(out, "  faulting address: {:#018x}\n", report.faulting_address);
    base::print(out, "  instruction: {:#018x} ", report.instruction_pointer);
    debug::print_symbol(out, report.instruction_pointer);
    base::print(out, "\n  stack pointer: {:#018x}\n  registers:\n", report.stack_pointer);
    for (base::usize i = 0; i < report.registers.size(); ++i) {
        const TrapRegister& reg = report.registers[i];
        base::print(out, "{}{:>6}={:016x}", i % 4 == 0 ? "    " : "  ", reg.name, reg.value);
        if (i % 4 == 3 || i + 1 == report.registers.size()) base::print(out, "\n");
    }
    base::print(out, "  backtrace:\n");
    print_frame(0, report.instruction_pointer);
    print_backtrace(report.frame_pointer, 1);
    base::print(out, "PANIC: end of dump, stopping\n");
    arch::exit_emulator(arch::ExitCode::Panicked);
}

}  // namespace kernel
