// Ring: a bounded message channel. ring_create makes a pair of endpoints; what one end sends,
// the other receives, in order. A message carries up to kMessageMaxBytes bytes and
// kMessageMaxHandles capabilities; capabilities travel as in-flight nodes of the derivation tree
// (moved out of the sender's table at send, into the receiver's at receive), so revoking an
// ancestor reaches them on the way. Each direction queues up to `capacity` messages; a sender
// to a full queue waits (or gets WouldBlock), a receiver of an empty one likewise. When one end
// is gone (its last capability closed), the other end's waits and sends end with PeerClosed
// and undelivered messages to the dead end are destroyed (their capabilities deleted).
// call = send, then receive the reply on the same end: the woken server runs at once when its
// priority allows, since the caller blocks straight after.
#pragma once

#include "abi/abi.h"
#include "kernel/capability/capability_table.h"
#include "kernel/object/object.h"
#include "kernel/sched/thread.h"

namespace kernel {

class Bundle;
class Signal;
struct RingChannel;

// What a thread blocked receiving on a Ring leaves on its stack (Thread::direct_receive): a
// caller on the fast path writes its message straight into these buffers and sets `delivered`
// instead of queuing it.
struct DirectReceive {
    const vectra::abi::RingMessage* buffers;  // as the receiver described them (its kernel copy)
    base::u64 descriptor = 0;                 // their user address, where the counts go
    bool delivered = false;
};

class Ring final : public Object {
public:
    struct Pair {
        Ring* ends[2];
    };
    static StatusOr<Pair> create(Bundle& grant, base::u32 capacity);

    // Sends a message already copied into the kernel. `handles` name capabilities in `table`
    // (moved out only when the message is queued). Blocks until there is room or `deadline`.
    vectra::abi::Status send(const base::u8* bytes, base::u32 byte_count, base::Span<const vectra::abi::Handle> handles,
                             CapabilityTable& table, base::u64 deadline);
    // Receives into the user's buffers that `message` describes (a RingMessage copied in from
    // `user_message`), moving capabilities into `table`, and writes the received counts back to
    // `user_message` — before taking the message, so a descriptor that cannot be written is
    // BadAddress with the message still queued. A message that does not fit stays queued
    // (TooLarge); so does one whose bytes or handles cannot be written (BadAddress) or whose
    // capabilities find no room (TableFull).
    vectra::abi::Status receive(const vectra::abi::RingMessage& message, base::u64 user_message, CapabilityTable& table,
                                base::u64 deadline);

    // ring_call's fast path, for the common case: a message of bytes only, to a peer thread
    // already blocked receiving (with room for it) that nothing ready outranks, with no message
    // queued either way. The message goes straight into the peer's buffers and the CPU straight
    // to the peer; the caller then waits for the reply the same way (`reply` copied in from
    // `reply_descriptor`). Returns false, having changed nothing, when any of that does not
    // hold (the caller takes the general path); true with the call's `result` otherwise.
    bool call_fast(const vectra::abi::RingMessage& request, const vectra::abi::RingMessage& reply, base::u64 reply_descriptor,
                   CapabilityTable& table, base::u64 deadline, vectra::abi::Status& result);

    // Binds this end to `signal` (nullptr: unbinds): whenever a message is queued for this end,
    // or the peer end goes away, `bits` are raised on it — at once when either is already so.
    // Lets one thread wait for several Rings (and interrupts) on one Signal.
    void notify(Signal* signal, base::u64 bits);

protected:
    void destroy() override;

private:
    friend struct RingChannel;
    void raise_notification();
    Ring(RingChannel& channel, int side) : Object(vectra::abi::ObjectKind::Ring), channel_(&channel), side_(side) {}

    RingChannel* channel_;
    int side_;
    Signal* notify_signal_ = nullptr;  // retained while bound
    base::u64 notify_bits_ = 0;
};

}  // namespace kernel
