// Held capabilities (what a Reticle mapping keeps): a node of the derivation tree held by a
// kernel structure, whose holder is told each time the node is deleted — by a revoke of the
// capability it was made through or of any ancestor, in any table, or by the holder itself —
// while the object is still referenced. Closing the capability it was made through keeps it.
// A revoke charges each held node's cost to its budget and still makes progress on a costly one.
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;
using Held = CapabilityTest;

// A holder that records what it was told, and what it saw at that moment.
class RecordingHolder final : public kernel::HeldCapability {
public:
    explicit RecordingHolder(base::usize cost = 1) : cost_(cost) {}
    ~RecordingHolder() {
        if (!is_empty()) remove();
    }

    int deletions = 0;
    bool was_empty_when_told = false;
    u32 references_when_told = 0;
    int destructions_when_told = -1;
    u64 object_id = 0;

    // Makes the node (remembering the object, to check it is alive when deleted() runs).
    void hold(kernel::Capability& through, u32 rights) {
        object_id = through.object()->id();
        hold_derived(through, rights);
        held_object_ = through.object();
    }
    void hold_alone(kernel::Object& object, u32 rights) {
        object_id = object.id();
        hold_root(object, rights);
        held_object_ = &object;
    }

private:
    void deleted() override {
        ++deletions;
        was_empty_when_told = is_empty();
        references_when_told = held_object_->reference_count();
        destructions_when_told = destroyed_count(object_id);
    }
    base::usize deletion_cost() const override { return cost_; }

    base::usize cost_;
    kernel::Object* held_object_ = nullptr;
};

Capability& live(CapabilityTable& table, Handle handle) { return *ok(table.lookup(handle, ObjectKind::None, 0)); }

TEST_F(Held, RevokingTheCapabilityItWasMadeThroughTellsTheHolderOnceWithTheObjectStillAlive) {
    TestTable table(4);
    auto* object = new FakeObject(ObjectKind::Bundle);
    Handle root = ok(table->insert_root(*object, kRightsAll));
    Handle through = ok(table->derive(root, kRightsAll));
    RecordingHolder mapping;
    mapping.hold(live(*table, through), kRightRead | kRightMap);
    EXPECT_EQ(mapping.rights(), kRightRead | kRightMap);
    EXPECT_EQ(object->reference_count(), 3u);

    EXPECT_EQ(table->revoke(through, 100), Status::Ok);
    EXPECT_EQ(mapping.deletions, 1);
    EXPECT_TRUE(mapping.is_empty());
    EXPECT_TRUE(mapping.was_empty_when_told);
    EXPECT_EQ(mapping.references_when_told, 3u) << "the holder is told before the object is released";
    EXPECT_EQ(object->reference_count(), 2u);
    EXPECT_EQ(table->revoke(through, 100), Status::Ok);
    EXPECT_EQ(mapping.deletions, 1) << "told once only";
}

TEST_F(Held, RevokingAnAncestorInAnotherTableReachesIt) {
    TestTable owner(4);
    TestTable user(4);
    Handle root = ok(owner->insert_root(*new FakeObject(ObjectKind::Bundle), kRightsAll));
    Handle given = ok(owner->copy_into(root, *user, kRightsAll));
    Handle narrowed = ok(user->derive(given, kRightRead | kRightMap | kRightDerive));
    RecordingHolder mapping;
    mapping.hold(live(*user, narrowed), kRightsAll);
    EXPECT_EQ(mapping.rights(), kRightRead | kRightMap | kRightDerive) << "never more than the capability it came from";
    std::vector<const Capability*> places;
    add_places(places, *owner);
    add_places(places, *user);
    places.push_back(&mapping.capability());
    auto parents = read_tree(places);
    EXPECT_EQ(parents[&mapping.capability()], &live(*user, narrowed));

    EXPECT_EQ(owner->revoke(root, 100), Status::Ok);
    EXPECT_EQ(mapping.deletions, 1);
    EXPECT_EQ(user->live_count(), 0u);
    read_tree(places);
}

TEST_F(Held, ClosingTheCapabilityItWasMadeThroughKeepsItUnderTheParent) {
    TestTable table(4);
    Handle root = ok(table->insert_root(*new FakeObject(ObjectKind::Bundle), kRightsAll));
    Handle through = ok(table->derive(root, kRightsAll));
    RecordingHolder mapping;
    mapping.hold(live(*table, through), kRightsAll);
    EXPECT_EQ(table->close(through), Status::Ok);
    EXPECT_EQ(mapping.deletions, 0);
    EXPECT_FALSE(mapping.is_empty());
    std::vector<const Capability*> places;
    add_places(places, *table);
    places.push_back(&mapping.capability());
    EXPECT_EQ(read_tree(places)[&mapping.capability()], &live(*table, root));
    // Still revocable by whoever could revoke it before.
    EXPECT_EQ(table->revoke(root, 100), Status::Ok);
    EXPECT_EQ(mapping.deletions, 1);
}

TEST_F(Held, OutlivesEveryCapabilityAndKeepsTheObjectUntilTheHolderRemovesIt) {
    auto* object = new FakeObject(ObjectKind::Bundle);
    RecordingHolder mapping;
    {
        TestTable table(2);
        Handle root = ok(table->insert_root(*object, kRightsAll));
        mapping.hold(live(*table, root), kRightsAll);
    }  // the table (a Task) is gone: the held node is now a root of its own
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(mapping.object_id), 0);
    EXPECT_EQ(object->reference_count(), 1u);
    mapping.remove();  // unmap
    EXPECT_EQ(mapping.deletions, 1);
    EXPECT_EQ(mapping.references_when_told, 1u);
    EXPECT_EQ(mapping.destructions_when_told, 0);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(mapping.object_id), 1);
}

TEST_F(Held, AHolderMadeWithoutACapabilityIsARootOnlyItRemoves) {
    auto* object = new FakeObject(ObjectKind::Bundle);
    RecordingHolder mapping;
    mapping.hold_alone(*object, kRightRead | kRightMap);
    EXPECT_EQ(object->reference_count(), 1u);
    EXPECT_EQ(mapping.rights(), kRightRead | kRightMap);
    mapping.remove();
    EXPECT_EQ(mapping.deletions, 1);
    EXPECT_EQ(mapping.references_when_told, 1u);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(mapping.object_id), 1);
}

TEST_F(Held, RevokeChargesEachHeldNodesCostAndStillRemovesOneCostlierThanTheBudget) {
    TestTable table(4);
    Handle root = ok(table->insert_root(*new FakeObject(ObjectKind::Bundle), kRightsAll));
    RecordingHolder first(10), second(10), third(10);
    for (RecordingHolder* mapping : {&first, &second, &third}) mapping->hold(live(*table, root), kRightsAll);
    // 15: the first costs 10 (5 left), so the second is taken too; then the budget is spent.
    EXPECT_EQ(table->revoke(root, 15), Status::MoreToDo);
    EXPECT_EQ(first.deletions + second.deletions + third.deletions, 2);
    // A budget smaller than one node's cost still removes that node: every step makes progress.
    EXPECT_EQ(table->revoke(root, 1), Status::Ok);
    EXPECT_EQ(third.deletions, 1);
    EXPECT_EQ(table->revoke(root, 0), Status::Ok);
}

TEST_F(Held, ANodeInATableStillCostsOne) {
    TestTable table(8);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightsAll));
    for (int i = 0; i < 5; ++i) ok(table->derive(root, kRightsAll));
    EXPECT_EQ(ok(table->lookup(root, ObjectKind::None, 0))->revoke_descendants(3), 3u);
    EXPECT_EQ(table->live_count(), 3u);
}

}  // namespace
}  // namespace capability_test
