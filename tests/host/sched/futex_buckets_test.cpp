// Futex buckets: waiters on a key are woken oldest first, at most the count asked, never one
// waiting on another key that shares the bucket; checked against a model.
#include <gtest/gtest.h>

#include <deque>
#include <map>
#include <random>
#include <vector>

#include "base/intrusive_list.h"
#include "kernel/sched/futex_buckets.h"

namespace {

struct Waiter {
    base::IntrusiveListNode link;
    base::u64 wait_argument = 0;
    int id = 0;
};
struct Queue {
    base::IntrusiveList<Waiter, &Waiter::link> threads;
};
using Buckets = kernel::FutexBuckets<Queue, 4>;  // few buckets: keys share them

TEST(FutexBuckets, WakesTheOldestWaitersOnTheKeyOnly) {
    Buckets buckets;
    std::vector<Waiter> waiters(6);
    const base::u64 keys[6] = {0x1000, 0x2000, 0x1000, 0x1000, 0x2000, 0x1000};
    for (int i = 0; i < 6; ++i) {
        waiters[i].id = i;
        waiters[i].wait_argument = keys[i];
        buckets.bucket(keys[i]).threads.push_back(waiters[i]);
    }
    std::vector<int> woken;
    auto take = [&](Waiter& waiter) {
        buckets.bucket(waiter.wait_argument).threads.remove(waiter);
        woken.push_back(waiter.id);
    };
    EXPECT_EQ(buckets.wake(0x1000, 2, take), 2u);
    EXPECT_EQ(woken, (std::vector<int>{0, 2}));
    EXPECT_EQ(buckets.wake(0x3000, 5, take), 0u) << "nobody waits there";
    EXPECT_EQ(buckets.wake(0x1000, 10, take), 2u);
    EXPECT_EQ(woken, (std::vector<int>{0, 2, 3, 5}));
    EXPECT_EQ(buckets.wake(0x2000, 1, take), 1u);
    EXPECT_EQ(woken.back(), 1);
    EXPECT_EQ(buckets.wake(0x2000, 0, take), 0u) << "a count of 0 wakes nobody";
    EXPECT_EQ(buckets.wake(0x2000, 1, take), 1u);
    EXPECT_EQ(woken.back(), 4);
}

TEST(FutexBuckets, RandomRunMatchesAModel) {
    std::mt19937_64 random(7);
    Buckets buckets;
    std::vector<Waiter> pool(200);
    std::map<base::u64, std::deque<int>> model;
    std::vector<int> free_ids;
    for (int i = 0; i < 200; ++i) {
        pool[i].id = i;
        free_ids.push_back(i);
    }
    // Bound: 20,000 steps.
    for (int step = 0; step < 20000; ++step) {
        const base::u64 key = 0x4000 + 4 * (random() % 12);
        if (random() % 2 == 0 && !free_ids.empty()) {
            const int id = free_ids.back();
            free_ids.pop_back();
            pool[id].wait_argument = key;
            buckets.bucket(key).threads.push_back(pool[id]);
            model[key].push_back(id);
        } else {
            const base::usize count = random() % 4;
            std::vector<int> woken;
            const base::usize n = buckets.wake(key, count, [&](Waiter& waiter) {
                buckets.bucket(waiter.wait_argument).threads.remove(waiter);
                woken.push_back(waiter.id);
                free_ids.push_back(waiter.id);
            });
            std::vector<int> expected;
            auto& queue = model[key];
            while (expected.size() < count && !queue.empty()) {
                expected.push_back(queue.front());
                queue.pop_front();
            }
            ASSERT_EQ(woken, expected) << "step " << step;
            ASSERT_EQ(n, expected.size());
        }
    }
}

}  // namespace
