// Capabilities in flight: moving out of a table into a message, into another table, revoked on
// the way, destroyed undelivered; a message's handles all or nothing.
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;
using Transfer = CapabilityTest;

TEST_F(Transfer, MoveOutNeedsTheTransferRightAndNarrows) {
    TestTable table(4);
    Handle locked = ok(table->insert_root(*new FakeObject(), kRightsAll & ~kRightTransfer));
    InFlightCapability in_flight;
    EXPECT_EQ(table->move_out(locked, kRightsAll, in_flight), Status::MissingRights);
    EXPECT_TRUE(in_flight.is_empty());
    EXPECT_EQ(table->live_count(), 1u);

    Handle handle = ok(table->insert_root(*new FakeObject(), kRightRead | kRightWrite | kRightTransfer));
    EXPECT_EQ(table->move_out(handle, kRightRead | kRightTransfer | kRightDerive, in_flight), Status::Ok);
    EXPECT_EQ(in_flight.capability().rights(), kRightRead | kRightTransfer) << "narrowed, and derive not gained";
    EXPECT_EQ(status_of(table->lookup(handle, ObjectKind::None, 0)), Status::BadHandle) << "the sender's handle is stale";
    Handle received = ok(table->move_in(in_flight));
    EXPECT_EQ(ok(table->lookup(received, ObjectKind::None, 0))->rights(), kRightRead | kRightTransfer);
    EXPECT_TRUE(in_flight.is_empty());
}

TEST_F(Transfer, RightsNeverWidenAlongDeriveGiveAndTransfer) {
    TestTable first(4);
    TestTable second(4);
    TestTable third(4);
    const u32 start = kRightRead | kRightDerive | kRightTransfer;
    Handle root = ok(first->insert_root(*new FakeObject(), start));
    Handle derived = ok(first->derive(root, kRightsAll));
    Handle given = ok(first->copy_into(derived, *second, kRightsAll));
    InFlightCapability in_flight;
    ASSERT_EQ(second->move_out(given, kRightsAll, in_flight), Status::Ok);
    Handle received = ok(third->move_in(in_flight));
    Handle again = ok(third->derive(received, kRightsAll));
    EXPECT_EQ(ok(first->lookup(derived, ObjectKind::None, 0))->rights(), start);
    EXPECT_EQ(ok(third->lookup(received, ObjectKind::None, 0))->rights(), start);
    EXPECT_EQ(ok(third->lookup(again, ObjectKind::None, 0))->rights(), start);
    EXPECT_EQ(status_of(third->lookup(again, ObjectKind::None, kRightWrite)), Status::MissingRights);
}

TEST_F(Transfer, MoveInToAFullTableLeavesTheCapabilityInFlight) {
    TestTable sender(2);
    TestTable receiver(1);
    ok(receiver->insert_root(*new FakeObject(), kRightsAll));
    Handle handle = ok(sender->insert_root(*new FakeObject(), kRightsAll));
    InFlightCapability in_flight;
    ASSERT_EQ(sender->move_out(handle, kRightsAll, in_flight), Status::Ok);
    EXPECT_EQ(status_of(receiver->move_in(in_flight)), Status::TableFull);
    EXPECT_FALSE(in_flight.is_empty());
    EXPECT_EQ(in_flight.capability().object()->reference_count(), 1u);
}

TEST_F(Transfer, ACapabilityRevokedInFlightIsReceivedAsNoHandle) {
    TestTable owner(4);
    TestTable receiver(4);
    auto* object = new FakeObject();
    Handle root = ok(owner->insert_root(*object, kRightsAll));
    Handle child = ok(owner->derive(root, kRightsAll));
    InFlightCapability message[2];
    Handle handles[] = {child, ok(owner->insert_root(*new FakeObject(), kRightsAll))};
    ASSERT_EQ(owner->move_out_all(base::Span<const Handle>(handles, 2), kRightsAll, base::Span<InFlightCapability>(message, 2)),
              Status::Ok);
    EXPECT_EQ(owner->revoke(root, 10), Status::Ok);
    EXPECT_TRUE(message[0].is_empty());
    EXPECT_FALSE(message[1].is_empty());
    Handle out[2] = {123, 456};
    ASSERT_EQ(receiver->move_in_all(base::Span<InFlightCapability>(message, 2), base::Span<Handle>(out, 2)), Status::Ok);
    EXPECT_EQ(out[0], kNoHandle);
    EXPECT_NE(out[1], kNoHandle);
    EXPECT_EQ(receiver->live_count(), 1u);
    EXPECT_EQ(object->reference_count(), 1u);
}

TEST_F(Transfer, DestroyingAnUndeliveredMessageDeletesItsCapabilities) {
    TestTable sender(4);
    auto* object = new FakeObject();
    u64 id = object->id();
    Handle handle = ok(sender->insert_root(*object, kRightsAll));
    Handle child = ok(sender->derive(handle, kRightsAll));
    {
        InFlightCapability message;
        ASSERT_EQ(sender->move_out(handle, kRightsAll, message), Status::Ok);
        EXPECT_EQ(object->reference_count(), 2u);
    }
    EXPECT_EQ(object->reference_count(), 1u) << "the message's capability is gone";
    EXPECT_TRUE(ok(sender->lookup(child, ObjectKind::None, 0)) != nullptr) << "its descendants stay";
    EXPECT_EQ(sender->close(child), Status::Ok);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(id), 1);
    // clear() on an empty place does nothing.
    InFlightCapability empty;
    empty.clear();
    EXPECT_TRUE(empty.is_empty());
}

TEST_F(Transfer, MoveOutAllIsAllOrNothing) {
    TestTable table(8);
    Handle good = ok(table->insert_root(*new FakeObject(), kRightsAll));
    Handle no_transfer = ok(table->insert_root(*new FakeObject(), kRightRead));
    InFlightCapability message[kMessageMaxHandles];
    base::Span<InFlightCapability> places(message, kMessageMaxHandles);

    Handle with_bad_right[] = {good, no_transfer};
    EXPECT_EQ(table->move_out_all(base::Span<const Handle>(with_bad_right, 2), kRightsAll, places), Status::MissingRights);
    Handle with_stale[] = {good, make_handle(7, 1)};
    EXPECT_EQ(table->move_out_all(base::Span<const Handle>(with_stale, 2), kRightsAll, places), Status::BadHandle);
    Handle twice[] = {good, good};
    EXPECT_EQ(table->move_out_all(base::Span<const Handle>(twice, 2), kRightsAll, places), Status::BadHandle);
    Handle too_many[kMessageMaxHandles + 1] = {good};
    EXPECT_EQ(table->move_out_all(base::Span<const Handle>(too_many, kMessageMaxHandles + 1), kRightsAll, places),
              Status::InvalidArgument);
    for (const InFlightCapability& place : message) EXPECT_TRUE(place.is_empty());
    EXPECT_TRUE(table->lookup(good, ObjectKind::None, 0).is_ok()) << "nothing moved";
    EXPECT_EQ(table->live_count(), 2u);

    Handle one[] = {good};
    EXPECT_EQ(table->move_out_all(base::Span<const Handle>(one, 1), kRightRead | kRightTransfer, places), Status::Ok);
    EXPECT_EQ(message[0].capability().rights(), kRightRead | kRightTransfer);
}

TEST_F(Transfer, MoveInAllIsAllOrNothingWhenTheTableIsTooSmall) {
    TestTable sender(4);
    TestTable receiver(3);
    ok(receiver->insert_root(*new FakeObject(), kRightsAll));
    ok(receiver->insert_root(*new FakeObject(), kRightsAll));
    InFlightCapability message[2];
    Handle handles[] = {ok(sender->insert_root(*new FakeObject(), kRightsAll)),
                        ok(sender->insert_root(*new FakeObject(), kRightsAll))};
    ASSERT_EQ(sender->move_out_all(base::Span<const Handle>(handles, 2), kRightsAll, base::Span<InFlightCapability>(message, 2)),
              Status::Ok);
    Handle out[2] = {};
    EXPECT_EQ(receiver->move_in_all(base::Span<InFlightCapability>(message, 2), base::Span<Handle>(out, 2)), Status::TableFull);
    EXPECT_FALSE(message[0].is_empty());
    EXPECT_FALSE(message[1].is_empty());
    EXPECT_EQ(receiver->live_count(), 2u);
    EXPECT_EQ(receiver->move_in_all(base::Span<InFlightCapability>(message, 2), base::Span<Handle>(out, 1)),
              Status::InvalidArgument);
    EXPECT_EQ(receiver->live_count(), 2u);
    // With room for both, both arrive.
    TestTable roomy(2);
    EXPECT_EQ(roomy->move_in_all(base::Span<InFlightCapability>(message, 2), base::Span<Handle>(out, 2)), Status::Ok);
    EXPECT_EQ(roomy->live_count(), 2u);
}

}  // namespace
}  // namespace capability_test
