// MessageQueue: the messages waiting in one direction of a Ring, in order. Portable (no waiting,
// no user memory, no scheduler): the Ring blocks and copies to and from user memory around it,
// and the host tests it against a model (tests/host/ring).
//
// Invariants: size() <= capacity(); the queued messages are slots[head .. head + size) modulo
// capacity, oldest first; a slot outside that range holds no capability. A message's
// capabilities travel as in-flight nodes of the derivation tree, so a revoke reaches them while
// they wait. Every operation either completes or changes nothing.
#pragma once

#include "abi/abi.h"
#include "base/span.h"
#include "kernel/capability/capability_table.h"

namespace kernel {

struct Message {
    base::u32 byte_count = 0;
    base::u32 handle_count = 0;
    base::u8 bytes[vectra::abi::kMessageMaxBytes];
    InFlightCapability handles[vectra::abi::kMessageMaxHandles];
};

class MessageQueue {
public:
    MessageQueue() = default;
    MessageQueue(const MessageQueue&) = delete;
    MessageQueue& operator=(const MessageQueue&) = delete;
    ~MessageQueue() { drop_all(); }

    // The queue's slots (constructed, empty), which outlive it.
    void attach(base::Span<Message> slots) {
        slots_ = slots.data();
        capacity_ = static_cast<base::u32>(slots.size());
    }

    base::u32 capacity() const { return capacity_; }
    base::u32 size() const { return count_; }
    bool empty() const { return count_ == 0; }
    bool full() const { return count_ == capacity_; }

    // Queues a copy of `bytes` and moves `handles` out of `table` (all or none). WouldBlock when
    // full, TooLarge past the message bounds, else move_out_all's errors; nothing changes on any.
    [[nodiscard, gnu::always_inline]] vectra::abi::Status push(const base::u8* bytes, base::u32 byte_count,
                                           base::Span<const vectra::abi::Handle> handles, CapabilityTable& table) {
        using vectra::abi::Status;
        if (byte_count > vectra::abi::kMessageMaxBytes || handles.size() > vectra::abi::kMessageMaxHandles) return Status::TooLarge;
        if (full()) return Status::WouldBlock;
        Message& slot = slots_[index(head_ + count_)];
        if (!handles.empty()) {
            const Status moved = table.move_out_all(handles, vectra::abi::kRightsAll,
                                                    base::Span<InFlightCapability>(slot.handles, handles.size()));
            if (moved != Status::Ok) return moved;
        }
        if (byte_count != 0) __builtin_memcpy(slot.bytes, bytes, byte_count);
        slot.byte_count = byte_count;
        slot.handle_count = static_cast<base::u32>(handles.size());
        ++count_;
        return Status::Ok;
    }

    // The oldest message. Requires !empty().
    const Message& front() const { return slots_[head_]; }

    // Moves the oldest message's capabilities into `table` and their handles into `received`
    // (kNoHandle for one revoked on the way); the message stays at the front, its bytes intact,
    // until pop(). All or nothing: TableFull (or too few places) changes nothing. Requires
    // !empty().
    [[nodiscard, gnu::always_inline]] vectra::abi::Status take_capabilities(CapabilityTable& table, base::Span<vectra::abi::Handle> received) {
        Message& slot = slots_[head_];
        if (slot.handle_count == 0) return vectra::abi::Status::Ok;
        const vectra::abi::Status moved = table.move_in_all(base::Span<InFlightCapability>(slot.handles, slot.handle_count), received);
        if (moved == vectra::abi::Status::Ok) slot.handle_count = 0;
        return moved;
    }

    // Removes the oldest message, deleting any capability still in it. Requires !empty().
    [[gnu::always_inline]] void pop() {
        Message& slot = slots_[head_];
        if (slot.handle_count != 0) clear_capabilities(slot);
        slot.byte_count = slot.handle_count = 0;
        head_ = index(head_ + 1);
        --count_;
    }

    // Destroys every queued message (their capabilities are deleted). Bound: capacity slots.
    void drop_all() {
        while (count_ > 0) pop();
    }

private:
    [[gnu::noinline]] static void clear_capabilities(Message& slot) {
        for (base::u32 i = 0; i < slot.handle_count; ++i) slot.handles[i].clear();
    }

    // Positions run below 2 * capacity, so one subtraction wraps them (no division).
    base::u32 index(base::u32 position) const { return position < capacity_ ? position : position - capacity_; }

    Message* slots_ = nullptr;
    base::u32 capacity_ = 0;
    base::u32 head_ = 0;
    base::u32 count_ = 0;
};

}  // namespace kernel
