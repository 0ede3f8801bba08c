// Stress (seeded, see stress.h): a Bundle capability revoked while a Task on another CPU
// reads or writes the page mapped through a capability derived from it. Once handle_revoke
// returns, no CPU reaches the page: at most the access under way completes, the next one faults
// and the supervisor gets the report (at that address); the derived capability and the mapping
// are gone. Many rounds, paid from one small grant that gets all its quota back.
#include "user/runtime-tests/stress.h"
#include "user/runtime/console.h"
#include "user/runtime/layout.h"
#include "user/runtime/test.h"

namespace {

using namespace stress;

constexpr u64 kPage = abi::kPageSize;
constexpr u64 kWhere = vectra::layout::kFreeBase + 600 * kPage;

volatile u64 accesses = 0;
alignas(16) u8 toucher_stack[16 * 1024];

// Reads (argument even) or writes (odd) a random word of the page for ever, counting each
// access; argument / 2 is the round.
[[noreturn]] void touch_page(u64 argument) {
    const u64 write = argument & 1;
    Random random(settings.seed, 3000 + argument / 2);
    auto* words = reinterpret_cast<volatile u64*>(kWhere);
    volatile u64 sink = 0;
    for (;;) {
        const u64 index = random.below(kPage / sizeof(u64));
        if (write != 0) {
            words[index] = accesses;
        } else {
            sink = sink + words[index];
        }
        accesses = accesses + 1;
    }
}

bool is_page_fault_here(const abi::FaultReport& report, bool write) {
    const abi::FaultKind kind = write ? abi::FaultKind::PageFaultWrite : abi::FaultKind::PageFaultRead;
    return is(report, kind) && report.address >= kWhere && report.address < kWhere + kPage;
}

}  // namespace

USER_TEST(stress_a_bundle_revoked_while_another_cpu_touches_it_is_gone_when_revoke_returns) {
    if (!wanted()) return;
    const u64 rounds = 16 * (settings.rounds == 0 ? 1 : settings.rounds);
    auto paid = sys::grant_split(grant(), 128);
    auto faults = sys::ring_create(grant(), 8);
    ASSERT(paid.is_ok() && faults.is_ok());
    const u64 quota_at_start = quota_left(paid.value());
    u64 slowest_round = 0, failed_rounds = 0, writes = 0, late = 0;
    for (u64 round = 0; round < rounds && failed_rounds < 3; ++round) {
        Random random(settings.seed, 2000 + round);
        const u64 round_started = sys::clock_now();
        const bool write = random.one_in(2);
        writes += write ? 1 : 0;
        const u64 revoker_cpu = random_cpu(random);
        EXPECT(sys::task_set_affinity(self_task(), u64(1) << revoker_cpu).is_ok());
        bool round_ok = true;

        auto page = sys::bundle_create(paid.value(), 1);
        ASSERT(page.is_ok());
        auto derived = sys::handle_derive(page.value(), abi::kRightRead | abi::kRightWrite | abi::kRightMap);
        ASSERT(derived.is_ok());
        ASSERT(sys::reticle_map(self_reticle(), derived.value(), 0, kWhere, kPage, abi::kProtectRead | abi::kProtectWrite).is_ok());
        accesses = 0;
        auto toucher = start_task("toucher", faults.value().first, random_other_cpu(random, revoker_cpu), &touch_page,
                                  toucher_stack, round * 2 + (write ? 1 : 0), paid.value());
        ASSERT(toucher.is_ok());
        // Mostly let it get going (a random amount); sometimes revoke before it has.
        if (!random.one_in(6)) {
            const u64 wanted = 1 + random.below(3000);
            const u64 deadline = deadline_in_ms(3000);
            while (accesses < wanted && sys::clock_now() < deadline) pause_ms(1);  // asleep: no vCPU burnt
        }
        jitter(random, 2000);
        EXPECT(sys::revoke_all(page.value()).is_ok());
        const u64 at_revoke = accesses;
        const abi::FaultReport report = next_report(faults.value().second, deadline_in_ms(30'000));
        const u64 after = accesses;
        if (!is_page_fault_here(report, write)) {
            vectra::println("[test]     round {}: expected a {} fault in the page, got kind {:#x} at {:#x}", round,
                            write ? "write" : "read", u64(report.kind), report.address);
            round_ok = false;
        }
        // At most the access under way when revoke returned completed.
        if (after > at_revoke + 1) {
            vectra::println("[test]     round {}: {} accesses after revoke returned", round, after - at_revoke);
            ++late;
            round_ok = false;
        }
        // The derived capability and the mapping went with the revoke; the Bundle's own stays.
        if (sys::handle_info(derived.value()).status() != abi::Status::BadHandle) round_ok = false;
        if (sys::reticle_unmap(self_reticle(), kWhere, kPage).status() != abi::Status::NotFound) round_ok = false;
        if (sys::bundle_info(page.value()).is_error()) round_ok = false;
        // The faulted Task waits for its supervisor: a kill, reported once.
        EXPECT(sys::task_kill(toucher.value()).is_ok());
        if (!is(next_report(faults.value().second, deadline_in_ms(30'000)), abi::FaultKind::Killed)) round_ok = false;
        (void)sys::handle_close(toucher.value());
        (void)sys::handle_close(page.value());
        if (!round_ok) ++failed_rounds;
        const u64 took = sys::clock_now() - round_started;
        slowest_round = took > slowest_round ? took : slowest_round;
    }
    EXPECT_EQ(failed_rounds, 0u);
    EXPECT_EQ(late, 0u);
    EXPECT(sys::task_set_affinity(self_task(), ~u64(0)).is_ok());
    EXPECT_EQ(quota_after_reaping(paid.value(), quota_at_start), quota_at_start);
    vectra::println("[test]     seed {}: {} rounds ({} writing)", settings.seed, rounds, writes);
    vectra::println("[test]     slowest round: {} ms", slowest_round / 1'000'000);
    (void)sys::handle_close(faults.value().first);
    (void)sys::handle_close(faults.value().second);
    (void)sys::handle_close(paid.value());
}
