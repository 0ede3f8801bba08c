// Stress (seeded, see stress.h): a Ring closed by one side while the other calls over it from
// another CPU. A client and a server on different CPUs talk until one of them closes its end:
// the server after a random number of replies (between calls, or holding a request it never
// answers), or the client after a random number of calls. The other side's next (or current)
// call ends with PeerClosed, never a hang or a reply that was not sent; every answered call is
// counted on both sides alike; and after many rounds the grant that paid has all its quota back.
#include "user/runtime-tests/stress.h"
#include "user/runtime/console.h"
#include "user/runtime/test.h"

namespace {

using namespace stress;

enum class Closer : u64 { ServerBetweenCalls, ServerHoldingARequest, Client, kCount };

struct Round {
    Closer closer;
    u64 calls_before_close;
    Handle client_end, server_end;  // in the client's and the server's tables
    u64 seed;
};
Round round_now;
volatile u64 calls_answered = 0;   // by the client: calls that came back with the right reply
volatile u64 replies_sent = 0;     // by the server
volatile u64 wrong_replies = 0;
volatile base::i64 client_status = 0, server_status = 0;  // how each side's last Ring step ended
alignas(16) u8 client_stack[16 * 1024];
alignas(16) u8 server_stack[16 * 1024];

[[noreturn]] void client(u64) {
    Random random(round_now.seed, 5);
    // Bound: calls_before_close calls when it closes; else until the server's close fails a call.
    for (u64 call = 0;; ++call) {
        if (round_now.closer == Closer::Client && call == round_now.calls_before_close) {
            jitter(random, 500);
            client_status = sys::handle_close(round_now.client_end).is_ok() ? 0 : -1;
            sys::task_exit(0);
        }
        u64 request = call * 3 + 1, reply = 0;
        const abi::RingMessage out{reinterpret_cast<u64>(&request), sizeof request, 0, 0, 0, 0};
        abi::RingMessage back{reinterpret_cast<u64>(&reply), 0, sizeof reply, 0, 0, 0};
        const base::i64 status = sys::raw::ring_call(round_now.client_end, &out, &back, abi::kForever);
        if (status != 0) {
            client_status = status;
            sys::task_exit(0);
        }
        if (back.byte_count != sizeof reply || reply != request + 1) wrong_replies = wrong_replies + 1;
        calls_answered = calls_answered + 1;
        if (random.one_in(3)) jitter(random, 100);
    }
}

[[noreturn]] void server(u64) {
    Random random(round_now.seed, 6);
    const bool closes = round_now.closer != Closer::Client;
    // Bound: calls_before_close replies when it closes; else until the client's close fails a receive.
    for (u64 served = 0;; ++served) {
        if (closes && served == round_now.calls_before_close && round_now.closer == Closer::ServerBetweenCalls) break;
        u64 request = 0;
        abi::RingMessage in{reinterpret_cast<u64>(&request), 0, sizeof request, 0, 0, 0};
        base::i64 status = sys::raw::ring_receive(round_now.server_end, &in, abi::kForever);
        if (status == 0 && closes && served == round_now.calls_before_close) break;  // holding it, unanswered
        if (status == 0) {
            if (random.one_in(4)) jitter(random, 200);
            const u64 reply = request + 1;
            const abi::RingMessage out{reinterpret_cast<u64>(&reply), sizeof reply, 0, 0, 0, 0};
            status = sys::raw::ring_send(round_now.server_end, &out, abi::kForever);
            if (status == 0) replies_sent = replies_sent + 1;
        }
        if (status != 0) {
            server_status = status;
            sys::task_exit(0);
        }
    }
    jitter(random, 500);
    server_status = sys::handle_close(round_now.server_end).is_ok() ? 0 : -1;
    sys::task_exit(0);
}

}  // namespace

USER_TEST(stress_a_ring_closed_on_one_cpu_while_called_on_another_fails_the_call_with_peer_closed) {
    if (!wanted()) return;
    const u64 rounds = 16 * (settings.rounds == 0 ? 1 : settings.rounds);
    auto paid = sys::grant_split(grant(), 256);
    auto ends = sys::ring_create(grant(), 8);
    ASSERT(paid.is_ok() && ends.is_ok());
    const u64 quota_at_start = quota_left(paid.value());
    constexpr base::i64 kPeerClosed = -base::i64(abi::Status::PeerClosed);
    u64 slowest_round = 0, failed_rounds = 0, total_calls = 0;
    for (u64 round = 0; round < rounds && failed_rounds < 3; ++round) {
        Random random(settings.seed, 4000 + round);
        const u64 round_started = sys::clock_now();
        const Closer closer = static_cast<Closer>(random.below(u64(Closer::kCount)));
        round_now = {closer, random.below(random.one_in(4) ? 3 : 40), abi::kNoHandle, abi::kNoHandle, settings.seed * 104729 + round};
        calls_answered = 0;
        replies_sent = 0;
        wrong_replies = 0;
        client_status = 1;  // 1: never set
        server_status = 1;
        auto ring = sys::ring_create(paid.value(), 1 + static_cast<u32>(random.below(4)));
        auto client_task = sys::task_create(paid.value(), self_reticle(), base::StringView("client"));
        auto server_task = sys::task_create(paid.value(), self_reticle(), base::StringView("server"));
        if (ring.is_error() || client_task.is_error() || server_task.is_error()) {
            vectra::println("[test]     round {}: out of quota (a leak?): {} pages left", round, quota_left(paid.value()) / 4096);
            EXPECT(false);
            break;
        }
        round_now.client_end = sys::task_give(client_task.value(), ring.value().first, abi::kRightsAll).value_or(0);
        round_now.server_end = sys::task_give(server_task.value(), ring.value().second, abi::kRightsAll).value_or(0);
        EXPECT(sys::handle_close(ring.value().first).is_ok());
        EXPECT(sys::handle_close(ring.value().second).is_ok());
        // Client and server on different CPUs (when there are two).
        const u64 client_cpus = u64(1) << random_cpu(random);
        const u64 server_cpus = random_other_cpu(random, static_cast<u64>(__builtin_ctzll(client_cpus)));
        EXPECT(sys::task_set_fault_ring(client_task.value(), ends.value().first).is_ok());
        EXPECT(sys::task_set_fault_ring(server_task.value(), ends.value().first).is_ok());
        EXPECT(sys::task_set_affinity(client_task.value(), client_cpus).is_ok());
        EXPECT(sys::task_set_affinity(server_task.value(), server_cpus).is_ok());
        const bool server_first = random.one_in(2);
        if (server_first)
            EXPECT(sys::task_start(server_task.value(), reinterpret_cast<u64>(&server), vectra::initial_stack_pointer(server_stack, sizeof server_stack), 0).is_ok());
        EXPECT(sys::task_start(client_task.value(), reinterpret_cast<u64>(&client), vectra::initial_stack_pointer(client_stack, sizeof client_stack), 0).is_ok());
        if (!server_first)
            EXPECT(sys::task_start(server_task.value(), reinterpret_cast<u64>(&server), vectra::initial_stack_pointer(server_stack, sizeof server_stack), 0).is_ok());

        // Both exit on their own. Bound: 30 s (a loaded host can take seconds per step).
        u64 exited = 0;
        const u64 deadline = deadline_in_ms(30'000);
        for (u64 report = 0; report < 2; ++report) {
            const abi::FaultReport ended = next_report(ends.value().second, deadline);
            if (ended.kind == kNoReport) break;
            exited += is(ended, abi::FaultKind::Exited) ? 1 : 0;
        }
        bool round_ok = exited == 2 && wrong_replies == 0;
        if (closer == Closer::Client) {
            // The client closed after its calls; the server's receive (or reply) learns it.
            round_ok = round_ok && client_status == 0 && server_status == kPeerClosed &&
                       calls_answered == round_now.calls_before_close && replies_sent == calls_answered;
        } else {
            // The server closed; the client's call under way (or next) learns it.
            round_ok = round_ok && server_status == 0 && client_status == kPeerClosed &&
                       replies_sent == round_now.calls_before_close && calls_answered == replies_sent;
        }
        if (!round_ok)
            vectra::println("[test]     round {} (closer {}, after {}): {} exited; client {} answered, status {}; server {} "
                            "replies, status {}; {} wrong replies",
                            round, u64(closer), round_now.calls_before_close, exited, u64(calls_answered), -client_status,
                            u64(replies_sent), -server_status, u64(wrong_replies));
        total_calls += u64(calls_answered);
        (void)sys::task_kill(client_task.value());
        (void)sys::task_kill(server_task.value());
        (void)sys::handle_close(client_task.value());
        (void)sys::handle_close(server_task.value());
        // Bound: the report Ring's capacity. Nothing of this round is left for the next.
        for (int left = 0; left < 8 && next_report(ends.value().second, 0).kind != kNoReport; ++left) {}
        if (!round_ok) ++failed_rounds;
        const u64 took = sys::clock_now() - round_started;
        if (took > 5'000'000'000)  // tens of ms is usual: a slow round is a wake-up that came late
            vectra::println("[test]     round {} (closer {}, after {}) took {} ms; client {} answered, server {} replies", round,
                            u64(closer), round_now.calls_before_close, took / 1'000'000, u64(calls_answered), u64(replies_sent));
        slowest_round = took > slowest_round ? took : slowest_round;
    }
    EXPECT_EQ(failed_rounds, 0u);
    EXPECT_EQ(quota_after_reaping(paid.value(), quota_at_start), quota_at_start);
    vectra::println("[test]     seed {}: {} rounds, {} calls answered", settings.seed, rounds, total_calls);
    vectra::println("[test]     slowest round: {} ms", slowest_round / 1'000'000);
    (void)sys::handle_close(ends.value().first);
    (void)sys::handle_close(ends.value().second);
    (void)sys::handle_close(paid.value());
}
