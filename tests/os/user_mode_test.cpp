// In-OS tests of user mode: a Task made by hand (a few instructions in a Bundle mapped into a
// Reticle) enters user mode, makes syscalls and faults; the kernel reports each ending and
// goes on. The programs are machine code so that the tests need no loader.
#include "abi/abi.h"
#include "arch/arch.h"
#include "kernel/mm/layout.h"
#include "kernel/object/bundle.h"
#include "kernel/object/reticle.h"
#include "kernel/object/signal.h"
#include "kernel/object/task.h"
#include "kernel/sched/scheduler.h"
#include "kernel/core/log.h"
#include "kernel/test/test.h"

using namespace kernel;
namespace abi = vectra::abi;

namespace {

constexpr base::u64 kCodeAddress = 0x400000;

#if defined(__x86_64__)
// mov edi, 42; mov eax, task_exit; syscall; ud2
constexpr base::u8 kExit42[] = {0xbf, 42, 0, 0, 0, 0xb8, 18, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b};
// mov byte [0], 1; ud2
constexpr base::u8 kWriteNull[] = {0xc6, 0x04, 0x25, 0, 0, 0, 0, 1, 0x0f, 0x0b};
// mov eax, 999 (no such syscall); syscall; mov rdi, rax; mov eax, task_exit; syscall
constexpr base::u8 kBadSyscall[] = {0xb8, 0xe7, 3, 0, 0, 0x0f, 0x05, 0x48, 0x89, 0xc7, 0xb8, 18, 0, 0, 0, 0x0f, 0x05, 0x0f, 0x0b};
// jmp to the data page (not executable): jmp rel32 to kCodeAddress + 0x1000
constexpr base::u8 kExecuteData[] = {0xe9, 0xfb, 0x0f, 0, 0};
#else
constexpr base::u32 kExit42Words[] = {0xd2800540, 0xd2800248, 0xd4000001, 0x00000000};
constexpr base::u32 kWriteNullWords[] = {0xd2800001, 0xf9000021, 0x00000000};
// mov x8, #999; svc #0; mov x8, task_exit; svc #0 (x0 holds the result: the status)
constexpr base::u32 kBadSyscallWords[] = {0xd2807ce8, 0xd4000001, 0xd2800248, 0xd4000001, 0x00000000};
// b +0x1000 (the data page)
constexpr base::u32 kExecuteDataWords[] = {0x14000400};
#endif

Bundle* test_grant() {
    static Bundle* grant = nullptr;
    if (grant == nullptr) {
        auto created = Bundle::create_root_grant(4096);
        if (created.is_error()) return nullptr;
        grant = created.value();
        grant->retain();
    }
    return grant;
}

// Runs `code` as a new Task until it ends; returns its last report (kind 0xff: did not end).
abi::FaultReport run_program(const void* code, base::usize size) {
    abi::FaultReport none{};
    none.kind = 0xff;
    Bundle* grant = test_grant();
    if (grant == nullptr) return none;
    auto reticle = Reticle::create(*grant);
    auto text = Bundle::create_memory(*grant, 1);
    auto data = Bundle::create_memory(*grant, 1);
    if (reticle.is_error() || text.is_error() || data.is_error()) return none;
    reticle.value()->retain();
    text.value()->retain();
    data.value()->retain();
    auto* bytes = layout::physical_to_pointer<base::u8>(text.value()->physical());
    for (base::usize i = 0; i < size; ++i) bytes[i] = static_cast<const base::u8*>(code)[i];
    const base::u32 rx = abi::kProtectRead | abi::kProtectExecute, rw = abi::kProtectRead | abi::kProtectWrite;
    if (reticle.value()->map(*text.value(), 0, kCodeAddress, 4096, rx, rx) != abi::Status::Ok) return none;
    if (reticle.value()->map(*data.value(), 0, kCodeAddress + 4096, 4096, rw, rw) != abi::Status::Ok) return none;
    auto task = Task::create(*grant, *reticle.value(), base::StringView("test"));
    if (task.is_error()) return none;
    task.value()->retain();
    if (task.value()->start(kCodeAddress, kCodeAddress + 8192, 0) != abi::Status::Ok) return none;
    // The Task runs at a higher priority than this boot context; each yield lets it go on.
    const bool interrupts = arch::interrupts_enabled();
    arch::interrupts_disable();
    for (int i = 0; i < 1000 && !task.value()->finished(); ++i) sched::yield();
    if (interrupts) arch::interrupts_enable();
    abi::FaultReport report = task.value()->finished() ? task.value()->last_report() : none;
    task.value()->release();
    reticle.value()->release();
    text.value()->release();
    data.value()->release();
    (void)reap_objects();
    return report;
}

// The nested software hypervisor (kvm-pvm) this project is also tried on does not deliver
// `syscall` from user mode: the CPU fetches the kernel's entry still at CPL 3 and faults there
// (seL4 shows the same). No real CPU or TCG does that, so a test that sees exactly this under
// KVM says so and stops instead of failing.
bool syscall_undeliverable_here(const abi::FaultReport& report) {
#if defined(__x86_64__)
    base::u32 a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x4000'0000u), "c"(0u));
    const bool kvm = b == 0x4b4d'564b && c == 0x564b'4d56 && d == 0x4d;
    return kvm && report.kind == base::u32(abi::FaultKind::PageFaultExecute) && report.address == report.pc &&
           report.pc >= 0xffff'8000'0000'0000ull;
#else
    (void)report;
    return false;
#endif
}

#define SKIP_IF_SYSCALLS_UNDELIVERABLE(report)                                                             \
    do {                                                                                                   \
        if (syscall_undeliverable_here(report)) {                                                          \
            kernel::log("[test] note: under this KVM a user-mode syscall faults at the kernel's entry; " \
                        "not a VectraOS failure, this case proves nothing here");                          \
            return;                                                                                        \
        }                                                                                                  \
    } while (0)

#if defined(__x86_64__)
#define RUN(program) run_program(program, sizeof program)
#else
#define RUN(program) run_program(program##Words, sizeof program##Words)
#endif

}  // namespace

KERNEL_TEST(a_user_task_exits_with_its_status_through_a_syscall) {
    const abi::FaultReport report = RUN(kExit42);
    SKIP_IF_SYSCALLS_UNDELIVERABLE(report);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::Exited));
    EXPECT_EQ(report.status, 42u);
}

KERNEL_TEST(a_user_write_to_null_is_reported_as_a_page_fault_and_the_kernel_goes_on) {
    const abi::FaultReport report = RUN(kWriteNull);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultWrite));
    EXPECT_EQ(report.address, 0u);
#if defined(__x86_64__)
    EXPECT_EQ(report.pc, kCodeAddress);  // the store is the first instruction
#else
    EXPECT_EQ(report.pc, kCodeAddress + 4);  // after mov x1, #0
#endif
}

KERNEL_TEST(an_unknown_syscall_number_returns_bad_syscall) {
    const abi::FaultReport report = RUN(kBadSyscall);
    SKIP_IF_SYSCALLS_UNDELIVERABLE(report);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::Exited));
    EXPECT_EQ(static_cast<base::i64>(report.status), -static_cast<base::i64>(abi::Status::BadSyscall));
}

KERNEL_TEST(executing_a_data_page_in_user_mode_is_an_execute_fault) {
    const abi::FaultReport report = RUN(kExecuteData);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultExecute));
    EXPECT_EQ(report.address, kCodeAddress + 4096);
}

KERNEL_TEST(a_reticle_never_maps_writable_and_executable_nor_beyond_the_bundle_rights) {
    Bundle* grant = test_grant();
    ASSERT(grant != nullptr);
    auto reticle = Reticle::create(*grant);
    auto page = Bundle::create_memory(*grant, 2);
    ASSERT(reticle.is_ok() && page.is_ok());
    reticle.value()->retain();
    page.value()->retain();
    const base::u32 r = abi::kProtectRead, w = abi::kProtectWrite, x = abi::kProtectExecute;
    Reticle& space = *reticle.value();
    Bundle& bundle = *page.value();
    EXPECT(space.map(bundle, 0, kCodeAddress, 4096, r | w | x, r | w | x) == abi::Status::InvalidArgument);
    EXPECT(space.map(bundle, 0, kCodeAddress, 4096, r | w, r) == abi::Status::MissingRights);
    EXPECT(space.map(bundle, 0, 0, 4096, r, r) == abi::Status::BadAddress);                        // the null page
    EXPECT(space.map(bundle, 0, 0xffff'8000'0000'0000, 4096, r, r) == abi::Status::BadAddress);     // kernel half
    EXPECT(space.map(bundle, 4096, kCodeAddress, 8192, r, r) == abi::Status::InvalidArgument);      // past the Bundle
    EXPECT(space.map(bundle, 0, kCodeAddress, 4096, r | x, r | x) == abi::Status::Ok);
    EXPECT(space.map(bundle, 4096, kCodeAddress, 4096, r, r) == abi::Status::AlreadyExists);
    EXPECT(space.protect(kCodeAddress, 4096, r | w) == abi::Status::MissingRights);                 // never beyond map's rights
    EXPECT(space.protect(kCodeAddress, 4096, r | w | x) == abi::Status::InvalidArgument);
    EXPECT_EQ(space.protection_at(kCodeAddress), r | x);
    EXPECT(space.unmap(kCodeAddress, 4096) == abi::Status::Ok);
    EXPECT_EQ(space.protection_at(kCodeAddress), 0u);
    reticle.value()->release();
    page.value()->release();
    (void)reap_objects();
}

namespace {
#if defined(__x86_64__)
// mov byte [rip - 7], 0 (the instruction's own first byte); ud2
constexpr base::u8 kWriteOwnText[] = {0xc6, 0x05, 0xf9, 0xff, 0xff, 0xff, 0x00, 0x0f, 0x0b};
#else
// adr x1, . ; strb wzr, [x1]
constexpr base::u32 kWriteOwnTextWords[] = {0x10000001, 0x3900003f, 0x00000000};
#endif
}  // namespace

KERNEL_TEST(a_user_write_to_its_own_text_is_a_write_fault) {
    const abi::FaultReport report = RUN(kWriteOwnText);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultWrite));
    EXPECT_EQ(report.address, kCodeAddress);
}

KERNEL_TEST(a_grant_spent_on_objects_refuses_more_and_other_grants_go_on) {
    Bundle* parent = test_grant();
    ASSERT(parent != nullptr);
    auto small = parent->split_grant(8);
    ASSERT(small.is_ok());
    small.value()->retain();
    // Each Signal costs one page of the small grant: eight fit, the ninth is refused.
    Signal* made[16] = {};
    int count = 0;
    abi::Status last = abi::Status::Ok;
    for (; count < 16; ++count) {
        auto signal = Signal::create(*small.value());
        if (signal.is_error()) {
            last = signal.error();
            break;
        }
        made[count] = signal.value();
        made[count]->retain();
    }
    EXPECT_EQ(count, 8);
    EXPECT(last == abi::Status::OutOfMemory);
    EXPECT_EQ(small.value()->pages_left(), 0u);
    // Another grant is untouched and still pays.
    auto other = Signal::create(*parent);
    EXPECT(other.is_ok());
    if (other.is_ok()) {
        other.value()->retain();
        other.value()->release();
    }
    // Objects give their pages back when they die.
    for (int i = 0; i < count; ++i) made[i]->release();
    (void)reap_objects();
    EXPECT_EQ(small.value()->pages_left(), 8u);
    small.value()->release();
    (void)reap_objects();
}

namespace {
#if defined(__x86_64__)
constexpr base::u8 kSpin[] = {0xeb, 0xfe};  // jmp .
#else
constexpr base::u32 kSpinWords[] = {0x14000000};  // b .
#endif
}  // namespace

KERNEL_TEST(a_task_that_never_makes_a_syscall_is_preempted_by_the_timer) {
    Bundle* grant = test_grant();
    ASSERT(grant != nullptr);
    auto reticle = Reticle::create(*grant);
    auto text = Bundle::create_memory(*grant, 1);
    ASSERT(reticle.is_ok() && text.is_ok());
    reticle.value()->retain();
    text.value()->retain();
#if defined(__x86_64__)
    const void* code = kSpin;
    const base::usize size = sizeof kSpin;
#else
    const void* code = kSpinWords;
    const base::usize size = sizeof kSpinWords;
#endif
    auto* bytes = layout::physical_to_pointer<base::u8>(text.value()->physical());
    for (base::usize i = 0; i < size; ++i) bytes[i] = static_cast<const base::u8*>(code)[i];
    const base::u32 rx = abi::kProtectRead | abi::kProtectExecute;
    ASSERT(reticle.value()->map(*text.value(), 0, kCodeAddress, 4096, rx, rx) == abi::Status::Ok);
    auto task = Task::create(*grant, *reticle.value(), base::StringView("spin"));
    ASSERT(task.is_ok());
    task.value()->retain();
    // The same priority as this boot context: only the timer can give the CPU back.
    task.value()->set_priority(sched::current()->priority);
    ASSERT(task.value()->start(kCodeAddress, 0, 0) == abi::Status::Ok);
    const base::u64 switches_before = sched::context_switches();
    const base::u64 started = arch::monotonic_ns();
    for (int i = 0; i < 20; ++i) sched::yield();  // each yield runs the spinner until a tick preempts it
    EXPECT(sched::context_switches() >= switches_before + 20);
    EXPECT(arch::monotonic_ns() - started >= 20ull * 1'000'000);  // at least part of a slice each time
    task.value()->kill(abi::FaultKind::Killed, 0);
    for (int i = 0; i < 100 && !task.value()->finished(); ++i) sched::yield();
    EXPECT(task.value()->finished());
    task.value()->release();
    reticle.value()->release();
    text.value()->release();
    (void)reap_objects();
}

KERNEL_TEST(the_kernel_touching_a_user_page_directly_faults_and_only_the_checked_copies_get_through) {
    if (!arch::user_access_protected()) {
        kernel::log("[test] note: SMAP/PAN is off here (absent, or under KVM); the kernel's own user accesses are not blocked");
        return;
    }
    Bundle* grant = test_grant();
    ASSERT(grant != nullptr);
    auto reticle = Reticle::create(*grant);
    auto page = Bundle::create_memory(*grant, 1);
    ASSERT(reticle.is_ok() && page.is_ok());
    reticle.value()->retain();
    page.value()->retain();
    const base::u32 rw = abi::kProtectRead | abi::kProtectWrite;
    ASSERT(reticle.value()->map(*page.value(), 0, kCodeAddress, 4096, rw, rw) == abi::Status::Ok);
    layout::physical_to_pointer<base::u8>(page.value()->physical())[0] = 0x5a;
    const bool interrupts = arch::interrupts_enabled();
    arch::interrupts_disable();
    sched::load_address_space(reticle.value()->root());
    base::u8 value = 0;
    const bool read = arch::probe_read_u8(reinterpret_cast<const volatile base::u8*>(kCodeAddress), &value);
    const bool written = arch::probe_write_u8(reinterpret_cast<volatile base::u8*>(kCodeAddress), 1);
    base::u8 copied = 0;
    const bool copy_worked = arch::copy_from_user(&copied, kCodeAddress, 1);
    sched::load_address_space(0);
    if (interrupts) arch::interrupts_enable();
    EXPECT(!read);
    EXPECT(!written);
    EXPECT(copy_worked);
    EXPECT_EQ(copied, 0x5a);
    reticle.value()->release();
    page.value()->release();
    (void)reap_objects();
}
