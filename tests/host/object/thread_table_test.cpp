// A Task's thread table: slots taken until full, ids that name exactly one slot's current
// occupant, stale ids refused after a slot is freed and reused, generations that wrap without
// ever making 0 or repeating the id just freed; and a random run checked against a model.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "kernel/object/thread_table.h"

namespace {

namespace abi = vectra::abi;
using base::u32;

struct Entry {
    int value = 0;
};
constexpr u32 kSlots = 8;
using Table = kernel::ThreadTable<Entry, kSlots>;

TEST(ThreadTable, TakesEverySlotOnceThenIsFull) {
    Table table;
    std::set<u32> taken;
    for (u32 i = 0; i < kSlots; ++i) {
        const auto index = table.take();
        ASSERT_TRUE(index.has_value());
        EXPECT_LT(*index, kSlots);
        EXPECT_TRUE(taken.insert(*index).second) << "slot " << *index << " handed out twice";
        EXPECT_TRUE(table.in_use(*index));
    }
    EXPECT_FALSE(table.take().has_value());
    table.release(3);
    const auto again = table.take();
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(*again, 3u);
}

TEST(ThreadTable, AnIdNamesItsSlotOnlyWhileTheSlotHoldsThatThread) {
    Table table;
    const u32 index = *table.take();
    table[index].value = 7;
    const abi::ThreadId id = table.id_of(index);
    EXPECT_NE(id, 0u);
    EXPECT_EQ(abi::thread_slot(id), index);
    ASSERT_NE(table.find(id), nullptr);
    EXPECT_EQ(table.find(id)->value, 7);

    table.release(index);
    EXPECT_EQ(table.find(id), nullptr) << "a freed slot's id still names it";
    const u32 reused = *table.take();
    ASSERT_EQ(reused, index);
    const abi::ThreadId fresh = table.id_of(reused);
    EXPECT_NE(fresh, id) << "a reused slot got its old id back";
    EXPECT_EQ(table.find(id), nullptr) << "a stale id names the slot's next thread";
    EXPECT_NE(table.find(fresh), nullptr);
}

TEST(ThreadTable, RefusesIdsOfFreeSlotsSlotsOutOfRangeAndZero) {
    Table table;
    EXPECT_EQ(table.find(0), nullptr);
    EXPECT_EQ(table.find(table.id_of(0)), nullptr) << "a slot never taken";
    const u32 index = *table.take();
    const abi::ThreadId id = table.id_of(index);
    EXPECT_EQ(table.find(abi::make_thread_id(kSlots, abi::thread_generation(id))), nullptr);
    EXPECT_EQ(table.find(abi::make_thread_id(255, 1)), nullptr);
    EXPECT_EQ(table.find(abi::make_thread_id(index, abi::thread_generation(id) + 1)), nullptr);
    EXPECT_EQ(table.find(abi::make_thread_id(index, 0)), nullptr);
    EXPECT_EQ(table.find(~0u), nullptr);
}

TEST(ThreadTable, GenerationsWrapWithinTheIdAndSkipZero) {
    Table table;
    const u32 index = *table.take();
    const abi::ThreadId first = table.id_of(index);
    abi::ThreadId previous = first;
    // Every generation the id has room for, and around once more.
    const u32 rounds = Table::kGenerationMask + 2;
    for (u32 round = 0; round < rounds; ++round) {
        table.release(index);
        ASSERT_EQ(*table.take(), index);
        const abi::ThreadId id = table.id_of(index);
        ASSERT_NE(abi::thread_generation(id), 0u) << "round " << round;
        ASSERT_NE(id, previous) << "round " << round;
        ASSERT_EQ(table.find(previous), nullptr) << "round " << round;
        ASSERT_NE(table.find(id), nullptr) << "round " << round;
        previous = id;
    }
    // kGenerationMask generations (1 .. mask) in turn: after mask + 2 frees, the third again.
    EXPECT_EQ(abi::thread_generation(previous), 3u);
}

// Random takes, releases and lookups against a model of which ids are live.
TEST(ThreadTable, MatchesAModelUnderRandomUse) {
    std::mt19937 random(20261130);
    Table table;
    std::map<u32, abi::ThreadId> live;  // slot -> its id
    std::set<abi::ThreadId> dead;       // ids handed out and since freed (while not reused)
    for (int step = 0; step < 200000; ++step) {
        const int action = static_cast<int>(random() % 3);
        if (action == 0) {
            const auto index = table.take();
            if (live.size() == kSlots) {
                EXPECT_FALSE(index.has_value());
                continue;
            }
            ASSERT_TRUE(index.has_value());
            ASSERT_EQ(live.count(*index), 0u);
            const abi::ThreadId id = table.id_of(*index);
            live[*index] = id;
            dead.erase(id);
            table[*index].value = static_cast<int>(id);
        } else if (action == 1 && !live.empty()) {
            auto victim = live.begin();
            std::advance(victim, random() % live.size());
            table.release(victim->first);
            dead.insert(victim->second);
            live.erase(victim);
        } else {
            for (const auto& [index, id] : live) {
                const Entry* entry = table.find(id);
                ASSERT_NE(entry, nullptr);
                ASSERT_EQ(entry->value, static_cast<int>(id));
            }
            for (const abi::ThreadId id : dead) ASSERT_EQ(table.find(id), nullptr) << "stale id " << id;
            if (dead.size() > 64) dead.clear();
        }
    }
}

}  // namespace
