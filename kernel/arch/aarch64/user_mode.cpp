// aarch64 user mode: the boot CPU's guarded overflow stack for kernel stack overflows (FP/SIMD
// for EL0 and PAN are each CPU's own set-up, cpu_setup.cpp), the user half (TTBR0), and
// the C side of context switches and user copies. The assembly is in vectors.S.
#include "arch/arch.h"
#include "arch/user_mode.h"
#include "base/format.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/user_range.h"

extern "C" [[noreturn]] void aarch64_enter_user_mode(arch::UserFrame* frame);
extern "C" void aarch64_context_switch(base::uptr* save, base::uptr next);
extern "C" void aarch64_thread_start();
extern "C" int aarch64_copy_from_user(void* destination, base::u64 source, base::usize length);
extern "C" int aarch64_copy_to_user(base::u64 destination, const void* source, base::usize length);

namespace {

using base::u64;

constexpr u64 kTcrEpd0 = 1ull << 7;

}  // namespace

const char* arch::user_mode_init() {
    static char line[128];
    // FP/SIMD for EL0, EL0's counter and PAN were set by aarch64::configure_this_cpu.
    auto overflow = kernel::mm::allocate_kernel_stack_with_bounds();
    if (overflow.is_ok()) arch::cpu_local()->overflow_stack_top = overflow.value().top;

    base::BufferSink out(line, sizeof line);
    base::print(out, "user mode: svc, PAN {}, FP/SIMD for EL0", aarch64::pan_enabled() ? "on" : "absent (this CPU is ARMv8.0)");
    return line;
}

void arch::context_switch(base::uptr* save_stack_pointer, base::uptr next_stack_pointer) {
    aarch64_context_switch(save_stack_pointer, next_stack_pointer);
}

base::uptr arch::prepare_kernel_stack(base::uptr stack_top, void (*entry)(void*), void* argument) {
    // aarch64_context_switch loads x19-x30 from 12 words and returns to x30.
    auto* words = reinterpret_cast<u64*>(stack_top) - 12;
    for (int i = 0; i < 12; ++i) words[i] = 0;
    words[0] = reinterpret_cast<u64>(entry);                   // x19
    words[1] = reinterpret_cast<u64>(argument);                // x20
    words[11] = reinterpret_cast<u64>(&aarch64_thread_start);  // x30
    return reinterpret_cast<base::uptr>(words);
}

void arch::set_kernel_stack(base::uptr, base::uptr bottom) { arch::cpu_local()->stack_limit = bottom; }

[[noreturn]] void arch::enter_user_mode(UserFrame* frame) { aarch64_enter_user_mode(frame); }

void arch::user_page_table_activate(base::u64 root_physical) {
    // No ASIDs yet: every switch drops the TLB's user entries (kernel entries are global).
    u64 tcr = AARCH64_READ_SYSREG(tcr_el1);
    if (root_physical == 0) {
        tcr |= kTcrEpd0;
    } else {
        AARCH64_WRITE_SYSREG(ttbr0_el1, root_physical);
        tcr &= ~kTcrEpd0;
    }
    AARCH64_WRITE_SYSREG(tcr_el1, tcr);
    asm volatile("isb; tlbi vmalle1; dsb nsh; isb" ::: "memory");
}

void arch::tlb_flush_user_page(base::u64 virtual_address) {
    asm volatile("dsb ishst; tlbi vae1, %0; dsb nsh; isb" ::"r"(virtual_address >> 12) : "memory");
}

void arch::fpu_init(FpuState& state) { state = FpuState{}; }

void arch::fpu_save(FpuState& state) {
    asm volatile(
        ".arch_extension fp\n .arch_extension simd\n"
        "stp q0, q1, [%0, #0]\n stp q2, q3, [%0, #32]\n stp q4, q5, [%0, #64]\n stp q6, q7, [%0, #96]\n"
        "stp q8, q9, [%0, #128]\n stp q10, q11, [%0, #160]\n stp q12, q13, [%0, #192]\n stp q14, q15, [%0, #224]\n"
        "stp q16, q17, [%0, #256]\n stp q18, q19, [%0, #288]\n stp q20, q21, [%0, #320]\n stp q22, q23, [%0, #352]\n"
        "stp q24, q25, [%0, #384]\n stp q26, q27, [%0, #416]\n stp q28, q29, [%0, #448]\n stp q30, q31, [%0, #480]\n"
        "mrs x9, fpcr\n mrs x10, fpsr\n add x11, %0, #512\n stp x9, x10, [x11]\n"
        ::"r"(state.q) : "x9", "x10", "x11", "memory");
}

void arch::fpu_restore(const FpuState& state) {
    asm volatile(
        ".arch_extension fp\n .arch_extension simd\n"
        "ldp q0, q1, [%0, #0]\n ldp q2, q3, [%0, #32]\n ldp q4, q5, [%0, #64]\n ldp q6, q7, [%0, #96]\n"
        "ldp q8, q9, [%0, #128]\n ldp q10, q11, [%0, #160]\n ldp q12, q13, [%0, #192]\n ldp q14, q15, [%0, #224]\n"
        "ldp q16, q17, [%0, #256]\n ldp q18, q19, [%0, #288]\n ldp q20, q21, [%0, #320]\n ldp q22, q23, [%0, #352]\n"
        "ldp q24, q25, [%0, #384]\n ldp q26, q27, [%0, #416]\n ldp q28, q29, [%0, #448]\n ldp q30, q31, [%0, #480]\n"
        "add x11, %0, #512\n ldp x9, x10, [x11]\n msr fpcr, x9\n msr fpsr, x10\n"
        ::"r"(state.q) : "x9", "x10", "x11", "memory");
}

bool arch::copy_from_user(void* kernel_destination, base::u64 user_source, base::usize length) {
    if (length == 0) return true;
    if (!kernel::user_range_valid(user_source, length)) return false;
    return aarch64_copy_from_user(kernel_destination, user_source, length);
}

bool arch::copy_to_user(base::u64 user_destination, const void* kernel_source, base::usize length) {
    if (length == 0) return true;
    if (!kernel::user_range_valid(user_destination, length)) return false;
    return aarch64_copy_to_user(user_destination, kernel_source, length);
}

bool arch::user_access_protected() { return aarch64::pan_enabled(); }

bool arch::interrupt_line_valid(base::u32 line) { return line >= 32 && line < 1020; }
void arch::interrupt_line_set_masked(base::u32 line, bool masked) {
    if (!interrupt_line_valid(line)) return;
    if (masked) {
        aarch64::gic_disable_interrupt(line);
    } else {
        aarch64::gic_route_to_boot_cpu(line);
        aarch64::gic_enable_interrupt(line);
    }
}
