// Stress (seeded, see stress.h): a Task killed from another CPU while it is in the middle of
// something — calling over a Ring, serving one, sleeping on a futex, or spinning. The killer
// hears it end (Killed, once), its Ring peer learns PeerClosed instead of sleeping for ever, a
// futex it slept on holds no trace of it, and after many rounds the grant that paid for every
// Task and Ring has all its quota back.
#include "user/runtime-tests/stress.h"
#include "user/runtime/console.h"
#include "user/runtime/test.h"

namespace {

using namespace stress;

enum class Doing : u64 { CallingOverARing, ServingARing, SleepingOnAFutex, Spinning, kCount };
constexpr const char* kDoingNames[] = {"calling over a Ring", "serving a Ring", "sleeping on a futex", "spinning"};

struct Round {
    Doing doing;
    Handle victim_end, peer_end;  // the Ring's ends in the victim's and the peer's tables
    u64 seed;
};
Round round_now;
volatile u64 victim_progress = 0;
volatile base::i64 peer_status = 0;  // how the peer's last Ring call ended (0 ok, else -Status)
alignas(4) volatile u32 futex_word = 0;
alignas(16) u8 victim_stack[16 * 1024];
alignas(16) u8 peer_stack[16 * 1024];

u8 request_bytes[16], reply_bytes[16];

// Calls (client) or receives and answers (server) over `end` until a call fails: the victim
// never gets there (it is killed first); the peer does when the victim is gone.
base::i64 talk(Handle end, bool client, Random& random) {
    u8 in[16];
    // Bound: until the Ring fails (the other side is gone); each pass is one call.
    for (u64 turn = 0;; ++turn) {
        base::i64 status = 0;
        if (client) {
            const abi::RingMessage out{reinterpret_cast<u64>(request_bytes), sizeof request_bytes, 0, 0, 0, 0};
            abi::RingMessage back{reinterpret_cast<u64>(in), 0, sizeof in, 0, 0, 0};
            status = sys::raw::ring_call(end, &out, &back, abi::kForever);
        } else {
            abi::RingMessage got{reinterpret_cast<u64>(in), 0, sizeof in, 0, 0, 0};
            status = sys::raw::ring_receive(end, &got, abi::kForever);
            if (status == 0) {
                const abi::RingMessage out{reinterpret_cast<u64>(reply_bytes), sizeof reply_bytes, 0, 0, 0, 0};
                status = sys::raw::ring_send(end, &out, abi::kForever);
            }
        }
        if (status != 0) return status;
        victim_progress = victim_progress + 1;  // calls made (by either side)
        if (client == false || turn % 4 == 0) jitter(random, 50);
    }
}

[[noreturn]] void victim(u64) {
    Random random(round_now.seed, 2);
    switch (round_now.doing) {
        case Doing::CallingOverARing:
        case Doing::ServingARing: {
            // Progress is counted by the peer's side too; here, the first call says "running".
            victim_progress = 1;
            (void)talk(round_now.victim_end, round_now.doing == Doing::CallingOverARing, random);
            break;
        }
        case Doing::SleepingOnAFutex:
            // Bound: until killed; each pass sleeps until a timeout (mostly long).
            for (;;) {
                victim_progress = victim_progress + 1;
                const u64 timeout = random.one_in(3) ? 1'000'000 * (1 + random.below(3)) : abi::kForever;
                (void)sys::futex_wait(&futex_word, 0, timeout);
            }
        case Doing::Spinning:
            for (;;) {
                victim_progress = victim_progress + 1;
                jitter(random, 100);
            }
        case Doing::kCount: break;
    }
    sys::task_exit(2);  // only if its Ring failed while the peer was still there: the test says so
}

[[noreturn]] void peer(u64) {
    Random random(round_now.seed, 3);
    const bool client = round_now.doing == Doing::ServingARing;
    if (client) victim_progress = victim_progress + 1;
    peer_status = talk(round_now.peer_end, client, random);
    sys::task_exit(0);
}

}  // namespace

USER_TEST(stress_a_task_killed_from_another_cpu_mid_call_mid_wait_or_spinning_ends_cleanly) {
    if (!wanted()) return;
    const u64 rounds = 16 * (settings.rounds == 0 ? 1 : settings.rounds);
    auto paid = sys::grant_split(grant(), 256);
    auto faults = sys::ring_create(grant(), 8);
    ASSERT(paid.is_ok() && faults.is_ok());
    const u64 quota_at_start = quota_left(paid.value());
    EXPECT(quota_at_start > 0);
    u64 slowest_round = 0, failed_rounds = 0, counts[u64(Doing::kCount)] = {};
    for (u64 round = 0; round < rounds && failed_rounds < 3; ++round) {
        Random random(settings.seed, 1000 + round);
        const u64 round_started = sys::clock_now();
        const Doing doing = static_cast<Doing>(random.below(u64(Doing::kCount)));
        const bool with_peer = doing == Doing::CallingOverARing || doing == Doing::ServingARing;
        ++counts[u64(doing)];
        const u64 killer_cpu = random_cpu(random);
        EXPECT(sys::task_set_affinity(self_task(), u64(1) << killer_cpu).is_ok());
        round_now = {doing, abi::kNoHandle, abi::kNoHandle, settings.seed * 7919 + round};
        victim_progress = 0;
        peer_status = 0;
        futex_word = 0;
        bool round_ok = true;

        // The victim and (for Ring work) its peer, each holding one end of a new Ring.
        auto victim_task = sys::task_create(paid.value(), self_reticle(), base::StringView("victim"));
        auto peer_task = with_peer ? sys::task_create(paid.value(), self_reticle(), base::StringView("peer"))
                                   : vectra::SysResult<Handle>(abi::kNoHandle);
        auto ring = sys::ring_create(paid.value(), 1 + static_cast<u32>(random.below(4)));
        if (victim_task.is_error() || peer_task.is_error() || ring.is_error()) {
            vectra::println("[test]     round {}: out of quota (a leak?): {} pages left", round, quota_left(paid.value()) / 4096);
            EXPECT(false);
            break;
        }
        round_now.victim_end = sys::task_give(victim_task.value(), ring.value().first, abi::kRightsAll).value_or(0);
        if (with_peer) round_now.peer_end = sys::task_give(peer_task.value(), ring.value().second, abi::kRightsAll).value_or(0);
        EXPECT(sys::handle_close(ring.value().first).is_ok());
        EXPECT(sys::handle_close(ring.value().second).is_ok());
        const u64 victim_cpus = random_other_cpu(random, killer_cpu);
        const u64 peer_cpus = random_cpu_set(random);
        EXPECT(sys::task_set_fault_ring(victim_task.value(), faults.value().first).is_ok());
        EXPECT(sys::task_set_affinity(victim_task.value(), victim_cpus).is_ok());
        if (with_peer) {
            EXPECT(sys::task_set_fault_ring(peer_task.value(), faults.value().first).is_ok());
            EXPECT(sys::task_set_affinity(peer_task.value(), peer_cpus).is_ok());
            EXPECT(sys::task_start(peer_task.value(), reinterpret_cast<u64>(&peer),
                                   vectra::initial_stack_pointer(peer_stack, sizeof peer_stack), 0).is_ok());
        }
        EXPECT(sys::task_start(victim_task.value(), reinterpret_cast<u64>(&victim),
                               vectra::initial_stack_pointer(victim_stack, sizeof victim_stack), 0).is_ok());

        // Mostly let it get going (a random amount); sometimes kill it before it has.
        if (!random.one_in(6)) {
            // Calls made, futex waits begun (mostly for ever: one or two), or spins.
            const u64 wanted = 1 + random.below(doing == Doing::Spinning ? 5000 : doing == Doing::SleepingOnAFutex ? 2 : 20);
            const u64 deadline = deadline_in_ms(3000);
            while (victim_progress < wanted && sys::clock_now() < deadline) pause_ms(1);  // asleep: no vCPU burnt
        }
        jitter(random, 2000);
        EXPECT(sys::task_kill(victim_task.value()).is_ok());
        // A futex it slept on no longer holds it: the kill took it off the queue.
        if (doing == Doing::SleepingOnAFutex && sys::futex_wake(&futex_word, 100).value_or(99) != 0) {
            vectra::println("[test]     round {}: the killed victim still waited on the futex", round);
            round_ok = false;
        }
        // The killer hears of the end once; a peer hears PeerClosed and exits.
        bool killed = false, peer_ended = !with_peer;
        // Bound: 30 s (a loaded host can take seconds per step; nothing right takes that long).
        const u64 deadline = deadline_in_ms(30'000);
        while (!(killed && peer_ended)) {
            const abi::FaultReport report = next_report(faults.value().second, deadline);
            if (report.kind == kNoReport) break;
            if (named(report, "victim")) {
                if (killed || !is(report, abi::FaultKind::Killed)) round_ok = false;  // a second report, or not Killed
                killed = true;
            } else if (named(report, "peer")) {
                peer_ended = is(report, abi::FaultKind::Exited);
                if (!peer_ended) round_ok = false;
            }
        }
        if (!killed || !peer_ended) {
            vectra::println("[test]     round {} ({}): killed {}, peer ended {} (within 30 s); victim progress {}, peer status {}",
                            round, kDoingNames[u64(doing)], u64(killed), u64(peer_ended), u64(victim_progress), -peer_status);
            round_ok = false;
        }
        if (with_peer && peer_ended && peer_status != -base::i64(abi::Status::PeerClosed)) {
            vectra::println("[test]     round {} ({}): the peer's Ring ended with {}, not PeerClosed", round,
                            kDoingNames[u64(doing)], -peer_status);
            round_ok = false;
        }
        // No second report comes for the victim.
        if (next_report(faults.value().second, deadline_in_ms(0)).kind != kNoReport) round_ok = false;
        (void)sys::handle_close(victim_task.value());
        if (with_peer) {
            (void)sys::task_kill(peer_task.value());  // ended already (or the round failed)
            (void)sys::handle_close(peer_task.value());
        }
        // Bound: the fault Ring's capacity. Nothing of this round is left for the next.
        for (int left = 0; left < 8 && next_report(faults.value().second, 0).kind != kNoReport; ++left) {}
        if (!round_ok) ++failed_rounds;
        const u64 took = sys::clock_now() - round_started;
        if (took > 5'000'000'000)
            vectra::println("[test]     round {} ({}) took {} ms", round, kDoingNames[u64(doing)], took / 1'000'000);
        slowest_round = took > slowest_round ? took : slowest_round;
    }
    EXPECT_EQ(failed_rounds, 0u);
    EXPECT(sys::task_set_affinity(self_task(), ~u64(0)).is_ok());
    // Everything each round made is gone and paid back.
    EXPECT_EQ(quota_after_reaping(paid.value(), quota_at_start), quota_at_start);
    vectra::println("[test]     seed {}: {} rounds (calling {}, serving {}, futex {}, spinning {})", settings.seed, rounds,
                    counts[0], counts[1], counts[2], counts[3]);
    vectra::println("[test]     slowest round: {} ms", slowest_round / 1'000'000);
    (void)sys::handle_close(faults.value().first);
    (void)sys::handle_close(faults.value().second);
    (void)sys::handle_close(paid.value());
}
