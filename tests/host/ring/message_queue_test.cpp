// A Ring direction's message queue: order, bounds, wrap-around, capabilities moved all or
// nothing, dropped messages deleting what they carry, and a random run against a model.
#include <deque>
#include <random>
#include <vector>

#include "kernel/object/message_queue.h"
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;
using kernel::Message;
using kernel::MessageQueue;
using Queue = CapabilityTest;

struct TestQueue {
    explicit TestQueue(u32 capacity) : slots(capacity) { queue.attach(base::Span<Message>(slots.data(), slots.size())); }
    std::vector<Message> slots;  // outlives the queue: declared first
    MessageQueue queue;
};

std::vector<base::u8> bytes_of(const Message& message) {
    return std::vector<base::u8>(message.bytes, message.bytes + message.byte_count);
}

Status push_bytes(MessageQueue& queue, CapabilityTable& table, std::vector<base::u8> bytes) {
    return queue.push(bytes.data(), static_cast<u32>(bytes.size()), {}, table);
}

TEST_F(Queue, KeepsOrderAcrossWrapAroundAndRefusesWhenFull) {
    TestQueue q(3);
    TestTable table(4);
    u32 next_in = 0, next_out = 0;
    // Bound: 20 rounds of two pushes and two pops, so positions wrap many times.
    for (int round = 0; round < 20; ++round) {
        for (int i = 0; i < 2; ++i) {
            ASSERT_EQ(push_bytes(q.queue, *table, {static_cast<base::u8>(next_in), static_cast<base::u8>(next_in >> 8)}), Status::Ok);
            ++next_in;
        }
        for (int i = 0; i < 2; ++i) {
            ASSERT_FALSE(q.queue.empty());
            const std::vector<base::u8> expected = {static_cast<base::u8>(next_out), static_cast<base::u8>(next_out >> 8)};
            EXPECT_EQ(bytes_of(q.queue.front()), expected) << "message " << next_out;
            q.queue.pop();
            ++next_out;
        }
    }
    ASSERT_EQ(push_bytes(q.queue, *table, {1}), Status::Ok);
    ASSERT_EQ(push_bytes(q.queue, *table, {2}), Status::Ok);
    ASSERT_EQ(push_bytes(q.queue, *table, {3}), Status::Ok);
    EXPECT_TRUE(q.queue.full());
    EXPECT_EQ(push_bytes(q.queue, *table, {4}), Status::WouldBlock);
    EXPECT_EQ(q.queue.size(), 3u);
    EXPECT_EQ(bytes_of(q.queue.front()), std::vector<base::u8>{1}) << "a refused push changed nothing";
}

TEST_F(Queue, RefusesMessagesPastTheBounds) {
    TestQueue q(2);
    TestTable table(8);
    std::vector<base::u8> big(kMessageMaxBytes + 1, 7);
    EXPECT_EQ(q.queue.push(big.data(), static_cast<u32>(big.size()), {}, *table), Status::TooLarge);
    Handle handles[kMessageMaxHandles + 1];
    for (Handle& handle : handles) handle = ok(table->insert_root(*new FakeObject(), kRightsAll));
    EXPECT_EQ(q.queue.push(nullptr, 0, base::Span<const Handle>(handles, kMessageMaxHandles + 1), *table), Status::TooLarge);
    EXPECT_TRUE(q.queue.empty());
    EXPECT_EQ(table->live_count(), kMessageMaxHandles + 1) << "nothing moved out";
    std::vector<base::u8> largest(kMessageMaxBytes, 9);
    EXPECT_EQ(q.queue.push(largest.data(), kMessageMaxBytes, {}, *table), Status::Ok);
    EXPECT_EQ(bytes_of(q.queue.front()), largest);
}

TEST_F(Queue, CapabilitiesMoveOutWholeOrNotAtAll) {
    TestQueue q(2);
    TestTable sender(4);
    Handle good = ok(sender->insert_root(*new FakeObject(), kRightsAll));
    Handle locked = ok(sender->insert_root(*new FakeObject(), kRightsAll & ~kRightTransfer));
    const Handle both[2] = {good, locked};
    EXPECT_EQ(q.queue.push(nullptr, 0, base::Span<const Handle>(both, 2), *sender), Status::MissingRights);
    EXPECT_TRUE(q.queue.empty());
    EXPECT_EQ(sender->live_count(), 2u) << "the movable one stayed too";
    const Handle twice[2] = {good, good};
    EXPECT_EQ(q.queue.push(nullptr, 0, base::Span<const Handle>(twice, 2), *sender), Status::BadHandle);
    EXPECT_EQ(sender->live_count(), 2u);
    const base::u8 byte = 5;
    ASSERT_EQ(q.queue.push(&byte, 1, base::Span<const Handle>(&good, 1), *sender), Status::Ok);
    EXPECT_EQ(sender->live_count(), 1u) << "moved out at send";
    EXPECT_EQ(status_of(sender->lookup(good, ObjectKind::None, 0)), Status::BadHandle);
}

TEST_F(Queue, AFullReceiverTableLeavesTheMessageQueuedWithItsCapabilities) {
    TestQueue q(2);
    TestTable sender(4);
    TestTable receiver(1);
    auto* object = new FakeObject();
    Handle handle = ok(sender->insert_root(*object, kRightsAll));
    const base::u8 bytes[3] = {1, 2, 3};
    ASSERT_EQ(q.queue.push(bytes, 3, base::Span<const Handle>(&handle, 1), *sender), Status::Ok);
    ok(receiver->insert_root(*new FakeObject(), kRightsAll));  // the only slot
    Handle received[kMessageMaxHandles] = {};
    EXPECT_EQ(q.queue.take_capabilities(*receiver, base::Span<Handle>(received, 1)), Status::TableFull);
    ASSERT_EQ(q.queue.size(), 1u);
    EXPECT_EQ(q.queue.front().handle_count, 1u) << "still in flight";
    EXPECT_EQ(bytes_of(q.queue.front()), (std::vector<base::u8>{1, 2, 3}));

    TestTable roomy(2);
    ASSERT_EQ(q.queue.take_capabilities(*roomy, base::Span<Handle>(received, 1)), Status::Ok);
    EXPECT_EQ(ok(roomy->lookup(received[0], ObjectKind::None, 0))->object(), object);
    EXPECT_EQ(bytes_of(q.queue.front()), (std::vector<base::u8>{1, 2, 3})) << "bytes stay until pop";
    q.queue.pop();
    EXPECT_TRUE(q.queue.empty());
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(object->id()), 0) << "the received capability keeps it alive";
}

TEST_F(Queue, DroppedMessagesDeleteTheirCapabilitiesAndRevokeReachesThem) {
    TestTable sender(8);
    auto* dropped = new FakeObject();
    auto* revoked = new FakeObject();
    const u64 dropped_id = dropped->id(), revoked_id = revoked->id();
    Handle to_drop = ok(sender->insert_root(*dropped, kRightsAll));
    Handle parent = ok(sender->insert_root(*revoked, kRightsAll));
    Handle child = ok(sender->derive(parent, kRightsAll));
    {
        TestQueue q(4);
        ASSERT_EQ(q.queue.push(nullptr, 0, base::Span<const Handle>(&to_drop, 1), *sender), Status::Ok);
        ASSERT_EQ(q.queue.push(nullptr, 0, base::Span<const Handle>(&child, 1), *sender), Status::Ok);
        // Revoking the parent reaches the child in flight: it arrives as kNoHandle.
        while (sender->revoke(parent, 1) == Status::MoreToDo) {}
        q.queue.pop();  // the first message, undelivered: its capability is deleted
        kernel::reap_objects();
        EXPECT_EQ(destroyed_count(dropped_id), 1) << "an undelivered capability was deleted";
        TestTable receiver(4);
        Handle received[1] = {1234};
        ASSERT_EQ(q.queue.take_capabilities(*receiver, base::Span<Handle>(received, 1)), Status::Ok);
        EXPECT_EQ(received[0], kNoHandle) << "revoked while in flight";
        EXPECT_EQ(receiver->live_count(), 0u);
        ASSERT_EQ(q.queue.push(nullptr, 0, {}, *sender), Status::Ok);
        q.queue.drop_all();
        EXPECT_TRUE(q.queue.empty());
    }
    (void)sender->close(parent);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(revoked_id), 1);
}

// Random pushes, takes and pops against a deque of byte strings, capabilities included.
TEST_F(Queue, RandomRunMatchesAModel) {
    std::mt19937 random(12345);
    for (u32 capacity : {1u, 2u, 5u, 16u}) {
        TestQueue q(capacity);
        TestTable table(64);
        std::deque<std::vector<base::u8>> model;
        // Bound: 4000 steps per capacity.
        for (int step = 0; step < 4000; ++step) {
            if (random() % 2 == 0) {
                std::vector<base::u8> bytes(random() % (kMessageMaxBytes + 1));
                for (auto& byte : bytes) byte = static_cast<base::u8>(random());
                Handle handles[2];
                const u32 handle_count = table->live_count() + 2 <= 60 ? random() % 3 : 0;
                for (u32 i = 0; i < handle_count; ++i) handles[i] = ok(table->insert_root(*new FakeObject(), kRightsAll));
                const u32 live_before = table->live_count();
                const Status pushed = q.queue.push(bytes.data(), static_cast<u32>(bytes.size()),
                                                   base::Span<const Handle>(handles, handle_count), *table);
                if (model.size() == capacity) {
                    ASSERT_EQ(pushed, Status::WouldBlock);
                    ASSERT_EQ(table->live_count(), live_before);
                    for (u32 i = 0; i < handle_count; ++i) ASSERT_EQ(table->close(handles[i]), Status::Ok);
                } else {
                    ASSERT_EQ(pushed, Status::Ok);
                    ASSERT_EQ(table->live_count(), live_before - handle_count);
                    model.push_back(bytes);
                }
            } else if (!model.empty()) {
                ASSERT_EQ(bytes_of(q.queue.front()), model.front());
                const u32 handle_count = q.queue.front().handle_count;
                Handle received[kMessageMaxHandles];
                ASSERT_EQ(q.queue.take_capabilities(*table, base::Span<Handle>(received, handle_count)), Status::Ok);
                for (u32 i = 0; i < handle_count; ++i) ASSERT_EQ(table->close(received[i]), Status::Ok);
                q.queue.pop();
                model.pop_front();
            } else {
                ASSERT_TRUE(q.queue.empty());
            }
            ASSERT_EQ(q.queue.size(), model.size());
        }
    }
}

}  // namespace
}  // namespace capability_test
