// Capability tables: handles and generations, lookups, rights narrowing, full tables, and
// clearing a dead Task's table.
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;
using Table = CapabilityTest;

TEST_F(Table, AFreshTableFillsSlotsInOrderWithGenerationOne) {
    TestTable table(8);
    for (u32 slot = 0; slot < 3; ++slot) {
        Handle handle = ok(table->insert_root(*new FakeObject(), kRightsAll));
        EXPECT_EQ(handle_slot(handle), slot);
        EXPECT_EQ(handle_generation(handle), 1u);
        EXPECT_EQ(table->handle_of(slot), handle);
    }
    EXPECT_EQ(table->live_count(), 3u);
}

TEST_F(Table, HandleZeroAndSlotsOutOfRangeAreBadHandles) {
    TestTable table(4);
    Handle handle = ok(table->insert_root(*new FakeObject(), kRightsAll));
    EXPECT_EQ(status_of(table->lookup(kNoHandle, ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(make_handle(4, 1), ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(make_handle(kMaxCapabilitySlots - 1, 1), ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(make_handle(handle_slot(handle), 0), ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(make_handle(1, 1), ObjectKind::None, 0)), Status::BadHandle) << "an empty slot";
    EXPECT_EQ(status_of(table->lookup(handle, ObjectKind::None, 0)), Status::Ok);
}

TEST_F(Table, AStaleHandleIsRefusedAfterClose) {
    TestTable table(4);
    auto* object = new FakeObject();
    Handle keep = ok(table->insert_root(*object, kRightsAll));
    Handle handle = ok(table->derive(keep, kRightsAll));
    EXPECT_EQ(table->close(handle), Status::Ok);
    EXPECT_EQ(status_of(table->lookup(handle, ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(table->close(handle), Status::BadHandle) << "closing twice";
    EXPECT_EQ(status_of(table->derive(handle, kRightsAll)), Status::BadHandle);
}

TEST_F(Table, AStaleHandleIsRefusedAfterRevoke) {
    TestTable table(4);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightsAll));
    Handle child = ok(table->derive(root, kRightsAll));
    EXPECT_EQ(table->revoke(root, 100), Status::Ok);
    EXPECT_EQ(status_of(table->lookup(child, ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(root, ObjectKind::None, 0)), Status::Ok) << "revoke keeps the capability itself";
}

// The slot a stale handle names is live again, holding a different capability (even to the same
// object): only the generation tells them apart.
TEST_F(Table, AStaleHandleIsRefusedAfterTheSlotIsReused) {
    TestTable table(1);
    auto* object = new FakeObject();
    Handle first = ok(table->insert_root(*object, kRightRead));
    EXPECT_EQ(table->close(first), Status::Ok);
    kernel::reap_objects();
    Handle second = ok(table->insert_root(*new FakeObject(), kRightsAll));
    EXPECT_EQ(handle_slot(second), handle_slot(first));
    EXPECT_NE(second, first);
    EXPECT_EQ(status_of(table->lookup(first, ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(table->close(first), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(second, ObjectKind::None, kRightsAll)), Status::Ok);
}

TEST_F(Table, GenerationWrapsSkippingZero) {
    EXPECT_EQ(kernel::next_generation(kHandleGenerationMask), 1u);
    EXPECT_EQ(kernel::next_generation(1), 2u);
    TestTable table(1);
    auto* object = new FakeObject();
    Handle keep_alive = ok(table->insert_root(*object, kRightsAll));
    InFlightCapability parked;
    ASSERT_EQ(table->move_out(keep_alive, kRightsAll, parked), Status::Ok);  // generation 1 -> 2
    // Every generation of the slot, once round: 2 .. kHandleGenerationMask, then 1 again.
    Handle last = kNoHandle;
    for (u32 generation = 2; generation <= kHandleGenerationMask; ++generation) {
        kernel::StatusOr<Handle> received = table->move_in(parked);
        ASSERT_TRUE(received.is_ok());
        last = received.value();
        ASSERT_EQ(handle_generation(last), generation);
        ASSERT_EQ(table->move_out(last, kRightsAll, parked), Status::Ok);
    }
    Handle wrapped = ok(table->move_in(parked));
    EXPECT_EQ(handle_generation(wrapped), 1u) << "after the largest generation comes 1, never 0";
    EXPECT_NE(wrapped, kNoHandle);
    EXPECT_EQ(status_of(table->lookup(last, ObjectKind::None, 0)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(wrapped, ObjectKind::None, 0)), Status::Ok);
}

TEST_F(Table, LookupChecksTheHandleThenTheKindThenTheRights) {
    TestTable table(4);
    Handle ring = ok(table->insert_root(*new FakeObject(ObjectKind::Ring), kRightRead));
    EXPECT_EQ(status_of(table->lookup(ring + 1, ObjectKind::Signal, kRightWrite)), Status::BadHandle);
    EXPECT_EQ(status_of(table->lookup(ring, ObjectKind::Signal, kRightWrite)), Status::WrongKind);
    EXPECT_EQ(status_of(table->lookup(ring, ObjectKind::Ring, kRightWrite)), Status::MissingRights);
    EXPECT_EQ(status_of(table->lookup(ring, ObjectKind::Ring, kRightRead | kRightWrite)), Status::MissingRights);
    EXPECT_EQ(status_of(table->lookup(ring, ObjectKind::Ring, kRightRead)), Status::Ok);
    EXPECT_EQ(status_of(table->lookup(ring, ObjectKind::None, kRightRead)), Status::Ok) << "None accepts any kind";
}

TEST_F(Table, DeriveNeedsTheDeriveRight) {
    TestTable table(4);
    Handle handle = ok(table->insert_root(*new FakeObject(), kRightsAll & ~kRightDerive));
    EXPECT_EQ(status_of(table->derive(handle, kRightRead)), Status::MissingRights);
    EXPECT_EQ(table->live_count(), 1u);
}

TEST_F(Table, DeriveNarrowsRightsAndNeverWidens) {
    TestTable table(8);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightRead | kRightWrite | kRightDerive));
    Handle narrowed = ok(table->derive(root, kRightRead | kRightDerive));
    EXPECT_EQ(ok(table->lookup(narrowed, ObjectKind::None, 0))->rights(), kRightRead | kRightDerive);
    // Asking for more than the parent has yields only what the parent has.
    Handle widened = ok(table->derive(narrowed, kRightsAll));
    EXPECT_EQ(ok(table->lookup(widened, ObjectKind::None, 0))->rights(), kRightRead | kRightDerive);
    EXPECT_EQ(status_of(table->lookup(widened, ObjectKind::None, kRightWrite)), Status::MissingRights);
    Handle nothing = ok(table->derive(root, 0));
    EXPECT_EQ(ok(table->lookup(nothing, ObjectKind::None, 0))->rights(), 0u);
    // insert_root keeps only rights the ABI defines.
    Handle root_bits = ok(table->insert_root(*new FakeObject(), ~0u));
    EXPECT_EQ(ok(table->lookup(root_bits, ObjectKind::None, 0))->rights(), static_cast<u32>(kRightsAll));
}

TEST_F(Table, CopyIntoNeedsTheTransferRightAndNarrows) {
    TestTable giver(4);
    TestTable receiver(4);
    Handle no_transfer = ok(giver->insert_root(*new FakeObject(), kRightsAll & ~kRightTransfer));
    EXPECT_EQ(status_of(giver->copy_into(no_transfer, *receiver, kRightsAll)), Status::MissingRights);
    EXPECT_EQ(receiver->live_count(), 0u);

    Handle handle = ok(giver->insert_root(*new FakeObject(), kRightRead | kRightTransfer));
    Handle given = ok(giver->copy_into(handle, *receiver, kRightsAll));
    EXPECT_EQ(ok(receiver->lookup(given, ObjectKind::None, 0))->rights(), kRightRead | kRightTransfer);
    Handle narrowed = ok(giver->copy_into(handle, *receiver, kRightRead));
    EXPECT_EQ(ok(receiver->lookup(narrowed, ObjectKind::None, 0))->rights(), kRightRead);
    // The giver can take back what it gave.
    EXPECT_EQ(giver->revoke(handle, 10), Status::MissingRights) << "no revoke right";
    Handle revoker = ok(giver->insert_root(*new FakeObject(), kRightTransfer | kRightRevoke));
    Handle given_two = ok(giver->copy_into(revoker, *receiver, kRightTransfer));
    EXPECT_EQ(giver->revoke(revoker, 10), Status::Ok);
    EXPECT_EQ(status_of(receiver->lookup(given_two, ObjectKind::None, 0)), Status::BadHandle);
}

TEST_F(Table, AFullTableRefusesEveryInsertAndChangesNothing) {
    TestTable table(2);
    TestTable other(1);
    auto* object = new FakeObject();
    Handle root = ok(table->insert_root(*object, kRightsAll));
    ok(table->derive(root, kRightsAll));
    auto* spare = new FakeObject();
    Handle other_handle = ok(other->insert_root(*spare, kRightsAll));

    EXPECT_EQ(status_of(table->insert_root(*object, kRightsAll)), Status::TableFull);
    EXPECT_EQ(status_of(table->derive(root, kRightsAll)), Status::TableFull);
    EXPECT_EQ(status_of(table->copy_into(root, *other, kRightsAll)), Status::TableFull);
    InFlightCapability in_flight;
    ASSERT_EQ(other->move_out(other_handle, kRightsAll, in_flight), Status::Ok);
    EXPECT_EQ(status_of(table->move_in(in_flight)), Status::TableFull);
    EXPECT_FALSE(in_flight.is_empty()) << "a refused move_in leaves it in flight";
    EXPECT_EQ(object->reference_count(), 2u);
    EXPECT_EQ(table->live_count(), 2u);
    EXPECT_EQ(spare->reference_count(), 1u);
    // Once a slot frees, the same capability goes in.
    EXPECT_EQ(table->close(root), Status::Ok);
    Handle received = ok(table->move_in(in_flight));
    EXPECT_EQ(ok(table->lookup(received, ObjectKind::None, 0))->object(), spare);
}

TEST_F(Table, ClearAllDeletesEveryCapabilityAndKeepsDescendantsInOtherTables) {
    TestTable dying(8);
    TestTable survivor(8);
    auto* kept = new FakeObject();
    auto* lost = new FakeObject();
    u64 lost_id = lost->id();
    Handle kept_root = ok(dying->insert_root(*kept, kRightsAll));
    ok(dying->derive(kept_root, kRightsAll));
    Handle given = ok(dying->copy_into(kept_root, *survivor, kRightsAll));
    ok(dying->insert_root(*lost, kRightsAll));

    dying->clear_all();
    EXPECT_EQ(dying->live_count(), 0u);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(lost_id), 1);
    EXPECT_EQ(kept->reference_count(), 1u);
    EXPECT_EQ(status_of(survivor->lookup(given, ObjectKind::None, 0)), Status::Ok);
}

TEST_F(Table, DestroyingATableClearsIt) {
    auto* object = new FakeObject();
    u64 id = object->id();
    {
        TestTable table(2);
        ok(table->insert_root(*object, kRightsAll));
    }
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(id), 1);
}

}  // namespace
}  // namespace capability_test
