// ring_call between two Tasks, the way servers use it: the server replies and waits for the
// next request in one ring_call, so most calls take the kernel's fast path (the message goes
// straight into the waiting peer's buffers). Checked: every byte arrives, a request too large
// for the server's buffer falls back to the general path (TooLarge there, the message stays),
// an unwritable reply descriptor is refused without losing the reply, a timeout, and PeerClosed
// once the server has exited (an ended Task's capabilities go with its last thread).
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using base::u64;
using base::u8;
using vectra::Status;

abi::Handle grant() { return vectra::start_info()->memory_grant; }

constexpr base::u32 kServerCapacity = 128;  // the server's receive buffer, on purpose smaller than a message can be
constexpr u8 kQuit = 0xff, kSlow = 0xfe, kTooLargeMarker = 0xee;

struct ServerArguments {
    abi::Handle ring;  // in the server's table
};
ServerArguments server_arguments;
alignas(16) u8 server_stack[16 * 1024];

// Replies to each request with its bytes plus one; a request too large for its buffer gets the
// one-byte marker; kSlow waits 300 ms before replying; kQuit ends it.
[[noreturn]] void serve(ServerArguments* arguments) {
    u8 request_bytes[abi::kMessageMaxBytes];
    u8 reply_bytes[abi::kMessageMaxBytes];
    abi::RingMessage request{reinterpret_cast<u64>(request_bytes), 0, kServerCapacity, 0, 0, 0};
    base::i64 status = sys::raw::ring_receive(arguments->ring, &request, abi::kForever);
    // Bound: one reply per request; the client sends kQuit at the end.
    for (;;) {
        base::u32 length = request.byte_count;
        if (status == -base::i64(Status::TooLarge)) {
            abi::RingMessage whole{reinterpret_cast<u64>(request_bytes), 0, sizeof request_bytes, 0, 0, 0};
            (void)sys::raw::ring_receive(arguments->ring, &whole, abi::kForever);
            reply_bytes[0] = kTooLargeMarker;
            length = 1;
        } else if (status != 0) {
            break;
        } else {
            for (base::u32 i = 0; i < length; ++i) reply_bytes[i] = static_cast<u8>(request_bytes[i] + 1);
        }
        const bool quit = status == 0 && length == 1 && request_bytes[0] == kQuit;
        if (status == 0 && length == 1 && request_bytes[0] == kSlow) {
            // It holds no grant to make a Signal with: it spins on the clock instead, far longer
            // than the caller's timeout and its tick, so a loaded host cannot reorder them.
            const base::i64 start = sys::raw::clock_now();
            while (sys::raw::clock_now() - start < 300'000'000) {}
        }
        abi::RingMessage reply{reinterpret_cast<u64>(reply_bytes), length, 0, 0, 0, 0};
        if (quit) {
            (void)sys::raw::ring_send(arguments->ring, &reply, abi::kForever);
            break;
        }
        request = {reinterpret_cast<u64>(request_bytes), 0, kServerCapacity, 0, 0, 0};
        status = sys::raw::ring_call(arguments->ring, &reply, &request, abi::kForever);
    }
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

u64 stack_pointer() { return vectra::initial_stack_pointer(server_stack, sizeof server_stack); }

// One call with `length` bytes of a pattern; the reply lands in `reply`.
Status call(abi::Handle ring, base::u32 length, u8 first, u8 (&reply)[abi::kMessageMaxBytes], base::u32& reply_length, u64 timeout) {
    u8 request[abi::kMessageMaxBytes];
    for (base::u32 i = 0; i < length; ++i) request[i] = static_cast<u8>(first + i * 7);
    const abi::RingMessage out{reinterpret_cast<u64>(request), length, 0, 0, 0, 0};
    abi::RingMessage in{reinterpret_cast<u64>(reply), 0, abi::kMessageMaxBytes, 0, 0, 0};
    const base::i64 status = sys::raw::ring_call(ring, &out, &in, timeout);
    reply_length = in.byte_count;
    return status == 0 ? Status::Ok : static_cast<Status>(-status);
}

// A page of this program's own that it may read but not write.
constexpr u64 kPage = 4096;
constexpr u64 kReadOnlyPage = vectra::layout::kFreeBase + 200 * kPage;

}  // namespace

USER_TEST(ring_calls_between_two_tasks_deliver_every_byte_and_fall_back_when_they_must) {
    auto server = sys::task_create(grant(), vectra::start_info()->self_reticle, base::StringView("ring-server"));
    auto ring = sys::ring_create(grant(), 2);
    ASSERT(server.is_ok() && ring.is_ok());
    const abi::Handle client_end = ring.value().first;
    server_arguments.ring = sys::task_give(server.value(), ring.value().second, abi::kRightsAll).value_or(0);
    ASSERT(server_arguments.ring != 0);
    EXPECT(sys::handle_close(ring.value().second).is_ok());  // the server holds the only one
    ASSERT(sys::task_start(server.value(), reinterpret_cast<u64>(&serve), stack_pointer(), reinterpret_cast<u64>(&server_arguments)).is_ok());

    u8 reply[abi::kMessageMaxBytes];
    base::u32 reply_length = 0;
    // Every size up to the server's buffer, many rounds: each reply is the request plus one.
    bool all_right = true;
    for (base::u32 round = 0; round < 300; ++round) {
        const base::u32 length = (round * 37) % (kServerCapacity + 1);
        const u8 first = static_cast<u8>(round);
        if (length == 1 && (first == kQuit || first == kSlow)) continue;
        if (call(client_end, length, first, reply, reply_length, abi::kForever) != Status::Ok || reply_length != length) {
            all_right = false;
            break;
        }
        for (base::u32 i = 0; i < length; ++i) all_right = all_right && reply[i] == static_cast<u8>(first + i * 7 + 1);
    }
    EXPECT(all_right);

    // Too large for the server's buffer: the general path queues it, the server sees TooLarge.
    EXPECT(call(client_end, kServerCapacity + 1, 3, reply, reply_length, abi::kForever) == Status::Ok);
    EXPECT(reply_length == 1 && reply[0] == kTooLargeMarker);

    // A reply descriptor the client cannot write (good buffers, read-only page): refused, and
    // the reply is still there after.
    auto page = sys::bundle_create(grant(), 1);
    ASSERT(page.is_ok());
    const abi::Handle self_reticle = vectra::start_info()->self_reticle;
    ASSERT(sys::reticle_map(self_reticle, page.value(), 0, kReadOnlyPage, kPage, abi::kProtectRead | abi::kProtectWrite).is_ok());
    auto* read_only = reinterpret_cast<abi::RingMessage*>(kReadOnlyPage);
    *read_only = {reinterpret_cast<u64>(reply), 0, sizeof reply, 0, 0, 0};
    ASSERT(sys::reticle_protect(self_reticle, kReadOnlyPage, kPage, abi::kProtectRead).is_ok());
    u8 request_byte = 9;
    const abi::RingMessage out{reinterpret_cast<u64>(&request_byte), 1, 0, 0, 0, 0};
    EXPECT_EQ(sys::raw::ring_call(client_end, &out, read_only, abi::kForever), -base::i64(Status::BadAddress));
    EXPECT(sys::reticle_unmap(self_reticle, kReadOnlyPage, kPage).is_ok());
    EXPECT(sys::handle_close(page.value()).is_ok());
    abi::RingMessage in{reinterpret_cast<u64>(reply), 0, sizeof reply, 0, 0, 0};
    EXPECT(sys::ring_receive(client_end, in, abi::kTimeoutNone).is_ok());
    EXPECT(in.byte_count == 1 && reply[0] == 10);

    // A reply slower than the timeout: Timeout, and the late reply is received afterwards.
    EXPECT(call(client_end, 1, kSlow, reply, reply_length, 2'000'000) == Status::Timeout);
    in = {reinterpret_cast<u64>(reply), 0, sizeof reply, 0, 0, 0};
    EXPECT(sys::ring_receive(client_end, in, 20'000'000'000).is_ok());
    EXPECT(in.byte_count == 1 && reply[0] == kSlow + 1);

    // The server quits; its end goes with it: the next call ends with PeerClosed (at once, or
    // when the server's exit closes its end while the call waits; the timeout only bounds a
    // broken kernel's wait, and is long, for a host that runs this machine slowly).
    EXPECT(call(client_end, 1, kQuit, reply, reply_length, abi::kForever) == Status::Ok);
    EXPECT(reply_length == 1 && reply[0] == 0);
    EXPECT(call(client_end, 4, 1, reply, reply_length, 20'000'000'000) == Status::PeerClosed);
    // An ended Task's table is gone for good: nothing more can be given to it.
    EXPECT_EQ(sys::task_give(server.value(), client_end, abi::kRightRead).status(), Status::BadState);
    (void)sys::handle_close(server.value());
    (void)sys::handle_close(client_end);
}

namespace {

constexpr u64 kHogRounds = 200'000;
volatile u64 hog_counter = 0;
ServerArguments counter_server_arguments;
alignas(16) u8 counter_server_stack[16 * 1024];
alignas(16) u8 hog_stack[16 * 1024];

[[noreturn]] void count_then_exit(u64) {
    for (u64 i = 0; i < kHogRounds; ++i) hog_counter = hog_counter + 1;
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

// Answers one request with how far the hog had counted when it ran.
[[noreturn]] void report_counter(ServerArguments* arguments) {
    u8 request_bytes[8];
    abi::RingMessage request{reinterpret_cast<u64>(request_bytes), 0, sizeof request_bytes, 0, 0, 0};
    if (sys::raw::ring_receive(arguments->ring, &request, abi::kForever) == 0) {
        const u64 seen = hog_counter;
        const abi::RingMessage reply{reinterpret_cast<u64>(&seen), sizeof seen, 0, 0, 0, 0};
        (void)sys::raw::ring_send(arguments->ring, &reply, abi::kForever);
    }
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

u64 top_of(u8* stack, u64 size) { return vectra::initial_stack_pointer(stack, size); }

}  // namespace

// The fast path hands the CPU to the receiver only when nothing ready outranks it: a calling
// Task with a low-priority server and a ready middle-priority hog must see the hog run first.
USER_TEST(a_ring_call_never_lets_its_server_overtake_a_higher_priority_thread) {
    auto server = sys::task_create(grant(), vectra::start_info()->self_reticle, base::StringView("low-server"));
    auto hog = sys::task_create(grant(), vectra::start_info()->self_reticle, base::StringView("hog"));
    auto ring = sys::ring_create(grant(), 2);
    ASSERT(server.is_ok() && hog.is_ok() && ring.is_ok());
    counter_server_arguments.ring = sys::task_give(server.value(), ring.value().second, abi::kRightsAll).value_or(0);
    ASSERT(counter_server_arguments.ring != 0);
    EXPECT(sys::task_set_priority(server.value(), 1).is_ok());
    EXPECT(sys::task_set_priority(hog.value(), 2).is_ok());
    // Priorities order one CPU: all three on the boot CPU (on another the hog would just run
    // beside us, and prove nothing).
    const abi::Handle self_task = vectra::start_info()->self_task;
    EXPECT(sys::task_set_affinity(self_task, 1).is_ok());
    EXPECT(sys::task_set_affinity(server.value(), 1).is_ok());
    EXPECT(sys::task_set_affinity(hog.value(), 1).is_ok());
    // The server first, so it is already waiting (fast-path eligible) when we call.
    ASSERT(sys::task_start(server.value(), reinterpret_cast<u64>(&report_counter), top_of(counter_server_stack, sizeof counter_server_stack),
                           reinterpret_cast<u64>(&counter_server_arguments)).is_ok());
    base::u8 none[1];
    abi::RingMessage probe{reinterpret_cast<u64>(none), 0, sizeof none, 0, 0, 0};
    (void)sys::ring_receive(ring.value().first, probe, 20'000'000);  // lets the server run to its receive (times out)
    hog_counter = 0;
    ASSERT(sys::task_start(hog.value(), reinterpret_cast<u64>(&count_then_exit), top_of(hog_stack, sizeof hog_stack), 0).is_ok());
    // The hog is ready, not running: we outrank it. Now call the low-priority server.
    u64 seen = ~u64(0);
    const u8 request = 1;
    const abi::RingMessage out{reinterpret_cast<u64>(&request), 1, 0, 0, 0, 0};
    abi::RingMessage in{reinterpret_cast<u64>(&seen), 0, sizeof seen, 0, 0, 0};
    EXPECT_EQ(sys::raw::ring_call(ring.value().first, &out, &in, 5'000'000'000), 0);
    EXPECT_EQ(seen, kHogRounds);  // the hog finished before the server answered
    EXPECT(sys::task_set_affinity(self_task, ~u64(0)).is_ok());
    (void)sys::handle_close(server.value());
    (void)sys::handle_close(hog.value());
    (void)sys::handle_close(ring.value().first);
    (void)sys::handle_close(ring.value().second);
}
