// The VectraOS side of `./vectra bench ipc` (bench/ipc/README.md has the line format and what
// one iteration is). Two Tasks: this one (the client) and a server Task it makes itself, which
// shares its address space (a second Task on the same Reticle, with a capability table of its
// own, holding only what it is given) — so a switch between them changes Task but not page
// tables. Measured: the null syscall, a Signal round trip, Ring call/reply round trips with 0
// and 64 bytes and with one capability each way, and a switch between the two Tasks.
#include "user/runtime/arguments.h"
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscall_raw.h"
#include "user/runtime/syscalls.h"

namespace abi = vectra::abi;
namespace sys = vectra::sys;
using base::u64;

namespace {

u64 ticks() {
#if defined(__x86_64__)
    base::u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high));
    return (u64(high) << 32) | low;
#else
    u64 value;
    asm volatile("isb; mrs %0, cntvct_el0" : "=r"(value));
    return value;
#endif
}

u64 now_ns() { return static_cast<u64>(sys::raw::clock_now()); }

// What both Tasks see (one address space); handles are each Task's own.
struct Shared {
    u64 iterations;
    u64 warmup;
    abi::Handle server_ring;     // in the server's table
    abi::Handle server_ping;     // Signal the server waits on
    abi::Handle server_pong;     // Signal the server raises
    abi::Handle server_self;     // the server's own Task (for nothing but completeness)
};

Shared shared;
alignas(16) base::u8 server_stack[64 * 1024];

constexpr u64 kBit = 1;

[[noreturn]] void server_main(Shared* s) {
    const u64 rounds = s->warmup + s->iterations;
    base::u8 buffer[abi::kMessageMaxBytes];
    abi::Handle handles[1];
    // Signal round trips.
    for (u64 i = 0; i < rounds; ++i) {
        (void)sys::raw::signal_wait(s->server_ping, kBit, abi::kForever);
        (void)sys::raw::signal_clear(s->server_ping, kBit);
        (void)sys::raw::signal_raise(s->server_pong, kBit);
    }
    // Ring call/reply: 0 bytes, 64 bytes, one capability; each request answered in kind. The
    // server replies and waits for the next request in one ring_call (seL4's ReplyRecv).
    abi::RingMessage request{reinterpret_cast<u64>(buffer), 0, sizeof buffer, reinterpret_cast<u64>(handles), 0, 1};
    (void)sys::raw::ring_receive(s->server_ring, &request, abi::kForever);
    for (u64 answered = 0; answered < 3 * rounds; ++answered) {
        abi::RingMessage reply{reinterpret_cast<u64>(buffer), request.byte_count, 0, reinterpret_cast<u64>(handles),
                               request.handle_count, 0};
        request = {reinterpret_cast<u64>(buffer), 0, sizeof buffer, reinterpret_cast<u64>(handles), 0, 1};
        if (answered + 1 == 3 * rounds) {
            (void)sys::raw::ring_send(s->server_ring, &reply, abi::kForever);
        } else {
            (void)sys::raw::ring_call(s->server_ring, &reply, &request, abi::kForever);
        }
    }
    // Switches: yield back and forth.
    for (u64 i = 0; i < rounds; ++i) (void)sys::raw::task_yield();
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

void report(const char* name, u64 iterations, u64 ns, u64 tick_count) {
    vectra::println("bench-ipc vectra {} iterations={} ns={} ticks={}", name, iterations, ns, tick_count);
}

template <class Body>
void measure(const char* name, u64 warmup, u64 iterations, Body body) {
    for (u64 i = 0; i < warmup; ++i) body();
    const u64 t0 = ticks(), n0 = now_ns();
    for (u64 i = 0; i < iterations; ++i) body();
    const u64 n1 = now_ns(), t1 = ticks();
    report(name, iterations, n1 - n0, t1 - t0);
}


}  // namespace

int main(const vectra::StartInfo& start) {
    const base::StringView arguments(start.arguments, start.arguments_length);
    const u64 iterations = vectra::arguments::number(arguments, base::StringView("bench_iterations="), 10000);
    const u64 warmup = iterations / 10 + 1;
    shared.iterations = iterations;
    shared.warmup = warmup;

    auto ring = sys::ring_create(start.memory_grant, 4);
    auto ping = sys::signal_create(start.memory_grant);
    auto pong = sys::signal_create(start.memory_grant);
    auto server = sys::task_create(start.memory_grant, start.self_reticle, base::StringView("bench-server"));
    if (ring.is_error() || ping.is_error() || pong.is_error() || server.is_error()) {
        vectra::println("bench-ipc: cannot set up the server Task");
        vectra::println("bench-ipc done");
        return 1;
    }
    shared.server_ring = sys::task_give(server.value(), ring.value().second, abi::kRightsAll).value();
    shared.server_ping = sys::task_give(server.value(), ping.value(), abi::kRightRead | abi::kRightWrite).value();
    shared.server_pong = sys::task_give(server.value(), pong.value(), abi::kRightRead | abi::kRightWrite).value();
    const u64 server_sp = vectra::initial_stack_pointer(server_stack, sizeof server_stack);
    if (sys::task_start(server.value(), reinterpret_cast<u64>(&server_main), server_sp, reinterpret_cast<u64>(&shared)).is_error()) {
        vectra::println("bench-ipc: cannot start the server Task");
        vectra::println("bench-ipc done");
        return 1;
    }

    measure("null_syscall", warmup, iterations * 10, [] { (void)sys::raw::clock_now(); });
    const abi::Handle client_ping = ping.value(), client_pong = pong.value(), client_ring = ring.value().first;
    measure("signal_wake", warmup, iterations, [&] {
        (void)sys::raw::signal_raise(client_ping, kBit);
        (void)sys::raw::signal_wait(client_pong, kBit, abi::kForever);
        (void)sys::raw::signal_clear(client_pong, kBit);
    });
    base::u8 request_bytes[64] = {}, reply_bytes[abi::kMessageMaxBytes];
    abi::Handle reply_handles[1];
    auto call = [&](u64 bytes, abi::Handle* handle) {
        abi::RingMessage request{reinterpret_cast<u64>(request_bytes), static_cast<base::u32>(bytes), 0,
                                 reinterpret_cast<u64>(handle), handle != nullptr ? 1u : 0u, 0};
        abi::RingMessage reply{reinterpret_cast<u64>(reply_bytes), 0, sizeof reply_bytes, reinterpret_cast<u64>(reply_handles), 0, 1};
        (void)sys::raw::ring_call(client_ring, &request, &reply, abi::kForever);
        if (handle != nullptr && reply.handle_count == 1) *handle = reply_handles[0];
    };
    measure("ring_call_0", warmup, iterations, [&] { call(0, nullptr); });
    measure("ring_call_64", warmup, iterations, [&] { call(64, nullptr); });
    // The capability travels to the server and comes back each round (a new handle each time).
    abi::Handle travelling = sys::handle_derive(client_pong, abi::kRightRead | abi::kRightTransfer).value();
    measure("ring_call_cap", warmup, iterations, [&] { call(0, &travelling); });
    // Two Tasks yielding to each other: each yield is one switch.
    const u64 switches = 2 * iterations;
    for (u64 i = 0; i < warmup; ++i) (void)sys::raw::task_yield();
    const u64 t0 = ticks(), n0 = now_ns();
    for (u64 i = 0; i < iterations; ++i) (void)sys::raw::task_yield();
    const u64 n1 = now_ns(), t1 = ticks();
    report("context_switch", switches, n1 - n0, t1 - t0);
    vectra::println("bench-ipc done");
    return 0;
}
