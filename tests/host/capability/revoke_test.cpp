// Revoke and the derivation tree: what a revoke reaches (descendants in every table and in
// flight) and what it never does (the capability itself, its siblings, its ancestors); what
// happens to descendants when a node in the middle is deleted; bounded steps.
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;
using Revoke = CapabilityTest;

bool is_live(CapabilityTable& table, Handle handle) { return table.lookup(handle, ObjectKind::None, 0).is_ok(); }

TEST_F(Revoke, DeletesDescendantsInEveryTableAndInFlight) {
    TestTable owner(8);
    TestTable other(8);
    TestTable sender(8);
    Handle root = ok(owner->insert_root(*new FakeObject(), kRightsAll));
    Handle child = ok(owner->derive(root, kRightsAll));
    Handle grandchild_elsewhere = ok(owner->copy_into(child, *other, kRightsAll));
    Handle to_send = ok(other->copy_into(grandchild_elsewhere, *sender, kRightsAll));
    InFlightCapability in_flight;
    ASSERT_EQ(sender->move_out(to_send, kRightsAll, in_flight), Status::Ok);
    Handle great_grandchild = ok(other->derive(grandchild_elsewhere, kRightsAll));

    EXPECT_EQ(owner->revoke(root, 100), Status::Ok);
    EXPECT_FALSE(is_live(*owner, child));
    EXPECT_FALSE(is_live(*other, grandchild_elsewhere));
    EXPECT_FALSE(is_live(*other, great_grandchild));
    EXPECT_TRUE(in_flight.is_empty()) << "revoke reaches capabilities in flight";
    EXPECT_EQ(ok(owner->lookup(root, ObjectKind::None, 0))->object()->reference_count(), 1u);
    // The receiver of the message gets no handle for it.
    EXPECT_EQ(ok(other->move_in(in_flight)), kNoHandle);
}

TEST_F(Revoke, LeavesTheCapabilityItselfItsSiblingsAndItsAncestors) {
    TestTable table(16);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightsAll));
    Handle parent = ok(table->derive(root, kRightsAll));
    Handle before = ok(table->derive(parent, kRightsAll));
    Handle target = ok(table->derive(parent, kRightsAll));
    Handle after = ok(table->derive(parent, kRightsAll));
    Handle nephew = ok(table->derive(before, kRightsAll));
    Handle child = ok(table->derive(target, kRightsAll));
    Handle grandchild = ok(table->derive(child, kRightsAll));
    Handle uncle = ok(table->derive(root, kRightsAll));

    EXPECT_EQ(table->revoke(target, 100), Status::Ok);
    EXPECT_FALSE(is_live(*table, child));
    EXPECT_FALSE(is_live(*table, grandchild));
    for (Handle kept : {root, parent, before, target, after, nephew, uncle}) EXPECT_TRUE(is_live(*table, kept));
    EXPECT_EQ(table->live_count(), 7u);
}

TEST_F(Revoke, NeedsTheRevokeRight) {
    TestTable table(4);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightsAll & ~kRightRevoke));
    Handle child = ok(table->derive(root, kRightsAll));
    EXPECT_EQ(table->revoke(root, 100), Status::MissingRights);
    EXPECT_TRUE(is_live(*table, child));
    EXPECT_EQ(table->revoke(kNoHandle, 100), Status::BadHandle);
}

// root -> middle -> {child -> grandchild}; root -> sibling (derived before middle, so in a
// preorder list the sibling's subtree would sit right before middle's children).
struct MiddleTree {
    TestTable table{16};
    Handle root, sibling, sibling_child, middle, child, grandchild, later_sibling;
    MiddleTree() {
        root = ok(table->insert_root(*new FakeObject(), kRightsAll));
        sibling = ok(table->derive(root, kRightsAll));
        sibling_child = ok(table->derive(sibling, kRightsAll));
        middle = ok(table->derive(root, kRightsAll));
        child = ok(table->derive(middle, kRightsAll));
        grandchild = ok(table->derive(child, kRightsAll));
        later_sibling = ok(table->derive(root, kRightsAll));
    }
};

TEST_F(Revoke, DeletingAMiddleNodeKeepsItsDescendantsRevocableFromTheGrandparent) {
    MiddleTree tree;
    EXPECT_EQ(tree.table->close(tree.middle), Status::Ok);
    EXPECT_TRUE(is_live(*tree.table, tree.child)) << "deleting a node keeps its descendants";
    EXPECT_TRUE(is_live(*tree.table, tree.grandchild));
    EXPECT_EQ(tree.table->revoke(tree.root, 100), Status::Ok);
    EXPECT_FALSE(is_live(*tree.table, tree.child));
    EXPECT_FALSE(is_live(*tree.table, tree.grandchild));
    EXPECT_EQ(tree.table->live_count(), 1u);
}

// The sibling case: the orphans must not become the sibling's (or the later sibling's) children.
TEST_F(Revoke, DeletingAMiddleNodeDoesNotMakeItsDescendantsRevocableFromASibling) {
    MiddleTree tree;
    EXPECT_EQ(tree.table->close(tree.middle), Status::Ok);
    EXPECT_EQ(tree.table->revoke(tree.sibling, 100), Status::Ok);
    EXPECT_FALSE(is_live(*tree.table, tree.sibling_child));
    EXPECT_TRUE(is_live(*tree.table, tree.child));
    EXPECT_TRUE(is_live(*tree.table, tree.grandchild));
    EXPECT_EQ(tree.table->revoke(tree.later_sibling, 100), Status::Ok);
    EXPECT_TRUE(is_live(*tree.table, tree.child));
    // And the child still owns the grandchild.
    EXPECT_EQ(tree.table->revoke(tree.child, 100), Status::Ok);
    EXPECT_FALSE(is_live(*tree.table, tree.grandchild));
    EXPECT_TRUE(is_live(*tree.table, tree.child));
}

TEST_F(Revoke, DeletingAMiddleNodeMakesItsChildrenChildrenOfItsParent) {
    MiddleTree tree;
    EXPECT_EQ(tree.table->close(tree.middle), Status::Ok);
    std::vector<const Capability*> places;
    add_places(places, *tree.table);
    auto parent = read_tree(places);
    auto slot_of = [&](Handle handle) { return &tree.table->slot(handle_slot(handle)); };
    EXPECT_EQ(parent[slot_of(tree.child)], slot_of(tree.root));
    EXPECT_EQ(parent[slot_of(tree.grandchild)], slot_of(tree.child));
    EXPECT_EQ(parent[slot_of(tree.sibling_child)], slot_of(tree.sibling));
    EXPECT_EQ(parent[slot_of(tree.later_sibling)], slot_of(tree.root));
    EXPECT_EQ(parent[slot_of(tree.root)], nullptr);
}

TEST_F(Revoke, DeletingARootLeavesItsChildrenAsSeparateRoots) {
    TestTable table(8);
    auto* object = new FakeObject();
    Handle root = ok(table->insert_root(*object, kRightsAll));
    Handle first = ok(table->derive(root, kRightsAll));
    Handle second = ok(table->derive(root, kRightsAll));
    Handle first_child = ok(table->derive(first, kRightsAll));
    Handle second_child = ok(table->derive(second, kRightsAll));
    EXPECT_EQ(table->close(root), Status::Ok);
    EXPECT_EQ(table->revoke(first, 100), Status::Ok);
    EXPECT_FALSE(is_live(*table, first_child));
    EXPECT_TRUE(is_live(*table, second)) << "roots that once shared a parent are not each other's";
    EXPECT_TRUE(is_live(*table, second_child));
    EXPECT_EQ(table->close(first), Status::Ok);
    EXPECT_EQ(table->revoke(second, 100), Status::Ok);
    EXPECT_FALSE(is_live(*table, second_child));
    EXPECT_EQ(object->reference_count(), 1u);
}

TEST_F(Revoke, AMovedCapabilityKeepsItsPlaceInTheTree) {
    TestTable sender(8);
    TestTable receiver(8);
    Handle root = ok(sender->insert_root(*new FakeObject(), kRightsAll));
    Handle sibling = ok(sender->derive(root, kRightsAll));
    Handle moving = ok(sender->derive(root, kRightsAll));
    Handle later = ok(sender->derive(root, kRightsAll));
    Handle child = ok(sender->derive(moving, kRightsAll));
    InFlightCapability in_flight;
    ASSERT_EQ(sender->move_out(moving, kRightsAll, in_flight), Status::Ok);
    Handle received = ok(receiver->move_in(in_flight));
    // Still the parent of its child, still a child of the root.
    EXPECT_EQ(receiver->revoke(received, 100), Status::Ok);
    EXPECT_FALSE(is_live(*sender, child));
    EXPECT_TRUE(is_live(*sender, sibling));
    EXPECT_TRUE(is_live(*sender, later));
    EXPECT_EQ(sender->revoke(root, 100), Status::Ok);
    EXPECT_FALSE(is_live(*receiver, received));
}

// A chain 100,000 deep (stored in flight, two table slots reused): revoke in steps of 1,000 must
// converge, each step leaving a valid tree, and needs no recursion.
TEST_F(Revoke, BoundedStepsConvergeOnADeepChain) {
    constexpr size_t kDepth = 100'000;
    constexpr size_t kBudget = 1'000;
    TestTable table(3);
    auto* object = new FakeObject();
    Handle root = ok(table->insert_root(*object, kRightsAll));
    std::unique_ptr<InFlightCapability[]> chain(new InFlightCapability[kDepth]);
    Handle tip = ok(table->derive(root, kRightsAll));
    for (size_t index = 0; index < kDepth; ++index) {
        Handle next = ok(table->derive(tip, kRightsAll));
        ASSERT_EQ(table->move_out(tip, kRightsAll, chain[index]), Status::Ok);
        tip = next;
    }
    EXPECT_EQ(object->reference_count(), kDepth + 2);
    size_t steps = 0;
    Status status = Status::MoreToDo;
    while (status == Status::MoreToDo && steps < 1000) {
        status = table->revoke(root, kBudget);
        ++steps;
        if (steps == 50) {  // half way: the tree is still a valid tree
            std::vector<const Capability*> places;
            add_places(places, *table);
            add_places(places, chain.get(), kDepth);
            read_tree(places);
        }
    }
    EXPECT_EQ(status, Status::Ok);
    EXPECT_EQ(steps, (kDepth + 1 + kBudget - 1) / kBudget);
    EXPECT_EQ(object->reference_count(), 1u);
    for (size_t index = 0; index < kDepth; ++index) ASSERT_TRUE(chain[index].is_empty());
}

TEST_F(Revoke, BoundedStepsConvergeOnAWideTreeAndZeroBudgetReportsMoreToDo) {
    TestTable table(1000);
    Handle root = ok(table->insert_root(*new FakeObject(), kRightsAll));
    std::vector<Handle> level = {root};
    for (int round = 0; round < 10 && table->live_count() < 900; ++round) {
        std::vector<Handle> next;
        for (Handle parent : level) {
            for (int index = 0; index < 3 && table->live_count() < 900; ++index) next.push_back(ok(table->derive(parent, kRightsAll)));
        }
        level = next;
    }
    EXPECT_EQ(table->revoke(root, 0), Status::MoreToDo);
    EXPECT_EQ(table->live_count(), 900u);
    size_t steps = 0;
    while (steps < 1000 && table->revoke(root, 7) == Status::MoreToDo) ++steps;
    EXPECT_EQ(steps, 899u / 7);
    EXPECT_EQ(table->live_count(), 1u);
    EXPECT_EQ(table->revoke(root, 0), Status::Ok) << "nothing left to revoke";
}

}  // namespace
}  // namespace capability_test
