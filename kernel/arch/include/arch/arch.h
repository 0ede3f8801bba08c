// The contract every architecture implements (kernel/arch/<arch>/). Portable kernel code
// reaches the hardware only through this header; it never includes an arch header itself.
// Each architecture also provides "arch/page_table_format.h" (the PTE encoding used by the
// portable page-table walker) from kernel/arch/<arch>/include/.
#pragma once

#include "base/span.h"
#include "base/string_view.h"
#include "base/types.h"

namespace arch {

// "x86_64" or "aarch64": printed in the banner.
const char* name();

// --- Early console: the kernel's own log (16550 COM1 / PL011), polled, usable from the very
// first instruction of C++ code and from panics. Not a driver for userland.
void console_write(const char* text, base::usize length);

// --- CPU control.
void interrupts_enable();
void interrupts_disable();
bool interrupts_enabled();
// Called with interrupts off: sleeps until an interrupt is pending (at once if one is), then
// takes it, returning with interrupts on. A check made with interrupts off just before cannot
// miss a wake-up: an interrupt that comes after it ends the sleep.
void wait_for_interrupt();
[[noreturn]] void halt();   // interrupts off, sleeps forever

// Ends the emulator with a status the host runner reads. QEMU exits with (code << 1) | 1 on
// both architectures: 33 passed, 35 failed, 37 panicked (isa-debug-exit on x86_64,
// semihosting SYS_EXIT on aarch64).
enum class ExitCode : base::u8 { Passed = 0x10, Failed = 0x11, Panicked = 0x12 };
[[noreturn]] void exit_emulator(ExitCode code);

// --- Traps. Installed during arch boot, before kernel_main. Unexpected exceptions end in
// kernel::panic_from_trap with a filled TrapReport.
// (See kernel/core/panic.h.)

// --- Timer: a periodic tick at `hz` calling `on_tick` in interrupt context, and a monotonic
// nanosecond clock that never goes backwards. timer_init calibrates what needs calibrating.
void timer_init(base::u32 hz, void (*on_tick)());
// The same tick on a secondary CPU (its own local timer), once timer_init has run on the boot
// CPU; interrupts stay off until the caller enables them.
void timer_start_this_cpu();
base::u64 monotonic_ns();

// --- Paging: make `root_physical` the kernel's page-table root (x86_64 CR3; aarch64 TTBR1_EL1
// for the upper half, TTBR0_EL1 left for userland) and flush the TLB.
void page_table_activate(base::u64 root_physical);
void tlb_flush_page(base::u64 virtual_address);
void tlb_flush_all();

// --- Faults the kernel expects. These touch memory that may be unmapped or read-only and
// report a fault instead of panicking (an exception-table fixup in the trap handler). Used by
// tests that prove W^X and guard pages are enforced.
bool probe_write_u8(volatile base::u8* address, base::u8 value);  // false if the write faulted
bool probe_read_u8(const volatile base::u8* address, base::u8* out);  // false if the read faulted
// Calls `address`: false if fetching the instruction there faulted, true if it ran and
// returned. Point it only at memory that must not execute, or at a copy of
// execute_probe_return_code (kernel/core/execute_probe.h).
bool probe_execute(base::uptr address);

// --- Stacks: run `entry(argument)` on a new stack; never returns.
[[noreturn]] void switch_stack_and_call(base::uptr stack_top, void (*entry)(void*), void* argument);

// Frame pointer of the caller: backtraces walk [fp] = previous fp, [fp + 8] = return address,
// the same record on both architectures.
base::uptr current_frame_pointer();

}  // namespace arch
