// Rings and Signals through the typed wrappers: bytes and capabilities travel, empty and full
// queues answer WouldBlock or Timeout, a gone peer answers PeerClosed, Signal bits stay up
// until cleared — and FP/SIMD registers survive other threads running.
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

using vectra::Status;
namespace sys = vectra::sys;
namespace abi = vectra::abi;

abi::Handle grant() { return vectra::start_info()->memory_grant; }

base::Span<const base::u8> bytes_of(const char* text, base::usize length) { return {reinterpret_cast<const base::u8*>(text), length}; }

}  // namespace

USER_TEST(a_message_goes_from_one_end_to_the_other) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 4);
    ASSERT(ring.is_ok());
    const char text[] = "over the ring";
    EXPECT(sys::ring_send(ring.value().first, sys::message_to_send(bytes_of(text, sizeof text)), abi::kForever).is_ok());
    base::u8 buffer[abi::kMessageMaxBytes];
    auto message = sys::message_to_receive(buffer);
    EXPECT(sys::ring_receive(ring.value().second, message, abi::kForever).is_ok());
    EXPECT_EQ(message.byte_count, sizeof text);
    EXPECT(base::StringView(reinterpret_cast<char*>(buffer)) == base::StringView(text));
    EXPECT(sys::handle_close(ring.value().first).is_ok());
    EXPECT(sys::handle_close(ring.value().second).is_ok());
}

USER_TEST(an_empty_ring_answers_would_block_or_timeout) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 1);
    ASSERT(ring.is_ok());
    base::u8 buffer[8];
    auto message = sys::message_to_receive(buffer);
    EXPECT_EQ(sys::ring_receive(ring.value().second, message, abi::kTimeoutNone).status(), Status::WouldBlock);
    const base::u64 before = sys::clock_now();
    EXPECT_EQ(sys::ring_receive(ring.value().second, message, 2'000'000).status(), Status::Timeout);
    EXPECT(sys::clock_now() - before >= 2'000'000);
    // A full queue: capacity 1.
    const char one[] = "1";
    EXPECT(sys::ring_send(ring.value().first, sys::message_to_send(bytes_of(one, 1)), abi::kTimeoutNone).is_ok());
    EXPECT_EQ(sys::ring_send(ring.value().first, sys::message_to_send(bytes_of(one, 1)), abi::kTimeoutNone).status(), Status::WouldBlock);
    EXPECT(sys::handle_close(ring.value().first).is_ok());
    EXPECT(sys::handle_close(ring.value().second).is_ok());
}

USER_TEST(a_message_over_the_bound_is_refused) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 1);
    ASSERT(ring.is_ok());
    static base::u8 big[abi::kMessageMaxBytes + 1];
    EXPECT_EQ(sys::ring_send(ring.value().first, sys::message_to_send(big), abi::kTimeoutNone).status(), Status::TooLarge);
    EXPECT_EQ(sys::ring_create(grant(), abi::kRingMaxCapacity + 1).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::ring_create(grant(), 0).status(), Status::InvalidArgument);
    EXPECT(sys::handle_close(ring.value().first).is_ok());
    EXPECT(sys::handle_close(ring.value().second).is_ok());
}

USER_TEST(a_capability_moves_with_its_message) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 2);
    const auto signal = sys::signal_create(grant());
    ASSERT(ring.is_ok() && signal.is_ok());
    const abi::Handle sent[1] = {signal.value()};
    EXPECT(sys::ring_send(ring.value().first, sys::message_to_send({}, sent), abi::kForever).is_ok());
    EXPECT_EQ(sys::signal_raise(signal.value(), 1).status(), Status::BadHandle);  // moved away
    abi::Handle received[abi::kMessageMaxHandles] = {};
    auto message = sys::message_to_receive({}, received);
    EXPECT(sys::ring_receive(ring.value().second, message, abi::kForever).is_ok());
    EXPECT_EQ(message.handle_count, 1u);
    EXPECT(sys::signal_raise(received[0], 4).is_ok());
    EXPECT_EQ(sys::signal_wait(received[0], 4, abi::kTimeoutNone).value_or(0), 4u);
    EXPECT(sys::handle_close(received[0]).is_ok());
    EXPECT(sys::handle_close(ring.value().first).is_ok());
    EXPECT(sys::handle_close(ring.value().second).is_ok());
}

USER_TEST(a_gone_peer_answers_peer_closed) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 2);
    ASSERT(ring.is_ok());
    EXPECT(sys::handle_close(ring.value().second).is_ok());
    const char text[] = "anyone?";
    EXPECT_EQ(sys::ring_send(ring.value().first, sys::message_to_send(bytes_of(text, sizeof text)), abi::kForever).status(), Status::PeerClosed);
    base::u8 buffer[8];
    auto message = sys::message_to_receive(buffer);
    EXPECT_EQ(sys::ring_receive(ring.value().first, message, abi::kForever).status(), Status::PeerClosed);
    EXPECT(sys::handle_close(ring.value().first).is_ok());
}

USER_TEST(a_bound_signal_hears_messages_and_a_gone_peer) {
    ASSERT(grant() != abi::kNoHandle);
    const auto ring = sys::ring_create(grant(), 4);
    const auto signal = sys::signal_create(grant());
    ASSERT(ring.is_ok() && signal.is_ok());
    const abi::Handle sender = ring.value().first, receiver = ring.value().second;
    const char text[] = "x";
    // A message already queued raises the bits at once when bound.
    EXPECT(sys::ring_send(sender, sys::message_to_send(bytes_of(text, 1)), abi::kTimeoutNone).is_ok());
    EXPECT(sys::ring_notify(receiver, signal.value(), 2).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 2, abi::kTimeoutNone).value_or(0), 2u);
    EXPECT(sys::signal_clear(signal.value(), 2).is_ok());
    // Each later message raises them again; the sending direction does not.
    base::u8 buffer[8];
    auto message = sys::message_to_receive(buffer);
    EXPECT(sys::ring_receive(receiver, message, abi::kTimeoutNone).is_ok());
    EXPECT(sys::ring_send(receiver, sys::message_to_send(bytes_of(text, 1)), abi::kTimeoutNone).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 2, abi::kTimeoutNone).status(), Status::WouldBlock);
    EXPECT(sys::ring_send(sender, sys::message_to_send(bytes_of(text, 1)), abi::kTimeoutNone).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 2, abi::kTimeoutNone).value_or(0), 2u);
    EXPECT(sys::signal_clear(signal.value(), 2).is_ok());
    // Unbound: silence.
    EXPECT(sys::ring_notify(receiver, abi::kNoHandle, 0).is_ok());
    EXPECT(sys::ring_send(sender, sys::message_to_send(bytes_of(text, 1)), abi::kTimeoutNone).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 2, abi::kTimeoutNone).status(), Status::WouldBlock);
    // Refusals: bits zero or past the mask, a Signal without Write, a Ring end without Read.
    EXPECT_EQ(sys::ring_notify(receiver, signal.value(), 0).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::ring_notify(receiver, signal.value(), 1ull << 63).status(), Status::InvalidArgument);
    const auto read_only = sys::handle_derive(signal.value(), abi::kRightRead);
    ASSERT(read_only.is_ok());
    EXPECT_EQ(sys::ring_notify(receiver, read_only.value(), 2).status(), Status::MissingRights);
    const auto write_only_end = sys::handle_derive(receiver, abi::kRightWrite);
    ASSERT(write_only_end.is_ok());
    EXPECT_EQ(sys::ring_notify(write_only_end.value(), signal.value(), 2).status(), Status::MissingRights);
    EXPECT_EQ(sys::ring_notify(receiver, sender, 2).status(), Status::WrongKind);
    // A gone peer raises the bits (the receiver would learn PeerClosed).
    EXPECT(sys::ring_notify(receiver, signal.value(), 4).is_ok());
    const auto waiter = sys::handle_derive(signal.value(), abi::kRightRead);
    ASSERT(waiter.is_ok());
    EXPECT(sys::signal_clear(signal.value(), 6).is_ok());
    EXPECT(sys::handle_close(signal.value()).is_ok());
    EXPECT(sys::handle_close(read_only.value()).is_ok());
    EXPECT(sys::handle_close(sender).is_ok());
    EXPECT_EQ(sys::signal_wait(waiter.value(), 4, abi::kTimeoutNone).value_or(0), 4u);
    EXPECT(sys::handle_close(waiter.value()).is_ok());
    EXPECT(sys::handle_close(write_only_end.value()).is_ok());
    EXPECT(sys::handle_close(receiver).is_ok());
}

USER_TEST(signal_bits_stay_up_until_cleared) {
    ASSERT(grant() != abi::kNoHandle);
    const auto signal = sys::signal_create(grant());
    ASSERT(signal.is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 0b110, abi::kTimeoutNone).status(), Status::WouldBlock);
    EXPECT(sys::signal_raise(signal.value(), 0b011).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 0b110, abi::kForever).value_or(0), 0b010u);
    EXPECT_EQ(sys::signal_wait(signal.value(), 0b110, abi::kForever).value_or(0), 0b010u);  // still up
    EXPECT(sys::signal_clear(signal.value(), 0b010).is_ok());
    EXPECT_EQ(sys::signal_wait(signal.value(), 0b110, 1'000'000).status(), Status::Timeout);
    EXPECT(sys::handle_close(signal.value()).is_ok());
}

USER_TEST(floating_point_and_simd_registers_survive_a_switch) {
    // Values kept in registers across yields: another thread (or the kernel) clobbering the
    // FP/SIMD state would change them.
    volatile double seed = 1.5;
    double accumulator = seed;
    for (int i = 0; i < 200; ++i) {
        accumulator = accumulator * 1.000001 + 0.25;
        (void)sys::task_yield();
    }
    double expected = seed;
    for (int i = 0; i < 200; ++i) expected = expected * 1.000001 + 0.25;
    EXPECT(accumulator == expected);
}
