// Revoking a Bundle capability unmaps what was mapped through it, in every Reticle: a Task
// that was reading the page faults at its next touch (probed for real, by a running Task whose
// fault report comes back on a fault Ring), whether the mapping is in this program's own Reticle
// or in another Task's. Closing the capability (not revoking) keeps the mapping, and a grant
// pays again for as many map-and-revoke rounds as it likes (nothing leaks).
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using abi::Handle;
using abi::Status;
using base::u64;
using base::u8;

constexpr u64 kPage = abi::kPageSize;
constexpr base::u32 kRead = abi::kProtectRead, kReadWrite = abi::kProtectRead | abi::kProtectWrite;

Handle grant() { return vectra::start_info()->memory_grant; }
Handle own_reticle() { return vectra::start_info()->self_reticle; }

volatile u64 touches = 0;
alignas(16) u8 toucher_stack[16 * 1024];

// Reads the byte at `address` for ever (until the page goes and the read faults).
[[noreturn]] void touch_for_ever(u64 address) {
    for (;;) {
        (void)*reinterpret_cast<const volatile u8*>(address);
        touches = touches + 1;
    }
}

u64 toucher_stack_pointer() { return vectra::initial_stack_pointer(toucher_stack, sizeof toucher_stack); }

void pause_ms(u64 milliseconds) {
    auto signal = sys::signal_create(grant());
    if (signal.is_error()) return;
    (void)sys::signal_wait(signal.value(), 1, milliseconds * 1'000'000);
    (void)sys::handle_close(signal.value());
}

// The next fault report on `ring`; kind 0xfe when none came within `timeout_ms`.
abi::FaultReport next_report(Handle ring, u64 timeout_ms) {
    abi::FaultReport report{};
    abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
    if (sys::ring_receive(ring, message, timeout_ms * 1'000'000).is_error()) report.kind = 0xfe;
    return report;
}

bool is_page_fault_in(const abi::FaultReport& report, u64 page) {
    const bool page_fault = report.kind == base::u32(abi::FaultKind::PageFaultRead) ||
                            report.kind == base::u32(abi::FaultKind::PageFaultWrite);
    return page_fault && report.address >= page && report.address < page + kPage;
}

// A Task with a fault Ring this program reads; closes everything it made.
struct Worker {
    Handle task = abi::kNoHandle;
    sys::RingEnds faults{abi::kNoHandle, abi::kNoHandle};
    bool made = false;

    Worker(Handle reticle, const char* name) {
        auto created = sys::task_create(grant(), reticle, base::StringView(name));
        auto ring = sys::ring_create(grant(), 4);
        if (created.is_error() || ring.is_error()) return;
        task = created.value();
        faults = ring.value();
        made = sys::task_set_fault_ring(task, faults.first).is_ok() &&
               sys::task_set_priority(task, abi::kPriorityDefault).is_ok();  // the timer shares the CPU with us
    }
    ~Worker() {
        if (task != abi::kNoHandle) {
            (void)sys::task_kill(task);
            (void)sys::handle_close(task);
        }
        if (faults.first != abi::kNoHandle) (void)sys::handle_close(faults.first);
        if (faults.second != abi::kNoHandle) (void)sys::handle_close(faults.second);
    }
};

#if defined(__x86_64__)
// At the code page C, with the data page at C + 4096:
//   lea rax, [rip + 0xff9]      (C + 4096)
//   1: mov cl, [rax]
//      add qword [rax + 8], 1   (progress, which the test reads through its Bundle capability)
//      jmp 1b
constexpr u8 kToucherCode[] = {0x48, 0x8d, 0x05, 0xf9, 0x0f, 0x00, 0x00, 0x8a, 0x08,
                               0x48, 0x83, 0x40, 0x08, 0x01, 0xeb, 0xf7};
#else
//   adr x0, . + 4096
//   1: ldrb w1, [x0]
//      ldr x2, [x0, #8]; add x2, x2, #1; str x2, [x0, #8]
//      b 1b
constexpr base::u32 kToucherWords[] = {0x10008000, 0x39400001, 0xf9400402, 0x91000442, 0xf9000402, 0x17fffffc};
constexpr const void* kToucherCode = kToucherWords;
#endif
#if defined(__x86_64__)
constexpr u64 kToucherBytes = sizeof kToucherCode;
#else
constexpr u64 kToucherBytes = sizeof kToucherWords;
#endif

}  // namespace

USER_TEST(a_mapping_made_through_a_derived_capability_goes_when_the_parent_is_revoked) {
    auto bundle = sys::bundle_create(grant(), 1);
    ASSERT(bundle.is_ok());
    const u8 marker = 0x5a;
    ASSERT(sys::bundle_write(bundle.value(), 0, &marker, 1).is_ok());
    auto derived = sys::handle_derive(bundle.value(), abi::kRightRead | abi::kRightMap);
    ASSERT(derived.is_ok());
    const u64 where = vectra::layout::kFreeBase + 64 * kPage;
    ASSERT(sys::reticle_map(own_reticle(), derived.value(), 0, where, kPage, kRead).is_ok());
    EXPECT_EQ(*reinterpret_cast<const volatile u8*>(where), marker);

    Worker worker(own_reticle(), "toucher");
    ASSERT(worker.made);
    touches = 0;
    ASSERT(sys::task_start(worker.task, reinterpret_cast<u64>(&touch_for_ever), toucher_stack_pointer(), where).is_ok());
    // Bound: 10 s for the toucher to get going (a loaded host may hold its CPU back for long).
    for (int waited = 0; waited < 10'000 && touches == 0; ++waited) pause_ms(1);
    EXPECT(touches > 0);
    EXPECT_EQ(next_report(worker.faults.second, 0).kind, 0xfeu);  // no fault while mapped

    EXPECT(sys::revoke_all(bundle.value()).is_ok());
    const abi::FaultReport report = next_report(worker.faults.second, 2000);
    EXPECT(is_page_fault_in(report, where));
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultRead));
    // The mapping and the derived capability are gone; the Bundle and its own capability stay.
    EXPECT_EQ(sys::reticle_unmap(own_reticle(), where, kPage).status(), Status::NotFound);
    EXPECT_EQ(sys::handle_info(derived.value()).status(), Status::BadHandle);
    u8 seen = 0;
    EXPECT(sys::bundle_read(bundle.value(), 0, &seen, 1).is_ok());
    EXPECT_EQ(seen, marker);
    EXPECT(sys::handle_close(bundle.value()).is_ok());
}

USER_TEST(a_mapping_in_another_tasks_reticle_goes_when_the_capability_is_revoked_here) {
    auto reticle = sys::reticle_create(grant());
    auto code = sys::bundle_create(grant(), 1);
    auto data = sys::bundle_create(grant(), 1);
    ASSERT(reticle.is_ok() && code.is_ok() && data.is_ok());
    ASSERT(sys::bundle_write(code.value(), 0, kToucherCode, kToucherBytes).is_ok());
    const u64 code_at = vectra::layout::kImageBase, data_at = code_at + kPage;
    ASSERT(sys::reticle_map(reticle.value(), code.value(), 0, code_at, kPage, abi::kProtectRead | abi::kProtectExecute).is_ok());
    // The data page goes into the other Reticle through a narrowed capability derived from ours.
    auto derived = sys::handle_derive(data.value(), abi::kRightRead | abi::kRightWrite | abi::kRightMap);
    ASSERT(derived.is_ok());
    ASSERT(sys::reticle_map(reticle.value(), derived.value(), 0, data_at, kPage, kReadWrite).is_ok());
    EXPECT(sys::handle_close(derived.value()).is_ok());  // closing keeps the mapping (under `data`)

    Worker worker(reticle.value(), "elsewhere");
    ASSERT(worker.made);
    ASSERT(sys::task_start(worker.task, code_at, 0, 0).is_ok());
    u64 progress = 0;
    // Bound: 10 s for the worker to get going.
    for (int waited = 0; waited < 10'000 && progress == 0; ++waited) {
        pause_ms(1);
        EXPECT(sys::bundle_read(data.value(), 8, &progress, sizeof progress).is_ok());
    }
    EXPECT(progress > 0);  // it ran, reading and writing the page through its own Reticle
    EXPECT_EQ(next_report(worker.faults.second, 0).kind, 0xfeu);

    EXPECT(sys::revoke_all(data.value()).is_ok());
    const abi::FaultReport report = next_report(worker.faults.second, 2000);
    EXPECT(is_page_fault_in(report, data_at));
    EXPECT(report.pc >= code_at && report.pc < code_at + kToucherBytes);
    // Only that mapping went: the code is still mapped there, the data page is not.
    EXPECT_EQ(sys::reticle_unmap(reticle.value(), data_at, kPage).status(), Status::NotFound);
    EXPECT(sys::reticle_unmap(reticle.value(), code_at, kPage).is_ok());
    (void)sys::handle_close(code.value());
    (void)sys::handle_close(data.value());
    (void)sys::handle_close(reticle.value());
}

USER_TEST(closing_the_capability_a_mapping_was_made_through_keeps_the_mapping) {
    auto bundle = sys::bundle_create(grant(), 1);
    ASSERT(bundle.is_ok());
    const u64 where = vectra::layout::kFreeBase + 80 * kPage;
    ASSERT(sys::reticle_map(own_reticle(), bundle.value(), 0, where, kPage, kReadWrite).is_ok());
    EXPECT(sys::handle_close(bundle.value()).is_ok());
    *reinterpret_cast<volatile u8*>(where) = 7;  // still mapped: this would fault the test program
    EXPECT_EQ(*reinterpret_cast<const volatile u8*>(where), 7u);
    EXPECT(sys::reticle_unmap(own_reticle(), where, kPage).is_ok());
}

USER_TEST(a_grant_pays_again_for_every_round_of_map_revoke_and_unmap) {
    // 40 pages: each round takes about 11 (a Reticle's record, root and page tables, a Bundle's
    // record and 4 frames) and gives them back; if a revoked or unmapped mapping kept even one
    // page each round, the grant would run out before the 32nd.
    auto small = sys::grant_split(grant(), 40);
    ASSERT(small.is_ok());
    int rounds = 0;
    for (; rounds < 32; ++rounds) {
        auto reticle = sys::reticle_create(small.value());
        auto bundle = sys::bundle_create(small.value(), 4);
        if (reticle.is_error() || bundle.is_error()) break;
        auto derived = sys::handle_derive(bundle.value(), abi::kRightRead | abi::kRightMap | abi::kRightRevoke);
        bool ok = derived.is_ok() &&
                  sys::reticle_map(reticle.value(), derived.value(), 0, vectra::layout::kFreeBase, 4 * kPage, kRead).is_ok() &&
                  sys::reticle_map(reticle.value(), bundle.value(), 0, vectra::layout::kFreeBase + 4 * kPage, 4 * kPage, kRead).is_ok();
        // One mapping goes by a revoke (of the capability it was made through: the other one,
        // made through `bundle`, is not under it), one by unmap, and the last with the Reticle.
        ok = ok && sys::revoke_all(derived.value()).is_ok() &&
             sys::reticle_unmap(reticle.value(), vectra::layout::kFreeBase, 4 * kPage).status() == Status::NotFound &&
             sys::reticle_unmap(reticle.value(), vectra::layout::kFreeBase + 4 * kPage, 4 * kPage).is_ok() &&
             sys::reticle_map(reticle.value(), bundle.value(), 0, vectra::layout::kFreeBase, 4 * kPage, kRead).is_ok();
        if (derived.is_ok()) (void)sys::handle_close(derived.value());
        (void)sys::handle_close(bundle.value());
        (void)sys::handle_close(reticle.value());
        if (!ok) break;
        pause_ms(2);  // the reaper gives the pages back on the way to user mode
    }
    EXPECT_EQ(rounds, 32);
    (void)sys::handle_close(small.value());
}
