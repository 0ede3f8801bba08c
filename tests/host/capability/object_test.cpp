// Kernel objects: ids, reference counts, and the reaper that destroys them one at a time.
#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using ObjectLifetime = CapabilityTest;

TEST_F(ObjectLifetime, IdsAreDistinctAndKindsAreKept) {
    TestTable table(4);
    auto* ring = new FakeObject(ObjectKind::Ring);
    auto* task = new FakeObject(ObjectKind::Task);
    EXPECT_NE(ring->id(), task->id());
    EXPECT_EQ(ring->kind(), ObjectKind::Ring);
    EXPECT_EQ(task->kind(), ObjectKind::Task);
    u64 ring_id = ring->id();
    Handle handle = ok(table->insert_root(*ring, vectra::abi::kRightsAll));
    EXPECT_EQ(ok(table->lookup(handle, ObjectKind::Ring, 0))->object()->id(), ring_id);
    ok(table->insert_root(*task, vectra::abi::kRightsAll));
}

TEST_F(ObjectLifetime, AnObjectIsDestroyedExactlyOnceWhenItsLastCapabilityGoes) {
    TestTable table(8);
    auto* object = new FakeObject();
    u64 id = object->id();
    Handle root = ok(table->insert_root(*object, vectra::abi::kRightsAll));
    Handle child = ok(table->derive(root, vectra::abi::kRightsAll));
    EXPECT_EQ(object->reference_count(), 2u);

    EXPECT_EQ(table->close(root), Status::Ok);
    kernel::reap_objects();
    EXPECT_EQ(destroyed_count(id), 0) << "a capability still refers to it";

    EXPECT_EQ(table->close(child), Status::Ok);
    EXPECT_EQ(destroyed_count(id), 0) << "the last release queues; only the reaper destroys";
    EXPECT_TRUE(kernel::objects_waiting_for_reaper());
    EXPECT_EQ(kernel::reap_objects(), 1u);
    EXPECT_EQ(destroyed_count(id), 1);
    EXPECT_EQ(kernel::reap_objects(), 0u);
    EXPECT_EQ(destroyed_count(id), 1);
}

TEST_F(ObjectLifetime, ReapingStopsAtItsLimitAndResumes) {
    TestTable table(8);
    std::vector<u64> ids;
    for (int index = 0; index < 5; ++index) {
        auto* object = new FakeObject();
        ids.push_back(object->id());
        ok(table->insert_root(*object, 0));
    }
    table->clear_all();
    EXPECT_EQ(kernel::reap_objects(2), 2u);
    EXPECT_EQ(destroyed_count(ids[0]), 1);
    EXPECT_EQ(destroyed_count(ids[1]), 1);
    EXPECT_EQ(destroyed_count(ids[2]), 0);
    EXPECT_EQ(kernel::reap_objects(), 3u);
    for (u64 id : ids) EXPECT_EQ(destroyed_count(id), 1);
}

// Each object holds a capability to the next, as a Ring holds the capabilities in its queued
// messages. Destroying the first must walk the chain as a worklist: recursion 100,000 deep
// would overflow the stack (and ASan's larger frames make that certain).
TEST_F(ObjectLifetime, AChainOfOneHundredThousandObjectsIsReapedWithoutRecursion) {
    constexpr int kChain = 100'000;
    TestTable table(2);
    std::vector<FakeObject*> objects;
    for (int index = 0; index < kChain; ++index) objects.push_back(new FakeObject());
    for (int index = 0; index + 1 < kChain; ++index) {
        Handle next = ok(table->insert_root(*objects[index + 1], vectra::abi::kRightsAll));
        ASSERT_EQ(table->move_out(next, vectra::abi::kRightsAll, objects[index]->held), Status::Ok);
    }
    Handle first = ok(table->insert_root(*objects[0], vectra::abi::kRightsAll));
    std::vector<u64> ids;
    for (FakeObject* object : objects) ids.push_back(object->id());

    EXPECT_EQ(table->close(first), Status::Ok);
    EXPECT_EQ(kernel::reap_objects(), static_cast<size_t>(kChain));
    for (u64 id : ids) ASSERT_EQ(destroyed_count(id), 1);
}

TEST_F(ObjectLifetime, ADyingObjectCannotBeRetained) {
    EXPECT_DEATH(
        {
            TestTable table(2);
            auto* object = new FakeObject();
            Handle handle = ok(table->insert_root(*object, 0));
            (void)table->close(handle);
            object->retain();
        },
        "");
}

TEST_F(ObjectLifetime, ReleasingBelowZeroTraps) {
    EXPECT_DEATH(
        {
            auto* object = new FakeObject();
            object->release();
        },
        "");
}

}  // namespace
}  // namespace capability_test
