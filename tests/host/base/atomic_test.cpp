// Host tests of base::Atomic: every operation's return value, pointer steps by element,
// wrap-around, and increments from several threads that must not be lost.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "base/atomic.h"

namespace {

using base::Atomic;
using base::MemoryOrder;

TEST(Atomic, LoadStoreAndExchange) {
    Atomic<base::u64> value;
    EXPECT_EQ(value.load(), 0u);
    value.store(~base::u64(0) - 1);
    EXPECT_EQ(value.load(MemoryOrder::Acquire), ~base::u64(0) - 1);
    EXPECT_EQ(value.exchange(5, MemoryOrder::AcqRel), ~base::u64(0) - 1);
    EXPECT_EQ(value.load(MemoryOrder::Relaxed), 5u);
}

TEST(Atomic, CompareExchangeReportsTheCurrentValueOnFailure) {
    Atomic<int> value{7};
    int expected = 6;
    EXPECT_FALSE(value.compare_exchange_strong(expected, 9));
    EXPECT_EQ(expected, 7);
    EXPECT_EQ(value.load(), 7);
    EXPECT_TRUE(value.compare_exchange_strong(expected, 9, MemoryOrder::AcqRel));
    EXPECT_EQ(value.load(), 9);
    // The weak form may fail spuriously, so it is used in a loop.
    int seen = value.load();
    while (!value.compare_exchange_weak(seen, seen * 2, MemoryOrder::Release)) {
    }
    EXPECT_EQ(value.load(), 18);
}

TEST(Atomic, FetchOperationsReturnThePreviousValue) {
    Atomic<base::u32> bits{0b1100};
    EXPECT_EQ(bits.fetch_or(0b0011), 0b1100u);
    EXPECT_EQ(bits.fetch_and(0b0110), 0b1111u);
    EXPECT_EQ(bits.fetch_xor(0b0101), 0b0110u);
    EXPECT_EQ(bits.load(), 0b0011u);
    EXPECT_EQ(bits.fetch_add(10), 3u);
    EXPECT_EQ(bits.fetch_sub(4), 13u);
    EXPECT_EQ(bits.load(), 9u);
}

TEST(Atomic, UnsignedValuesWrapAround) {
    Atomic<base::u8> small{255};
    EXPECT_EQ(small.fetch_add(1), 255);
    EXPECT_EQ(small.load(), 0);
    EXPECT_EQ(small.fetch_sub(1), 0);
    EXPECT_EQ(small.load(), 255);
}

TEST(Atomic, PointersStepByWholeElements) {
    base::u64 array[8] = {};
    Atomic<base::u64*> cursor{array};
    EXPECT_EQ(cursor.fetch_add(3), array);
    EXPECT_EQ(cursor.load(), array + 3);
    EXPECT_EQ(cursor.fetch_sub(1), array + 3);
    EXPECT_EQ(cursor.load(), array + 2);
    base::u64* expected = array + 2;
    EXPECT_TRUE(cursor.compare_exchange_strong(expected, nullptr));
    EXPECT_EQ(cursor.load(), nullptr);
}

enum class Phase : base::u8 { Booting, Running, Stopped };

TEST(Atomic, HoldsBoolsAndEnums) {
    Atomic<bool> flag;
    EXPECT_FALSE(flag.exchange(true));
    EXPECT_TRUE(flag.load());
    Atomic<Phase> phase{Phase::Booting};
    Phase expected = Phase::Booting;
    EXPECT_TRUE(phase.compare_exchange_strong(expected, Phase::Running));
    EXPECT_EQ(phase.exchange(Phase::Stopped), Phase::Running);
}

TEST(Atomic, ConcurrentIncrementsAreNeverLost) {
    Atomic<long> counter{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 50000; ++i) counter.fetch_add(1, MemoryOrder::Relaxed);
        });
    for (auto& thread : threads) thread.join();
    base::atomic_thread_fence();
    EXPECT_EQ(counter.load(), 200000);
}

}  // namespace
