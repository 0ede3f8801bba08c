// The user-mode half of the arch contract: threads' kernel stacks and context switches, the
// saved user registers, entering and leaving user mode, FP/SIMD state, and the checked copies
// between kernel and user memory. Each architecture implements it in kernel/arch/<arch>/ and
// describes its register frame in "arch/user_frame.h".
//
// One CPU for now: the kernel runs with interrupts off except in the idle loop, so the
// "current thread's kernel stack" below is a single value. SMP moves it into per-CPU data.
#pragma once

#include "arch/user_frame.h"
#include "base/types.h"

namespace arch {

// --- Kernel context switch. Saves the callee-saved registers on the current kernel stack,
// stores the stack pointer in *save_stack_pointer, then loads next_stack_pointer and resumes
// whatever saved it there (or a fresh thread's entry). Interrupts are off across it.
void context_switch(base::uptr* save_stack_pointer, base::uptr next_stack_pointer);

// Lays out a fresh kernel stack so that the first context_switch into it calls
// entry(argument) on that stack; returns the stack pointer to switch to.
base::uptr prepare_kernel_stack(base::uptr stack_top, void (*entry)(void*), void* argument);

// The kernel stack a trap or syscall from user mode lands on: the current thread's
// [bottom, top). Set on every switch to a thread that runs in user mode.
void set_kernel_stack(base::uptr top, base::uptr bottom);

// Leaves for user mode with the registers in `frame`, which lies at the top of the current
// kernel stack (where the next trap from user mode will save them again).
[[noreturn]] void enter_user_mode(UserFrame* frame);

// Makes `root_physical` the user half's page-table root (x86_64: a whole root whose upper
// half shares the kernel's tables; aarch64: TTBR0_EL1). 0 means "no user half".
void user_page_table_activate(base::u64 root_physical);
// After a user mapping changes: drop the TLB entries for one page / for the whole user half.
void tlb_flush_user_page(base::u64 virtual_address);
// The user's thread pointer: TPIDR_EL0 (user code may also set it itself), or on x86_64 the FS
// base (set by thread_set_tls; user code cannot write it, as FSGSBASE is off, but a selector
// load may change it, so it is read back from the MSR rather than remembered). Saved and
// restored with each thread so one thread never sees another's.
base::u64 user_thread_pointer();
void set_user_thread_pointer(base::u64 value);
// Whether `value` may be loaded as a thread pointer (x86_64: a user-half address or 0).
bool user_thread_pointer_valid(base::u64 value);

// --- FP/SIMD: each thread's state lives in a FpuState (arch/user_frame.h); the kernel itself
// never uses these registers, so they are switched only between threads.
void fpu_init(FpuState& state);
void fpu_save(FpuState& state);
void fpu_restore(const FpuState& state);

// --- User memory. Each copy checks that the whole user range lies inside the user half and
// survives faults: false means nothing more is copied and the caller reports BadAddress.
bool copy_from_user(void* kernel_destination, base::u64 user_source, base::usize length);
bool copy_to_user(base::u64 user_destination, const void* kernel_source, base::usize length);

// --- Device interrupt lines for Masks (x86_64: legacy PIC lines 0-15; aarch64: GIC SPIs by
// interrupt id). The architecture calls kernel::device_interrupt(line) and signals the end of
// the interrupt to the controller; the Mask keeps the line masked until its driver acknowledges.
bool interrupt_line_valid(base::u32 line);
void interrupt_line_set_masked(base::u32 line, bool masked);

// Whether the kernel's own accesses to user pages fault (SMAP / PAN are on); the checked
// copies above are the only way through then.
bool user_access_protected();

// Per-CPU protections against the kernel touching user memory by accident (SMEP/SMAP on
// x86_64, PAN on aarch64 where the CPU has it), guarded exception stacks, and the syscall
// entry. Called once after the kernel's address space is built. Returns a line for the log.
const char* user_mode_init();

}  // namespace arch

// Called by the architecture (portable side, kernel/syscall and kernel/sched).
namespace kernel {
// A syscall from user mode; the frame holds the number and arguments and receives the result.
void handle_syscall(arch::UserFrame& frame);
// A fault or exception taken in user mode that the architecture could not resolve.
void handle_user_fault(arch::UserFrame& frame, const arch::UserFault& fault);
// Every return to user mode passes here (after a syscall, a fault or an interrupt): the
// scheduler may switch threads, and a killed thread never returns to user mode.
void before_user_return(arch::UserFrame& frame);
// A timer tick (interrupt context, from user or kernel mode).
void scheduler_tick();
// An interrupt on a device line (interrupt context); the Mask bound to it takes it from here.
void device_interrupt(base::u32 line);
}  // namespace kernel
