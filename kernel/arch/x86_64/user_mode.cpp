// x86_64 user mode: syscall MSRs, SMEP/SMAP, the FP/SIMD unit (FXSAVE, or XSAVE with AVX where
// the CPU has it), guarded stacks for double faults, NMIs and machine checks, and the C side of
// the syscall entry. The assembly is in user_entry.S.
#include "arch/arch.h"
#include "arch/smp.h"
#include "arch/user_mode.h"
#include "base/format.h"
#include "kernel/mm/user_range.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/arch/x86_64/cpu.h"
#include "kernel/arch/x86_64/legacy_pic.h"
#include "kernel/mm/kernel_address_space.h"

extern "C" void x86_64_syscall_entry();
extern "C" [[noreturn]] void x86_64_enter_user_mode(arch::UserFrame* frame);
extern "C" void x86_64_context_switch(base::uptr* save, base::uptr next);
extern "C" void x86_64_thread_start();
extern "C" int x86_64_copy_user_smap(void* destination, const void* source, base::usize length);
extern "C" int x86_64_copy_user_plain(void* destination, const void* source, base::usize length);

namespace {

using base::u32;
using base::u64;

constexpr u32 kEfer = 0xc000'0080, kStar = 0xc000'0081, kLstar = 0xc000'0082, kSfmask = 0xc000'0084;
constexpr u32 kPat = 0x277;
constexpr u64 kEferSyscallEnable = 1;
constexpr u64 kCr4Osfxsr = 1ull << 9, kCr4Osxmmexcpt = 1ull << 10, kCr4Osxsave = 1ull << 18;
constexpr u64 kCr4Smep = 1ull << 20, kCr4Smap = 1ull << 21;
constexpr u64 kCr0MonitorCoprocessor = 1ull << 1, kCr0Emulation = 1ull << 2, kCr0TaskSwitched = 1ull << 3;
// Native x87 error reporting (#MF), not the PC's FERR#/IRQ 13 path, which nothing here handles.
constexpr u64 kCr0NumericError = 1ull << 5;
// SFMASK: IF, TF, DF, AC, NT cleared on syscall.
constexpr u64 kSyscallFlagMask = (1 << 9) | (1 << 8) | (1 << 10) | (1 << 18) | (1 << 14);
// The power-on PAT (write-back, write-through, uncached-minus, uncached, twice), written on
// every CPU so that none depends on what firmware left: the page tables' PWT/PCD bits (device
// mappings) mean the same everywhere.
constexpr u64 kPatValue = 0x0007'0406'0007'0406;
// An XSAVE area starts with the legacy region (x87 and SSE, 512 bytes) and its header (64).
constexpr u32 kXsaveLegacyAndHeaderBytes = 576;

// Decided once on the boot CPU by user_mode_init, before any other CPU starts; read-only after.
// Every CPU runs with the same choices (user_mode_registers_init).
constinit bool smep_enabled = false;
constinit bool smap_enabled = false;
constinit bool xsave_enabled = false;
constinit u64 xsave_features = 0;

void cpuid(u32 leaf, u32 subleaf, u32& a, u32& b, u32& c, u32& d) {
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(leaf), "c"(subleaf));
}

void write_cr0(u64 value) { asm volatile("mov %0, %%cr0" ::"r"(value) : "memory"); }
void write_xcr0(u64 value) { asm volatile("xsetbv" ::"c"(0), "a"(u32(value)), "d"(u32(value >> 32))); }

// KVM's signature at the hypervisor leaf. The nested software hypervisor this project is
// tested on fails to emulate XRSTOR ("emulation failure"), so under KVM the kernel keeps to
// FXSAVE (x87 and SSE; AVX stays off since OSXSAVE is never set).
bool under_kvm() {
    u32 a, b, c, d;
    cpuid(1, 0, a, b, c, d);
    if (((c >> 31) & 1) == 0) return false;
    cpuid(0x4000'0000, 0, a, b, c, d);
    return b == 0x4b4d'564b && c == 0x564b'4d56 && d == 0x4d;  // "KVMKVMKVM\0\0\0"
}

// Chooses how FP/SIMD state is saved (sets xsave_enabled and xsave_features) and says so.
const char* choose_fpu_save() {
    u32 a, b, c, d;
    cpuid(1, 0, a, b, c, d);
    const bool kvm = under_kvm();
    const bool has_xsave = ((c >> 26) & 1) && !kvm, has_avx = (c >> 28) & 1;
    if (!has_xsave) return kvm ? "FXSAVE (x87, SSE; XSAVE is not used under KVM)" : "FXSAVE (x87, SSE)";
    u32 area = kXsaveLegacyAndHeaderBytes;
    if (has_avx) {
        cpuid(0xd, 2, a, b, c, d);  // the AVX component: its size (eax) at its offset (ebx)
        if (a + b > area) area = a + b;
    }
    if (area > sizeof(arch::FpuState::bytes)) return "FXSAVE (the XSAVE area is larger than the save slot)";
    xsave_enabled = true;
    xsave_features = 0x3 | (has_avx ? 0x4 : 0);  // x87, SSE, AVX
    return has_avx ? "XSAVE (x87, SSE, AVX)" : "XSAVE (x87, SSE)";
}

}  // namespace

namespace {
// What each CPU's registers held once user_mode_registers_init set them (tests); written by
// that CPU before it goes online.
constinit x86_64::UserModeRegisters registers_set[arch::kMaxCpus] = {};
}  // namespace

x86_64::UserModeRegisters x86_64::user_mode_registers(unsigned cpu) {
    return cpu < arch::kMaxCpus ? registers_set[cpu] : UserModeRegisters{};
}

void x86_64::user_mode_registers_init(unsigned cpu) {
    write_msr(kPat, kPatValue);
    write_msr(kEfer, read_msr(kEfer) | kEferSyscallEnable);
    // STAR: syscall loads CS 0x08 / SS 0x10; sysret loads CS 0x18+16 = 0x28 / SS 0x18+8 = 0x20 (RPL 3).
    write_msr(kStar, (u64(0x18 | 3) << 48) | (u64(0x08) << 32));
    write_msr(kLstar, reinterpret_cast<u64>(&x86_64_syscall_entry));
    write_msr(kSfmask, kSyscallFlagMask);

    u64 cr4 = read_cr4() | kCr4Osfxsr | kCr4Osxmmexcpt;
    if (smep_enabled) cr4 |= kCr4Smep;
    if (smap_enabled) cr4 |= kCr4Smap;
    if (xsave_enabled) cr4 |= kCr4Osxsave;
    write_cr4(cr4);
    write_cr0((read_cr0() | kCr0MonitorCoprocessor | kCr0NumericError) & ~(kCr0Emulation | kCr0TaskSwitched));
    if (xsave_enabled) write_xcr0(xsave_features);

    if (cpu >= arch::kMaxCpus) return;
    u32 xcr0_low = 0, xcr0_high = 0;
    if (xsave_enabled) asm volatile("xgetbv" : "=a"(xcr0_low), "=d"(xcr0_high) : "c"(0));
    registers_set[cpu] = UserModeRegisters{read_cr0(), read_cr4(), read_msr(kEfer), read_msr(kStar), read_msr(kLstar),
                                           read_msr(kSfmask), read_msr(kPat), u64(xcr0_high) << 32 | xcr0_low};
}

const char* arch::user_mode_init() {
    static char line[160];
    // Traps on their own guarded stacks: an overflow of one of them faults into its guard page
    // (and ends in a triple fault rather than silent corruption). Should memory run out, the
    // early stack stays behind the ones not given.
    (void)x86_64::allocate_interrupt_stacks(0);

    u32 a, b, c, d;
    cpuid(7, 0, a, b, c, d);
    // The nested hypervisor here (kvm-pvm) fails to emulate stac/clac ("emulation failure"), so
    // SMAP stays off under KVM; the checked copies and SMEP still hold.
    smep_enabled = (b >> 7) & 1;
    smap_enabled = ((b >> 20) & 1) && !under_kvm();
    const char* fpu = choose_fpu_save();
    x86_64::user_mode_registers_init(0);

    base::BufferSink out(line, sizeof line);
    base::print(out, "user mode: syscall/sysret, SMEP {}, SMAP {}, {}", smep_enabled ? "on" : "absent",
                smap_enabled ? "on" : (under_kvm() ? "off under KVM" : "absent"), fpu);
    return line;
}

void arch::context_switch(base::uptr* save_stack_pointer, base::uptr next_stack_pointer) {
    x86_64_context_switch(save_stack_pointer, next_stack_pointer);
}

base::uptr arch::prepare_kernel_stack(base::uptr stack_top, void (*entry)(void*), void* argument) {
    // x86_64_context_switch pops r15, r14, r13, r12, rbx, rbp, then returns.
    auto* words = reinterpret_cast<u64*>(stack_top) - 8;
    words[0] = 0;                                            // r15
    words[1] = 0;                                            // r14
    words[2] = reinterpret_cast<u64>(entry);                 // r13
    words[3] = reinterpret_cast<u64>(argument);              // r12
    words[4] = 0;                                            // rbx
    words[5] = 0;                                            // rbp
    words[6] = reinterpret_cast<u64>(&x86_64_thread_start);  // return address
    words[7] = 0;                                            // keeps entry's stack 16-byte aligned
    return reinterpret_cast<base::uptr>(words);
}

void arch::set_kernel_stack(base::uptr top, base::uptr) {
    arch::cpu_local()->kernel_stack_top = top;  // where this CPU's syscall entry switches to
    x86_64::set_kernel_stack_for_traps(top);
}

[[noreturn]] void arch::enter_user_mode(UserFrame* frame) { x86_64_enter_user_mode(frame); }

void arch::user_page_table_activate(base::u64 root_physical) {
    // A user root carries the kernel's upper half too, so it can be loaded as is; "no user
    // half" means the kernel's own root. Global kernel entries survive the switch.
    const u64 root = root_physical != 0 ? root_physical : kernel::mm::kernel_page_table().root();
    if (x86_64::read_cr3() != root) x86_64::write_cr3(root);
}

void arch::tlb_flush_user_page(base::u64 virtual_address) { tlb_flush_page(virtual_address); }

void arch::fpu_init(FpuState& state) {
    for (auto& byte : state.bytes) byte = 0;
    // FCW 0x37f and MXCSR 0x1f80: the power-on defaults (all exceptions masked).
    state.bytes[0] = 0x7f;
    state.bytes[1] = 0x03;
    state.bytes[24] = 0x80;
    state.bytes[25] = 0x1f;
}

void arch::fpu_save(FpuState& state) {
    if (xsave_enabled) {
        asm volatile("xsave64 %0" : "=m"(state.bytes) : "a"(u32(xsave_features)), "d"(u32(xsave_features >> 32)) : "memory");
    } else {
        asm volatile("fxsave64 %0" : "=m"(state.bytes)::"memory");
    }
}

void arch::fpu_restore(const FpuState& state) {
    if (xsave_enabled) {
        asm volatile("xrstor64 %0" ::"m"(state.bytes), "a"(u32(xsave_features)), "d"(u32(xsave_features >> 32)) : "memory");
    } else {
        asm volatile("fxrstor64 %0" ::"m"(state.bytes) : "memory");
    }
}

bool arch::copy_from_user(void* kernel_destination, base::u64 user_source, base::usize length) {
    if (length == 0) return true;
    if (!kernel::user_range_valid(user_source, length)) return false;
    const void* source = reinterpret_cast<const void*>(user_source);
    return smap_enabled ? x86_64_copy_user_smap(kernel_destination, source, length)
                        : x86_64_copy_user_plain(kernel_destination, source, length);
}

bool arch::copy_to_user(base::u64 user_destination, const void* kernel_source, base::usize length) {
    if (length == 0) return true;
    if (!kernel::user_range_valid(user_destination, length)) return false;
    void* destination = reinterpret_cast<void*>(user_destination);
    return smap_enabled ? x86_64_copy_user_smap(destination, kernel_source, length)
                        : x86_64_copy_user_plain(destination, kernel_source, length);
}

extern "C" void x86_64_syscall(arch::UserFrame* frame) {
    kernel::handle_syscall(*frame);
    kernel::before_user_return(*frame);
}

bool arch::user_access_protected() { return smap_enabled; }

bool arch::interrupt_line_valid(base::u32 line) { return line < 16 && line != 2; }
void arch::interrupt_line_set_masked(base::u32 line, bool masked) {
    if (interrupt_line_valid(line)) x86_64::legacy_pic::set_masked(line, masked);
}
