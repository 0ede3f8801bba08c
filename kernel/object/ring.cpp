// Rings (see ring.h). The channel, both endpoints and every message slot are allocated together
// from the creator's grant: 2 pages for the endpoints plus the channel's pages.
#include "kernel/object/ring.h"

#include "arch/user_mode.h"
#include "kernel/object/bundle.h"
#include "kernel/object/message_queue.h"
#include "kernel/object/object_memory.h"
#include "kernel/object/signal.h"
#include "kernel/sched/scheduler.h"

namespace kernel {

namespace abi = vectra::abi;
using abi::Status;

// Queue q holds the messages waiting for end q to receive them.
struct RingChannel {
    struct Queue {
        MessageQueue messages;
        WaitQueue receivers;  // end q waiting for a message
        WaitQueue senders;    // the other end waiting for room
    };

    Ring* ends[2] = {nullptr, nullptr};
    Queue queues[2];
    base::u64 pages = 0;
    Bundle* paid_by = nullptr;
};

namespace {

base::u64 channel_pages(base::u32 capacity) {
    const base::u64 bytes = sizeof(RingChannel) + 2ull * capacity * sizeof(Message) + alignof(Message);
    return (bytes + layout::kPageSize - 1) / layout::kPageSize;
}

}  // namespace

StatusOr<Ring::Pair> Ring::create(Bundle& grant, base::u32 capacity) {
    if (capacity == 0 || capacity > abi::kRingMaxCapacity) return Status::InvalidArgument;
    const base::u64 pages = channel_pages(capacity);
    void* channel_memory = TRY(allocate_object_pages(&grant, pages));
    auto end_memory = allocate_object_pages(&grant, 2 * pages_for<Ring>());
    if (end_memory.is_error()) {
        free_object_pages(&grant, channel_memory, pages);
        return end_memory.error();
    }
    auto* channel = new (channel_memory) RingChannel();
    auto* slots = reinterpret_cast<Message*>(base::align_up(reinterpret_cast<base::uptr>(channel + 1), alignof(Message)));
    for (base::u32 i = 0; i < 2 * capacity; ++i) new (&slots[i]) Message();
    channel->queues[0].messages.attach(base::Span<Message>(slots, capacity));
    channel->queues[1].messages.attach(base::Span<Message>(slots + capacity, capacity));
    channel->pages = pages;
    channel->paid_by = &grant;
    grant.retain();
    auto* ends = static_cast<base::u8*>(end_memory.value());
    channel->ends[0] = new (ends) Ring(*channel, 0);
    channel->ends[1] = new (ends + layout::kPageSize * pages_for<Ring>()) Ring(*channel, 1);
    return Pair{{channel->ends[0], channel->ends[1]}};
}

Status Ring::send(const base::u8* bytes, base::u32 byte_count, base::Span<const abi::Handle> handles, CapabilityTable& table,
                  base::u64 deadline) {
    if (byte_count > abi::kMessageMaxBytes || handles.size() > abi::kMessageMaxHandles) return Status::TooLarge;
    const int peer = 1 - side_;
    RingChannel::Queue& queue = channel_->queues[peer];
    // Bound: each pass blocks until woken (room, closed, timeout) or proceeds.
    for (;;) {
        if (channel_->ends[peer] == nullptr) return Status::PeerClosed;
        if (!queue.messages.full()) break;
        if (deadline == 0) return Status::WouldBlock;
        const base::i64 woken = sched::block_current(queue.senders, deadline);
        if (woken != 0) return static_cast<Status>(woken);
    }
    // The receiving end may not travel over its own Ring: the message would hold the end it
    // waits for, and neither could ever be destroyed (a reference cycle).
    for (const abi::Handle handle : handles) {
        auto capability = table.lookup(handle, abi::ObjectKind::Ring, 0);
        if (capability.is_ok() && capability.value()->object() == channel_->ends[peer]) return Status::InvalidArgument;
    }
    const Status queued = queue.messages.push(bytes, byte_count, handles, table);
    if (queued != Status::Ok) return queued;
    if (Thread* receiver = queue.receivers.front()) sched::wake(*receiver, 0);
    channel_->ends[peer]->raise_notification();
    return Status::Ok;
}

Status Ring::receive(const abi::RingMessage& message, base::u64 user_message, CapabilityTable& table, base::u64 deadline) {
    RingChannel::Queue& queue = channel_->queues[side_];
    // Bound: each pass blocks until woken or proceeds.
    for (;;) {
        if (!queue.messages.empty()) break;
        if (channel_->ends[1 - side_] == nullptr) return Status::PeerClosed;
        if (deadline == 0) return Status::WouldBlock;
        // While blocked, a caller on the fast path may put its message straight into the buffers.
        DirectReceive direct{&message, user_message, false};
        Thread& self = *sched::current();
        self.direct_receive = &direct;
        const base::i64 woken = sched::block_current(queue.receivers, deadline);
        self.direct_receive = nullptr;
        if (direct.delivered) return Status::Ok;
        if (woken != 0) return static_cast<Status>(woken);
    }
    const Message& message_in = queue.messages.front();
    // Decode: does it fit, and can every byte and handle be written? Zeros first, so the real
    // writes below cannot fault (one CPU: nothing unmaps the buffers in between).
    if (message_in.byte_count > message.byte_capacity || message_in.handle_count > message.handle_capacity) return Status::TooLarge;
    static constexpr base::u8 zeros[abi::kMessageMaxBytes] = {};
    if (!arch::copy_to_user(message.bytes, zeros, message_in.byte_count)) return Status::BadAddress;
    if (!arch::copy_to_user(message.handles, zeros, message_in.handle_count * sizeof(abi::Handle))) return Status::BadAddress;
    const base::u32 byte_count = message_in.byte_count, handle_count = message_in.handle_count;
    abi::RingMessage counts = message;
    counts.byte_count = byte_count;
    counts.handle_count = handle_count;
    if (!arch::copy_to_user(user_message, &counts, sizeof counts)) return Status::BadAddress;
    abi::Handle received[abi::kMessageMaxHandles];
    const Status taken = queue.messages.take_capabilities(table, base::Span<abi::Handle>(received, handle_count));
    if (taken != Status::Ok) return taken;
    // Invoke: nothing below can fail.
    (void)arch::copy_to_user(message.bytes, message_in.bytes, byte_count);
    (void)arch::copy_to_user(message.handles, received, handle_count * sizeof(abi::Handle));
    queue.messages.pop();
    if (Thread* sender = queue.senders.front()) sched::wake(*sender, 0);
    return Status::Ok;
}

bool Ring::call_fast(const abi::RingMessage& request, const abi::RingMessage& reply, base::u64 reply_descriptor, CapabilityTable& table,
                     base::u64 deadline, Status& result) {
    if (request.handle_count != 0 || request.byte_count > abi::kMessageMaxBytes || deadline == 0) return false;
    const int peer = 1 - side_;
    RingChannel::Queue& outgoing = channel_->queues[peer];
    RingChannel::Queue& incoming = channel_->queues[side_];
    Ring* peer_end = channel_->ends[peer];
    if (peer_end == nullptr || !outgoing.messages.empty() || !incoming.messages.empty()) return false;
    Thread* receiver = outgoing.receivers.front();
    if (receiver == nullptr || receiver->direct_receive == nullptr || !sched::would_run_first(*receiver)) return false;
    Thread& self = *sched::current();
    if (self.kill_pending) return false;
    DirectReceive& target = *receiver->direct_receive;
    if (request.byte_count > target.buffers->byte_capacity) return false;
    // The bytes go through the kernel: the two buffers are in different address spaces in general.
    base::u8 bytes[abi::kMessageMaxBytes];
    if (!arch::copy_from_user(bytes, request.bytes, request.byte_count)) return false;
    const base::u64 own_space = self.address_space_root;
    if (receiver->address_space_root != own_space) sched::load_address_space(receiver->address_space_root);
    abi::RingMessage counts = *target.buffers;
    counts.byte_count = request.byte_count;
    counts.handle_count = 0;
    if (!arch::copy_to_user(target.buffers->bytes, bytes, request.byte_count) ||
        !arch::copy_to_user(target.descriptor, &counts, sizeof counts)) {
        // The receiver's own receive will meet the same bad address and report it.
        if (receiver->address_space_root != own_space) sched::load_address_space(own_space);
        return false;
    }
    target.delivered = true;
    peer_end->raise_notification();
    // The reply: waited for like any receive, so the peer's next call can come the same way.
    DirectReceive own{&reply, reply_descriptor, false};
    self.direct_receive = &own;
    const base::i64 woken = sched::block_current_and_run(incoming.receivers, deadline, *receiver);
    self.direct_receive = nullptr;
    if (own.delivered) result = Status::Ok;
    else if (woken != 0) result = static_cast<Status>(woken);
    else result = receive(reply, reply_descriptor, table, deadline);  // queued by the general path
    return true;
}

void Ring::notify(Signal* signal, base::u64 bits) {
    if (signal != nullptr) signal->retain();
    if (notify_signal_ != nullptr) notify_signal_->release();
    notify_signal_ = signal;
    notify_bits_ = bits;
    if (!channel_->queues[side_].messages.empty() || channel_->ends[1 - side_] == nullptr) raise_notification();
}

void Ring::raise_notification() {
    if (notify_signal_ != nullptr) notify_signal_->raise(notify_bits_);
}

void Ring::destroy() {
    RingChannel& channel = *channel_;
    const int side = side_;
    channel.ends[side] = nullptr;
    if (notify_signal_ != nullptr) notify_signal_->release();
    notify_signal_ = nullptr;
    if (Ring* peer = channel.ends[1 - side]) peer->raise_notification();  // it learns this end is gone
    // Messages for this end will never be received; waiters on either side learn the end is gone.
    channel.queues[side].messages.drop_all();
    sched::wake_all(channel.queues[side].senders, static_cast<base::i64>(Status::PeerClosed));
    sched::wake_all(channel.queues[1 - side].receivers, static_cast<base::i64>(Status::PeerClosed));
    this->~Ring();
    if (channel.ends[1 - side] != nullptr) return;
    // Both ends gone: the endpoints' pages (allocated together, end 0 first) and the channel.
    Bundle* grant = channel.paid_by;
    channel.queues[1 - side].messages.drop_all();
    void* ends = side == 0 ? static_cast<void*>(this) : static_cast<base::u8*>(static_cast<void*>(this)) - layout::kPageSize * pages_for<Ring>();
    const base::u64 pages = channel.pages;
    channel.~RingChannel();
    free_object_pages(grant, ends, 2 * pages_for<Ring>());
    free_object_pages(grant, &channel, pages);
    grant->release();
}

}  // namespace kernel
