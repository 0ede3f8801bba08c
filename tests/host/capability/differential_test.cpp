// The capability tables and derivation tree against a reference model that keeps the obvious
// representation — a parent pointer per capability, in a std::map — over many random operations
// from fixed seeds. After every operation the two must agree on every slot, in-flight place and
// held place (live or empty, object, rights, the handle's generation), on every node's parent,
// on every object's reference count, on which objects have been destroyed (exactly once), and on
// how often each holder was told its node was deleted (once per deletion, never otherwise).
// Held nodes (what Reticle mappings keep) cost more than 1 in a revoke's budget.
#include <random>

#include "tests/host/capability/test_support.h"

namespace capability_test {
namespace {

using namespace vectra::abi;

constexpr int kTables = 3;
constexpr u32 kSlots = 10;
constexpr int kInFlight = 8;
constexpr int kHeld = 8;
constexpr int kInFlightTable = -1;
constexpr int kHeldTable = -2;

// Where a capability lives: a table slot (table >= 0), an in-flight place (kInFlightTable) or a
// held place (kHeldTable).
struct Place {
    int table;
    int index;
    auto operator<=>(const Place&) const = default;
};

struct ModelNode {
    int object;
    u32 rights;
    int parent;  // model node id, -1 for a root
    Place place;
};

struct ModelObject {
    FakeObject* pointer;
    u64 id;
};

class Model {
public:
    std::map<int, ModelNode> nodes;
    std::map<Place, int> at;  // place -> node id
    std::vector<ModelObject> objects;
    u32 generation[kTables][kSlots];
    int held_deletions[kHeld] = {};  // how often each holder must have been told
    int next_node = 0;

    Model() {
        for (auto& table : generation)
            for (u32& slot : table) slot = 1;
    }

    bool is_free(Place place) const { return !at.count(place); }
    int node_at(Place place) const { return at.count(place) ? at.at(place) : -1; }
    Handle handle_for(int table, u32 slot) const { return make_handle(slot, generation[table][slot]); }
    // The node a handle names in `table`, or -1 (BadHandle).
    int named_by(int table, Handle handle) const {
        u32 slot = handle_slot(handle);
        if (handle == kNoHandle || slot >= kSlots) return -1;
        int node = node_at({table, static_cast<int>(slot)});
        if (node < 0 || generation[table][slot] != handle_generation(handle)) return -1;
        return node;
    }
    bool table_full(int table) const {
        for (u32 slot = 0; slot < kSlots; ++slot)
            if (is_free({table, static_cast<int>(slot)})) return false;
        return true;
    }
    int add(int object, u32 rights, int parent, Place place) {
        int id = next_node++;
        nodes[id] = {object, rights, parent, place};
        at[place] = id;
        return id;
    }
    void empty_place(Place place) {
        at.erase(place);
        if (place.table >= 0) generation[place.table][place.index] = kernel::next_generation(generation[place.table][place.index]);
    }
    // Deleting keeps descendants: they go to the deleted node's parent.
    void remove(int id) {
        ModelNode node = nodes.at(id);
        for (auto& [other, entry] : nodes)
            if (entry.parent == id) entry.parent = node.parent;
        nodes.erase(id);
        empty_place(node.place);
        if (node.place.table == kHeldTable) ++held_deletions[node.place.index];
    }
    void move(int id, Place to, u32 rights) {
        ModelNode& node = nodes.at(id);
        empty_place(node.place);
        node.place = to;
        node.rights &= rights;
        at[to] = id;
    }
    bool is_descendant(int id, int ancestor) const {
        for (int up = nodes.at(id).parent; up >= 0; up = nodes.at(up).parent)
            if (up == ancestor) return true;
        return false;
    }
    size_t descendant_count(int ancestor) const {
        size_t count = 0;
        for (const auto& [id, node] : nodes) count += is_descendant(id, ancestor) ? 1 : 0;
        return count;
    }
    int references(int object) const {
        int count = 0;
        for (const auto& [id, node] : nodes) count += node.object == object ? 1 : 0;
        return count;
    }
};

// A holder that counts what it is told and checks the node is already empty when told.
class CountingHolder final : public kernel::HeldCapability {
public:
    int deletions = 0;
    bool told_while_live = false;
    base::usize cost = 1;

private:
    void deleted() override {
        ++deletions;
        told_while_live |= !is_empty();
    }
    base::usize deletion_cost() const override { return cost; }
};

class Differential {
public:
    explicit Differential(unsigned seed) : random_(seed) {
        for (int index = 0; index < kTables; ++index) tables_.push_back(std::make_unique<TestTable>(kSlots));
        for (int index = 0; index < kHeld; ++index) held_[index].cost = 1 + static_cast<base::usize>(index % 3);
    }

    void run(int operations) {
        for (int step = 0; step < operations && !::testing::Test::HasFailure(); ++step) {
            step_ = step;
            one_operation();
            kernel::reap_objects();
            compare();
        }
    }

    ~Differential() {
        for (auto& place : in_flight_) place.clear();
        for (auto& holder : held_)
            if (!holder.is_empty()) holder.remove();
        tables_.clear();
        kernel::reap_objects();
        for (const ModelObject& object : model_.objects) EXPECT_EQ(destroyed_count(object.id), 1);
    }

private:
    u32 pick(u32 bound) { return std::uniform_int_distribution<u32>(0, bound - 1)(random_); }
    bool chance(int percent) { return static_cast<int>(pick(100)) < percent; }
    int pick_table() { return static_cast<int>(pick(kTables)); }
    // Rights: each bit kept with probability 80%, `needed` usually kept.
    u32 pick_rights(u32 needed = 0) {
        u32 rights = 0;
        for (u32 bit = 0; bit < 11; ++bit)
            if ((kRightsAll & (1u << bit)) && chance(80)) rights |= 1u << bit;
        if (chance(85)) rights |= needed;
        return rights;
    }
    // Mostly a live handle of `table`; sometimes one issued earlier (possibly stale) or junk.
    Handle pick_handle(int table) {
        std::vector<Handle> live;
        for (u32 slot = 0; slot < kSlots; ++slot)
            if (!model_.is_free({table, static_cast<int>(slot)})) live.push_back(model_.handle_for(table, slot));
        if (!live.empty() && chance(75)) return live[pick(static_cast<u32>(live.size()))];
        if (!issued_[table].empty() && chance(80)) return issued_[table][pick(static_cast<u32>(issued_[table].size()))];
        switch (pick(3)) {
            case 0: return kNoHandle;
            case 1: return make_handle(kSlots + pick(5), 1);
            default: return make_handle(pick(kSlots), pick(4));
        }
    }
    void note(const char* operation, Status status) { ++outcomes[std::string(operation) + " " + status_name(status)]; }
    void issued(int table, Handle handle) { issued_[table].push_back(handle); }

    // The status a lookup must give, and the node it names.
    Status expected_lookup(int table, Handle handle, u32 required_rights, int* node) {
        *node = model_.named_by(table, handle);
        if (*node < 0) return Status::BadHandle;
        if ((model_.nodes.at(*node).rights & required_rights) != required_rights) return Status::MissingRights;
        return Status::Ok;
    }

    // A new handle from the real table must name the slot the model thought free, in the
    // generation the model expects.
    void check_new_handle(int table, Handle handle) {
        u32 slot = handle_slot(handle);
        ASSERT_LT(slot, kSlots);
        ASSERT_TRUE(model_.is_free({table, static_cast<int>(slot)})) << "step " << step_ << ": a live slot reused";
        ASSERT_EQ(handle_generation(handle), model_.generation[table][slot]) << "step " << step_;
    }

    // The cost a revoke charges for deleting the model's node `id`.
    size_t cost_of(int id) const {
        const Place place = model_.nodes.at(id).place;
        return place.table == kHeldTable ? held_[place.index].cost : 1;
    }

    // A holder takes a node derived from a capability it was shown (reticle_map), or drops its
    // node itself (reticle_unmap, the Reticle's end).
    void held_operation(int table) {
        CapabilityTable& real = **tables_[table];
        int place = static_cast<int>(pick(kHeld));
        CountingHolder& holder = held_[place];
        if (holder.is_empty()) {
            Handle handle = pick_handle(table);
            u32 rights = pick_rights();
            int parent;
            Status expected = expected_lookup(table, handle, kRightMap, &parent);
            auto through = real.lookup(handle, ObjectKind::None, kRightMap);
            ASSERT_EQ(through.status(), expected) << "step " << step_;
            note("hold", expected);
            if (expected != Status::Ok) return;
            holder.hold_derived(*through.value(), rights);
            const ModelNode& from = model_.nodes.at(parent);
            model_.add(from.object, from.rights & rights, parent, {kHeldTable, place});
        } else if (chance(25)) {  // holders keep their nodes a while, so revokes meet them
            holder.remove();
            model_.remove(model_.node_at({kHeldTable, place}));
            note("holder removes", Status::Ok);
        }
    }

    void one_operation() {
        int table = pick_table();
        CapabilityTable& real = **tables_[table];
        if (chance(15)) {
            held_operation(table);
            return;
        }
        u32 kind = pick(100);
        if (kind < 12) {  // insert_root, a new object or an existing live one
            FakeObject* object = nullptr;
            int object_index = -1;
            if (!model_.nodes.empty() && chance(30)) {
                auto it = std::next(model_.nodes.begin(), pick(static_cast<u32>(model_.nodes.size())));
                object_index = it->second.object;
                object = model_.objects[object_index].pointer;
            }
            bool fresh = object == nullptr;
            if (fresh) object = new FakeObject(static_cast<ObjectKind>(1 + pick(6)));
            u32 rights = pick_rights();
            auto result = real.insert_root(*object, rights);
            if (model_.table_full(table)) {
                ASSERT_EQ(result.status(), Status::TableFull) << "step " << step_;
                if (fresh) {
                    // Nobody refers to it: give it a reference and drop it so the reaper frees it.
                    object->retain();
                    object->release();
                    unsettled_.insert(static_cast<int>(model_.objects.size()));
                    model_.objects.push_back({object, object->id()});
                }
                ++outcomes["insert_root TableFull"];
                return;
            }
            ASSERT_EQ(result.status(), Status::Ok) << "step " << step_;
            note("insert_root", Status::Ok);
            check_new_handle(table, result.value());
            if (fresh) {
                object_index = static_cast<int>(model_.objects.size());
                unsettled_.insert(object_index);
                model_.objects.push_back({object, object->id()});
            }
            model_.add(object_index, rights & kRightsAll, -1, {table, static_cast<int>(handle_slot(result.value()))});
            issued(table, result.value());
        } else if (kind < 32) {  // derive
            Handle handle = pick_handle(table);
            u32 rights = pick_rights();
            auto result = real.derive(handle, rights);
            int parent;
            Status expected = expected_lookup(table, handle, kRightDerive, &parent);
            if (expected == Status::Ok && model_.table_full(table)) expected = Status::TableFull;
            ASSERT_EQ(result.status(), expected) << "step " << step_;
            note("derive", expected);
            if (expected != Status::Ok) return;
            check_new_handle(table, result.value());
            const ModelNode& from = model_.nodes.at(parent);
            model_.add(from.object, from.rights & rights, parent, {table, static_cast<int>(handle_slot(result.value()))});
            issued(table, result.value());
        } else if (kind < 44) {  // copy_into another (or the same) table
            int destination = pick_table();
            Handle handle = pick_handle(table);
            u32 rights = pick_rights();
            auto result = real.copy_into(handle, **tables_[destination], rights);
            int parent;
            Status expected = expected_lookup(table, handle, kRightTransfer, &parent);
            if (expected == Status::Ok && model_.table_full(destination)) expected = Status::TableFull;
            ASSERT_EQ(result.status(), expected) << "step " << step_;
            note("copy_into", expected);
            if (expected != Status::Ok) return;
            check_new_handle(destination, result.value());
            const ModelNode& from = model_.nodes.at(parent);
            model_.add(from.object, from.rights & rights, parent, {destination, static_cast<int>(handle_slot(result.value()))});
            issued(destination, result.value());
        } else if (kind < 54) {  // close
            Handle handle = pick_handle(table);
            int node;
            Status expected = expected_lookup(table, handle, 0, &node);
            ASSERT_EQ(real.close(handle), expected) << "step " << step_;
            note("close", expected);
            if (expected == Status::Ok) model_.remove(node);
        } else if (kind < 64) {  // revoke, one bounded step
            Handle handle = pick_handle(table);
            size_t budget = pick(6);
            int node;
            Status expected = expected_lookup(table, handle, kRightRevoke, &node);
            Status status = real.revoke(handle, budget);
            if (expected != Status::Ok) {
                ASSERT_EQ(status, expected) << "step " << step_;
                note("revoke step", expected);
                return;
            }
            // Which nodes did the step delete? Only X's descendants, and as many as the budget
            // allows: it stops once their cost reaches the budget (1 a node; held nodes more),
            // so without the last one deleted the cost was below it, and with it it reached it
            // unless no descendant is left. The order (preorder) is the tree's to know: this
            // checks with the costliest one as the last, which every order satisfies.
            size_t before = model_.descendant_count(node);
            std::vector<int> deleted;
            size_t spent = 0, costliest = 0;
            bool any_held = false;
            for (const auto& [id, entry] : model_.nodes) {
                if (!real_place(entry.place).is_empty()) continue;
                deleted.push_back(id);
                spent += cost_of(id);
                costliest = std::max(costliest, cost_of(id));
                any_held |= entry.place.table == kHeldTable;
            }
            for (int id : deleted) ASSERT_TRUE(model_.is_descendant(id, node)) << "step " << step_ << ": revoke deleted a non-descendant";
            if (budget == 0) ASSERT_TRUE(deleted.empty()) << "step " << step_;
            if (!deleted.empty()) ASSERT_LT(spent - costliest, budget) << "step " << step_ << ": revoke went on past its budget";
            ASSERT_TRUE(spent >= budget || deleted.size() == before) << "step " << step_ << ": revoke stopped early";
            ASSERT_EQ(status, deleted.size() < before ? Status::MoreToDo : Status::Ok) << "step " << step_;
            note(deleted.empty() ? "revoke step deleting nothing" : "revoke step deleting some", status);
            if (any_held) ++outcomes["revoke step deleting a held node"];
            for (int id : deleted) model_.remove(id);
        } else if (kind < 74) {  // move_out into a free in-flight place
            int place = static_cast<int>(pick(kInFlight));
            if (!in_flight_[place].is_empty()) return;
            Handle handle = pick_handle(table);
            u32 rights = pick_rights(kRightTransfer);
            int node;
            Status expected = expected_lookup(table, handle, kRightTransfer, &node);
            ASSERT_EQ(real.move_out(handle, rights, in_flight_[place]), expected) << "step " << step_;
            note("move_out", expected);
            if (expected == Status::Ok) model_.move(node, {-1, place}, rights);
        } else if (kind < 84) {  // move_in from an in-flight place (maybe empty: kNoHandle)
            int place = static_cast<int>(pick(kInFlight));
            int node = model_.node_at({-1, place});
            auto result = real.move_in(in_flight_[place]);
            if (node < 0) {
                ASSERT_EQ(result.status(), Status::Ok) << "step " << step_;
                ASSERT_EQ(result.value(), kNoHandle) << "step " << step_;
                note("move_in of an empty place", Status::Ok);
            } else if (model_.table_full(table)) {
                ASSERT_EQ(result.status(), Status::TableFull) << "step " << step_;
                note("move_in", Status::TableFull);
            } else {
                ASSERT_EQ(result.status(), Status::Ok) << "step " << step_;
                note("move_in", Status::Ok);
                check_new_handle(table, result.value());
                model_.move(node, {table, static_cast<int>(handle_slot(result.value()))}, kRightsAll);
                issued(table, result.value());
            }
        } else if (kind < 88) {  // a message destroyed undelivered
            int place = static_cast<int>(pick(kInFlight));
            int node = model_.node_at({-1, place});
            in_flight_[place].clear();
            if (node >= 0) model_.remove(node);
        } else if (kind < 90) {  // a Task dies
            real.clear_all();
            for (u32 slot = 0; slot < kSlots; ++slot) {
                int node = model_.node_at({table, static_cast<int>(slot)});
                if (node >= 0) model_.remove(node);
            }
        } else {  // revoke to the end, in steps
            Handle handle = pick_handle(table);
            int node;
            Status expected = expected_lookup(table, handle, kRightRevoke, &node);
            Status status;
            int steps = 0;
            do {
                status = real.revoke(handle, 1 + pick(3));
            } while (status == Status::MoreToDo && ++steps < 1000);
            ASSERT_EQ(status, expected) << "step " << step_;
            note("revoke to the end", expected);
            if (expected != Status::Ok) return;
            std::vector<int> doomed;
            for (const auto& [id, entry] : model_.nodes)
                if (model_.is_descendant(id, node)) doomed.push_back(id);
            for (int id : doomed) model_.remove(id);
        }
    }

    const Capability& real_place(Place place) const {
        if (place.table == kHeldTable) return held_[place.index].capability();
        return place.table >= 0 ? tables_[place.table]->table.slot(static_cast<u32>(place.index)) : in_flight_[place.index].capability();
    }

    void compare() {
        std::vector<const Capability*> places;
        std::map<const Capability*, Place> place_of;
        for (int table = 0; table < kTables; ++table) {
            for (u32 slot = 0; slot < kSlots; ++slot) {
                Place place{table, static_cast<int>(slot)};
                places.push_back(&real_place(place));
                place_of[&real_place(place)] = place;
            }
        }
        for (int index = 0; index < kInFlight; ++index) {
            places.push_back(&real_place({kInFlightTable, index}));
            place_of[&real_place({kInFlightTable, index})] = {kInFlightTable, index};
        }
        for (int index = 0; index < kHeld; ++index) {
            places.push_back(&real_place({kHeldTable, index}));
            place_of[&real_place({kHeldTable, index})] = {kHeldTable, index};
            ASSERT_EQ(held_[index].deletions, model_.held_deletions[index]) << "step " << step_ << " holder " << index;
            ASSERT_FALSE(held_[index].told_while_live) << "step " << step_;
        }
        auto parent = read_tree(places);
        for (const auto& [address, place] : place_of) {
            int node = model_.node_at(place);
            ASSERT_EQ(address->is_empty(), node < 0) << "step " << step_ << " place " << place.table << "/" << place.index;
            if (place.table >= 0) ASSERT_EQ(address->generation(), model_.generation[place.table][place.index]) << "step " << step_;
            if (node < 0) continue;
            const ModelNode& expected = model_.nodes.at(node);
            ASSERT_EQ(address->object(), model_.objects[expected.object].pointer) << "step " << step_;
            ASSERT_EQ(address->rights(), expected.rights) << "step " << step_;
            const Capability* real_parent = parent.at(address);
            if (expected.parent < 0) {
                ASSERT_EQ(real_parent, nullptr) << "step " << step_;
            } else {
                ASSERT_EQ(real_parent, &real_place(model_.nodes.at(expected.parent).place)) << "step " << step_;
            }
        }
        // Objects: live ones have exactly the model's references; unreferenced ones were
        // destroyed exactly once (then they are checked only at the end: they cannot return).
        std::map<int, int> references;
        for (const auto& [id, node] : model_.nodes) ++references[node.object];
        for (auto it = unsettled_.begin(); it != unsettled_.end();) {
            const ModelObject& object = model_.objects[*it];
            auto count = references.find(*it);
            if (count != references.end()) {
                ASSERT_EQ(object.pointer->reference_count(), static_cast<u32>(count->second)) << "step " << step_;
                ASSERT_EQ(destroyed_count(object.id), 0) << "step " << step_;
                ++it;
            } else {
                ASSERT_EQ(destroyed_count(object.id), 1) << "step " << step_ << ": unreferenced object not destroyed exactly once";
                it = unsettled_.erase(it);
            }
        }
    }

    std::mt19937 random_;
    std::vector<std::unique_ptr<TestTable>> tables_;
    InFlightCapability in_flight_[kInFlight];
    CountingHolder held_[kHeld];
    std::vector<Handle> issued_[kTables];
    Model model_;
    std::set<int> unsettled_;  // model objects not yet seen destroyed
    int step_ = 0;

public:
    // How often each operation succeeded or was refused, to show the mix explores both.
    std::map<std::string, int> outcomes;
};

using DerivationTree = CapabilityTest;

TEST_F(DerivationTree, MatchesAReferenceModelOverRandomOperations) {
    for (unsigned seed : {1u, 2u, 3u, 20240601u}) {
        SCOPED_TRACE(seed);
        Differential differential(seed);
        differential.run(15'000);
        // The mix reaches every outcome that matters, many times.
        for (const char* outcome : {"insert_root Ok", "insert_root TableFull", "derive Ok", "derive BadHandle",
                                    "derive MissingRights", "derive TableFull", "copy_into Ok", "copy_into MissingRights",
                                    "close Ok", "close BadHandle", "revoke step MissingRights",
                                    "revoke step deleting some Ok", "revoke step deleting some MoreToDo", "move_out Ok",
                                    "move_in Ok", "move_in TableFull", "move_in of an empty place Ok", "revoke to the end Ok",
                                    "hold Ok", "hold MissingRights", "holder removes Ok",
                                    "revoke step deleting a held node"}) {
            EXPECT_GE(differential.outcomes[outcome], 10) << outcome;
        }
        if (seed == 1) {
            for (const auto& [outcome, count] : differential.outcomes) std::printf("  %-40s %d\n", outcome.c_str(), count);
        }
    }
}

}  // namespace
}  // namespace capability_test
