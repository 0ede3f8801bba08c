// Run queues: highest priority first, first in first out within a priority, and the bitmap
// agrees with the queues after any sequence of pushes, removals and pops (checked against a
// simple reference over a random sequence).
#include "kernel/sched/run_queues.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

namespace {

struct Item {
    base::IntrusiveListNode link;
    base::u32 priority = 0;
    int id = 0;
};
using Queues = kernel::RunQueues<Item, &Item::link>;

TEST(RunQueues, AnEmptySetHasNoHighestAndPopsNothing) {
    Queues queues;
    EXPECT_TRUE(queues.empty());
    EXPECT_EQ(queues.highest(), -1);
    EXPECT_EQ(queues.pop_highest(), nullptr);
}

TEST(RunQueues, TheHighestPriorityComesFirstAndEqualsTakeTurns) {
    Queues queues;
    Item low{{}, 3, 1}, high_a{{}, 20, 2}, high_b{{}, 20, 3}, top{{}, 31, 4}, bottom{{}, 0, 5};
    for (Item* item : {&low, &high_a, &bottom, &high_b, &top}) queues.push(*item);
    EXPECT_EQ(queues.highest(), 31);
    EXPECT_EQ(queues.pop_highest(), &top);
    EXPECT_EQ(queues.pop_highest(), &high_a);
    EXPECT_EQ(queues.pop_highest(), &high_b);
    EXPECT_EQ(queues.pop_highest(), &low);
    EXPECT_EQ(queues.pop_highest(), &bottom);
    EXPECT_TRUE(queues.empty());
}

TEST(RunQueues, RemovingTheLastItemOfAPriorityClearsItsBit) {
    Queues queues;
    Item a{{}, 7, 1}, b{{}, 9, 2};
    queues.push(a);
    queues.push(b);
    queues.remove(b);
    EXPECT_EQ(queues.highest(), 7);
    queues.remove(a);
    EXPECT_TRUE(queues.empty());
    EXPECT_FALSE(a.link.is_linked());
}

TEST(RunQueues, AgreeWithAReferenceOverRandomOperations) {
    for (unsigned seed : {1u, 2u, 3u}) {
        std::mt19937 random(seed);
        std::vector<Item> items(200);
        for (int i = 0; i < 200; ++i) items[i].id = i;
        std::deque<int> reference[32];
        Queues queues;
        for (int step = 0; step < 20000; ++step) {
            Item& item = items[random() % items.size()];
            const int operation = random() % 3;
            if (operation == 0 && !item.link.is_linked()) {
                item.priority = random() % 32;
                queues.push(item);
                reference[item.priority].push_back(item.id);
            } else if (operation == 1 && item.link.is_linked()) {
                queues.remove(item);
                auto& queue = reference[item.priority];
                queue.erase(std::find(queue.begin(), queue.end(), item.id));
            } else if (operation == 2) {
                int expected = -1;
                for (int p = 31; p >= 0 && expected < 0; --p)
                    if (!reference[p].empty()) {
                        expected = reference[p].front();
                        reference[p].pop_front();
                    }
                Item* popped = queues.pop_highest();
                ASSERT_EQ(popped == nullptr ? -1 : popped->id, expected) << "seed " << seed << " step " << step;
            }
            int highest = -1;
            for (int p = 31; p >= 0 && highest < 0; --p)
                if (!reference[p].empty()) highest = p;
            ASSERT_EQ(queues.highest(), highest) << "seed " << seed << " step " << step;
            // What a stealing CPU looks at: the next pop, left in place.
            Item* peeked = queues.peek_highest();
            ASSERT_EQ(peeked == nullptr ? -1 : peeked->id, highest < 0 ? -1 : reference[highest].front()) << "seed " << seed;
        }
        while (queues.pop_highest() != nullptr) {}
    }
}

}  // namespace
