// Shared pieces of the capability tests: an object kind that records its destruction, tables
// with their own slot storage, and a checker for the derivation tree's invariants (T1-T3 in
// kernel/capability/capability.h) that also reads the tree back as child -> parent pairs.
#pragma once

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>
#include <vector>

#include "kernel/capability/capability_table.h"
#include "kernel/object/object.h"

namespace capability_test {

using base::u32;
using base::u64;
using kernel::Capability;
using kernel::CapabilityTable;
using kernel::InFlightCapability;
using vectra::abi::Handle;
using vectra::abi::ObjectKind;
using vectra::abi::Status;

// Destructions per object id, over the whole test program.
inline std::map<u64, int>& destructions() {
    static std::map<u64, int> counts;
    return counts;
}
inline int destroyed_count(u64 id) {
    auto found = destructions().find(id);
    return found == destructions().end() ? 0 : found->second;
}

// A kernel object for tests. It may hold a capability of its own (as a Ring's queued message
// does), which its destruction deletes; destroy() frees it, so ASan sees any use after.
class FakeObject final : public kernel::Object {
public:
    explicit FakeObject(ObjectKind kind = ObjectKind::Signal) : Object(kind) {}

    InFlightCapability held;

protected:
    void destroy() override {
        ++destructions()[id()];
        delete this;
    }

private:
    ~FakeObject() = default;
};

// A table with its own slot storage (the storage outlives the table: declared first).
struct TestTable {
    explicit TestTable(size_t capacity)
        : storage(new Capability[capacity]), table(base::Span<Capability>(storage.get(), capacity)) {}
    std::unique_ptr<Capability[]> storage;
    CapabilityTable table;

    CapabilityTable* operator->() { return &table; }
    CapabilityTable& operator*() { return table; }
};

// Unwraps a StatusOr the test expects to succeed.
template <class T>
T ok(kernel::StatusOr<T> result) {
    EXPECT_EQ(result.status(), Status::Ok) << vectra::abi::status_name(result.status());
    return result.is_ok() ? result.value() : T{};
}
template <class T>
Status status_of(kernel::StatusOr<T> result) {
    return result.status();
}

// Checks T1-T3 over every given storage place and returns child -> parent (roots map to null).
// Any violation is a test failure.
inline std::map<const Capability*, const Capability*> read_tree(const std::vector<const Capability*>& places) {
    std::map<const Capability*, const Capability*> parent;
    std::set<const Capability*> known(places.begin(), places.end());
    for (const Capability* place : places) {
        EXPECT_TRUE(place->links_are_consistent()) << "links broken around " << place;
        if (!place->is_empty()) parent.emplace(place, nullptr);
    }
    for (const Capability* place : places) {
        if (place->is_empty()) continue;
        place->for_each_child([&](const Capability& child) {
            EXPECT_TRUE(known.count(&child)) << "a child outside the storage under test";
            EXPECT_FALSE(child.is_empty()) << "an empty node on a children ring";
            EXPECT_EQ(child.object(), place->object()) << "a child refers to another object";
            auto entry = parent.find(&child);
            if (entry == parent.end()) return;
            EXPECT_EQ(entry->second, nullptr) << "a node on two children rings";
            entry->second = place;
        });
    }
    // No cycles: climbing from any node ends at a root. Each node is climbed through once
    // (paths already known to end at a root are not climbed again), so this is linear.
    std::map<const Capability*, int> state;  // 1: on the current climb, 2: reaches a root
    for (const auto& entry : parent) {
        std::vector<const Capability*> climb;
        const Capability* node = entry.first;
        while (node != nullptr && state[node] == 0) {
            state[node] = 1;
            climb.push_back(node);
            node = parent[node];
        }
        EXPECT_TRUE(node == nullptr || state[node] == 2) << "a cycle in the derivation tree";
        for (const Capability* done : climb) state[done] = 2;
    }
    return parent;
}

inline void add_places(std::vector<const Capability*>& places, const CapabilityTable& table) {
    for (u32 index = 0; index < table.capacity(); ++index) places.push_back(&table.slot(index));
}
inline void add_places(std::vector<const Capability*>& places, const InFlightCapability* in_flight, size_t count) {
    for (size_t index = 0; index < count; ++index) places.push_back(&in_flight[index].capability());
}

// Every test leaves the reaper queue empty (objects are global state).
class CapabilityTest : public ::testing::Test {
protected:
    void TearDown() override {
        kernel::reap_objects();
        EXPECT_FALSE(kernel::objects_waiting_for_reaper());
    }
};

}  // namespace capability_test
