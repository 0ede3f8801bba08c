// Several CPUs (skipped, and saying so, on one): Tasks pinned to different CPUs call each
// other over a Ring, and a page unmapped on one CPU is gone on the other once the unmap
// returns (the TLB shootdown).
#include "user/runtime/console.h"
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using base::u64;
using base::u8;

abi::Handle grant() { return vectra::start_info()->memory_grant; }
abi::Handle self_reticle() { return vectra::start_info()->self_reticle; }
abi::Handle self_task() { return vectra::start_info()->self_task; }

constexpr u64 kPage = 4096;
constexpr u64 kSharedPage = vectra::layout::kFreeBase + 300 * kPage;

alignas(16) u8 other_stack[16 * 1024];
u64 other_stack_pointer() { return vectra::initial_stack_pointer(other_stack, sizeof other_stack); }

// The second running CPU, as an affinity mask (CPU 1 unless it did not come up).
u64 second_cpu() { return u64(1) << sys::nth_online_cpu(1); }

bool several_cpus() {
    if (sys::cpu_count() >= 2) return true;
    vectra::println("  (one CPU: nothing to check across CPUs)");
    return false;
}

// --- Ring calls across CPUs ---
struct EchoArguments {
    abi::Handle ring;
    u64 served;
    u64 off_its_cpu;  // requests it answered anywhere but the second CPU (affinity broken)
};
EchoArguments echo_arguments;

// On its own CPU: answers each request with its bytes reversed, until a request of 0 bytes.
[[noreturn]] void echo_reversed(EchoArguments* arguments) {
    u8 request[abi::kMessageMaxBytes], reply[abi::kMessageMaxBytes];
    const u64 its_cpu = sys::nth_online_cpu(1);
    abi::RingMessage in{reinterpret_cast<u64>(request), 0, sizeof request, 0, 0, 0};
    base::i64 status = sys::raw::ring_receive(arguments->ring, &in, abi::kForever);
    // Bound: one reply per request; the client ends with an empty one.
    while (status == 0 && in.byte_count != 0) {
        for (base::u32 i = 0; i < in.byte_count; ++i) reply[i] = request[in.byte_count - 1 - i];
        ++arguments->served;
        if (sys::cpu_current() != its_cpu) ++arguments->off_its_cpu;
        const abi::RingMessage out{reinterpret_cast<u64>(reply), in.byte_count, 0, 0, 0, 0};
        in = {reinterpret_cast<u64>(request), 0, sizeof request, 0, 0, 0};
        status = sys::raw::ring_call(arguments->ring, &out, &in, abi::kForever);
    }
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

// --- The shootdown ---
volatile u64 reads = 0;
volatile u64 sink = 0;

// On its own CPU: reads the shared page for ever, counting each read (until it faults).
[[noreturn]] void read_for_ever(u64) {
    for (;;) {
        sink = sink + *reinterpret_cast<volatile u64*>(kSharedPage);
        reads = reads + 1;
    }
}

// Sleeps (a futex wait on a word nobody changes times out), leaving the CPU to others.
void pause_ms(u64 milliseconds) {
    static volatile base::u32 never_changed = 0;
    (void)sys::futex_wait(&never_changed, 0, milliseconds * 1'000'000);
}

}  // namespace

USER_TEST(ring_calls_between_tasks_on_two_cpus_arrive_whole_and_in_order) {
    if (!several_cpus()) return;
    auto server = sys::task_create(grant(), self_reticle(), base::StringView("cpu1-echo"));
    auto ring = sys::ring_create(grant(), 2);
    ASSERT(server.is_ok() && ring.is_ok());
    echo_arguments = {sys::task_give(server.value(), ring.value().second, abi::kRightsAll).value_or(0), 0, 0};
    EXPECT(sys::handle_close(ring.value().second).is_ok());
    EXPECT(sys::task_set_affinity(server.value(), second_cpu()).is_ok());
    EXPECT(sys::task_set_affinity(self_task(), 1).is_ok());     // CPU 0
    ASSERT(sys::task_start(server.value(), reinterpret_cast<u64>(&echo_reversed), other_stack_pointer(),
                           reinterpret_cast<u64>(&echo_arguments)).is_ok());
    bool all_right = true;
    u64 client_off_its_cpu = 0;
    constexpr u64 kCalls = 2000;
    for (u64 call = 0; call < kCalls && all_right; ++call) {
        u8 request[64], reply[64];
        const base::u32 length = 1 + call % 64;
        for (base::u32 i = 0; i < length; ++i) request[i] = static_cast<u8>(call + i);
        const abi::RingMessage out{reinterpret_cast<u64>(request), length, 0, 0, 0, 0};
        abi::RingMessage in{reinterpret_cast<u64>(reply), 0, sizeof reply, 0, 0, 0};
        all_right = sys::raw::ring_call(ring.value().first, &out, &in, 5'000'000'000) == 0 && in.byte_count == length;
        if (sys::cpu_current() != 0) ++client_off_its_cpu;
        for (base::u32 i = 0; i < length && all_right; ++i) all_right = reply[i] == request[length - 1 - i];
    }
    EXPECT(all_right);
    EXPECT_EQ(echo_arguments.served, kCalls);
    // The fast path hands the CPU over only where the receiver's affinity allows.
    EXPECT_EQ(echo_arguments.off_its_cpu, 0u);
    EXPECT_EQ(client_off_its_cpu, 0u);
    const abi::RingMessage end{0, 0, 0, 0, 0, 0};
    EXPECT(sys::ring_send(ring.value().first, end, abi::kForever).is_ok());
    EXPECT(sys::task_set_affinity(self_task(), ~u64(0)).is_ok());
    (void)sys::handle_close(server.value());
    (void)sys::handle_close(ring.value().first);
}

USER_TEST(a_page_unmapped_on_one_cpu_is_gone_on_the_other_when_unmap_returns) {
    if (!several_cpus()) return;
    auto page = sys::bundle_create(grant(), 1);
    auto reader = sys::task_create(grant(), self_reticle(), base::StringView("cpu1-reader"));
    auto faults = sys::ring_create(grant(), 4);
    ASSERT(page.is_ok() && reader.is_ok() && faults.is_ok());
    ASSERT(sys::reticle_map(self_reticle(), page.value(), 0, kSharedPage, kPage, abi::kProtectRead | abi::kProtectWrite).is_ok());
    *reinterpret_cast<volatile u64*>(kSharedPage) = 1;
    EXPECT(sys::task_set_fault_ring(reader.value(), faults.value().first).is_ok());
    EXPECT(sys::task_set_affinity(reader.value(), second_cpu()).is_ok());  // alone there: no switch flushes its TLB
    EXPECT(sys::task_set_affinity(self_task(), 1).is_ok());
    reads = 0;
    ASSERT(sys::task_start(reader.value(), reinterpret_cast<u64>(&read_for_ever), other_stack_pointer(), 0).is_ok());
    // Bound: 10 s for the reader to get going (a loaded host may hold its CPU back for long).
    const u64 start = sys::clock_now();
    while (reads < 1000 && sys::clock_now() - start < 10'000'000'000) {}
    EXPECT(reads >= 1000);
    EXPECT(sys::reticle_unmap(self_reticle(), kSharedPage, kPage).is_ok());
    const u64 at_unmap = reads;
    pause_ms(50);
    // At most the read already under way when the unmap returned completes; then it faults.
    EXPECT(reads <= at_unmap + 1);
    abi::FaultReport report{};
    abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
    EXPECT(sys::ring_receive(faults.value().second, message, 30'000'000'000).is_ok());  // bound: a broken kernel
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultRead));
    EXPECT_EQ(report.address, kSharedPage);
    EXPECT(sys::task_kill(reader.value()).is_ok());
    EXPECT(sys::task_set_affinity(self_task(), ~u64(0)).is_ok());
    (void)sys::handle_close(reader.value());
    (void)sys::handle_close(faults.value().first);
    (void)sys::handle_close(faults.value().second);
    (void)sys::handle_close(page.value());
}

namespace {
volatile u64 spin_counts[2] = {};
alignas(16) u8 spinner_stacks[2][16 * 1024];
[[noreturn]] void spin_counting(u64 which) {
    for (;;) spin_counts[which] = spin_counts[which] + 1;
}
}  // namespace

// Time slices on a secondary CPU: two CPU-bound Tasks of equal priority pinned to CPU 1 both
// make progress (its own timer tick shares the CPU between them).
USER_TEST(two_spinning_tasks_on_one_secondary_cpu_share_it) {
    if (!several_cpus()) return;
    abi::Handle spinners[2] = {};
    for (u64 which = 0; which < 2; ++which) {
        auto spinner = sys::task_create(grant(), self_reticle(), base::StringView("spinner"));
        ASSERT(spinner.is_ok());
        spinners[which] = spinner.value();
        spin_counts[which] = 0;
        EXPECT(sys::task_set_affinity(spinner.value(), second_cpu()).is_ok());
        const u64 stack_pointer = vectra::initial_stack_pointer(spinner_stacks[which], sizeof spinner_stacks[which]);
        ASSERT(sys::task_start(spinner.value(), reinterpret_cast<u64>(&spin_counting), stack_pointer, which).is_ok());
    }
    // Bound: 20 s (a loaded host may run that CPU seldom; a slice is 20 ms of it).
    const u64 start = sys::clock_now();
    while ((spin_counts[0] == 0 || spin_counts[1] == 0) && sys::clock_now() - start < 20'000'000'000) pause_ms(10);
    EXPECT(spin_counts[0] > 0 && spin_counts[1] > 0);
    for (abi::Handle spinner : spinners) {
        EXPECT(sys::task_kill(spinner).is_ok());
        (void)sys::handle_close(spinner);
    }
}
