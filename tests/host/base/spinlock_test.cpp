// Host tests of base::Spinlock: mutual exclusion under contention, try_lock, the RAII guard.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/spinlock.h"

namespace {

// Two threads only: a ticket lock hands over in strict order, so with more threads than free
// cores every handover waits for the scheduler (the kernel masks interrupts instead).
TEST(Spinlock, ExcludesConcurrentIncrements) {
    base::Spinlock lock;
    long counter = 0;  // plain, unsynchronised except by the lock
    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 20000; ++i) {
                base::SpinlockGuard guard(lock);
                counter = counter + 1;
            }
        });
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(counter, 40000);
    EXPECT_FALSE(lock.is_locked());
}

TEST(Spinlock, TryLockFailsWhileHeldAndSucceedsAfterUnlock) {
    base::Spinlock lock;
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    EXPECT_TRUE(lock.is_locked());
    EXPECT_FALSE(lock.try_lock());
    bool other_thread_got_it = true;
    std::thread([&] { other_thread_got_it = lock.try_lock(); }).join();
    EXPECT_FALSE(other_thread_got_it);
    lock.unlock();
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
}

TEST(Spinlock, GuardReleasesAtTheEndOfItsScope) {
    base::Spinlock lock;
    {
        base::SpinlockGuard guard(lock);
        EXPECT_TRUE(lock.is_locked());
    }
    EXPECT_FALSE(lock.is_locked());
}

TEST(Spinlock, WaiterProceedsOnceTheHolderUnlocks) {
    base::Spinlock lock;
    lock.lock();
    base::Atomic<bool> entered{false};
    std::thread waiter([&] {
        base::SpinlockGuard guard(lock);
        entered.store(true);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    EXPECT_FALSE(entered.load());  // still spinning
    lock.unlock();
    waiter.join();
    EXPECT_TRUE(entered.load());
    EXPECT_FALSE(lock.is_locked());
}

TEST(Spinlock, ManyLockCyclesKeepTheTicketsInStep) {
    base::Spinlock lock;
    for (int i = 0; i < 100000; ++i) {
        if (i % 2 == 0) {
            lock.lock();
        } else {
            ASSERT_TRUE(lock.try_lock());
        }
        lock.unlock();
    }
    EXPECT_FALSE(lock.is_locked());
    EXPECT_TRUE(lock.try_lock());
    lock.unlock();
}

}  // namespace
