// Stress (seeded, see stress.h): producers and consumers on a bounded queue guarded by a futex
// mutex, waiting on two futex condition variables (not full, not empty), spread over the CPUs at
// random: once as Tasks sharing this program's memory, once as threads of this Task. Every item must be consumed exactly once, and nobody may sleep through a
// signal meant for it: a lost wake-up stops all progress, which a watchdog reports (no item
// moved for 20 s: how many got through, where each Task sleeps) instead of hanging. A slow host
// only slows the run down; it is not taken for a stall while items keep moving.
#include "user/runtime-tests/futex_sync.h"
#include "user/runtime-tests/stress.h"
#include "user/runtime/console.h"
#include "user/runtime/test.h"

namespace {

using namespace stress;

constexpr u64 kProducers = 3, kConsumers = 3, kWorkers = kProducers + kConsumers;
constexpr u64 kItemsEach = 100;        // per producer, times settings.rounds
constexpr u64 kItemsMost = 64 * 1024;   // seen[] bound
constexpr u64 kCapacityMost = 4;

struct Queue {
    FutexMutex mutex;
    FutexCondition not_full, not_empty;
    u32 items[kCapacityMost];
    u32 head, count, capacity;  // under mutex
    u64 produced, consumed;     // under mutex
    u64 total;                  // set before the workers start
    u64 deadline;
};
Queue queue;
volatile u8 seen[kItemsMost];  // seen[item]: times it was consumed (atomic adds)
volatile u64 timed_out[kWorkers];  // per worker: waits that reached the deadline (a lost wake-up)
volatile u64 waits[kWorkers];      // per worker: condition waits (how hard the run pushed)
enum Where : u32 { Running, TakingTheMutex, WaitingNotFull, WaitingNotEmpty, Done };
constexpr const char* kWhereNames[] = {"running", "taking the mutex", "waiting for room", "waiting for an item", "done"};
volatile u32 where[kWorkers];      // per worker: what it does now (for the stall report)
alignas(16) u8 stacks[kWorkers][16 * 1024];

bool as_threads = false;  // workers are threads of this Task (else Tasks of their own)

void record_timeout(u64 worker) { timed_out[worker] = timed_out[worker] + 1; }

// Ends the worker: only its thread, when it is one of ours (task_exit would end the test).
[[noreturn]] void finish(u64 status) {
    if (as_threads) sys::thread_exit(status);
    sys::task_exit(status);
}

// Producer `worker` puts items worker*per+1 .. (worker+1)*per into the queue.
[[noreturn]] void produce(u64 worker) {
    Random random(settings.seed, 100 + worker);
    const u64 per = queue.total / kProducers;
    for (u64 i = 0; i < per; ++i) {
        const u32 item = static_cast<u32>(worker * per + i + 1);
        where[worker] = TakingTheMutex;
        if (!queue.mutex.lock(queue.deadline)) {
            record_timeout(worker);
            finish(1);
        }
        // Bound: each pass sleeps until a consumer's signal or the deadline.
        while (queue.count == queue.capacity) {
            waits[worker] = waits[worker] + 1;
            where[worker] = WaitingNotFull;
            const FutexCondition::Waited waited = queue.not_full.wait(queue.mutex, queue.deadline);
            if (!waited.woken || !waited.holds_mutex) {
                record_timeout(worker);
                if (waited.holds_mutex) queue.mutex.unlock();
                finish(1);
            }
        }
        queue.items[(queue.head + queue.count) % queue.capacity] = item;
        queue.count = queue.count + 1;
        queue.produced = queue.produced + 1;
        if (random.one_in(4)) jitter(random, 200);  // hold the mutex a while: others pile up on it
        queue.not_empty.signal();
        queue.mutex.unlock();
        where[worker] = Running;
        jitter(random, 400);
    }
    where[worker] = Done;
    finish(0);
}

[[noreturn]] void consume(u64 worker) {
    Random random(settings.seed, 100 + worker);
    // Bound: every pass takes an item or ends; there are queue.total items.
    for (;;) {
        where[worker] = TakingTheMutex;
        if (!queue.mutex.lock(queue.deadline)) {
            record_timeout(worker);
            finish(1);
        }
        while (queue.count == 0 && queue.consumed < queue.total) {
            waits[worker] = waits[worker] + 1;
            where[worker] = WaitingNotEmpty;
            const FutexCondition::Waited waited = queue.not_empty.wait(queue.mutex, queue.deadline);
            if (!waited.woken || !waited.holds_mutex) {
                record_timeout(worker);
                if (waited.holds_mutex) queue.mutex.unlock();
                finish(1);
            }
        }
        if (queue.count == 0) {  // all consumed
            queue.mutex.unlock();
            where[worker] = Done;
            finish(0);
        }
        const u32 item = queue.items[queue.head];
        queue.head = (queue.head + 1) % queue.capacity;
        queue.count = queue.count - 1;
        queue.consumed = queue.consumed + 1;
        if (queue.consumed == queue.total) queue.not_empty.broadcast();  // the others end too
        queue.not_full.signal();
        if (random.one_in(4)) jitter(random, 200);
        queue.mutex.unlock();
        if (item >= 1 && item <= queue.total) __atomic_fetch_add(&seen[item], u8(1), __ATOMIC_RELAXED);
        where[worker] = Running;
        jitter(random, 400);
    }
}

void hand_over_every_item_once(vectra::test::Context& test_context, bool threads) {
    if (!wanted()) return;
    as_threads = threads;
    Random random(settings.seed, threads ? 7 : 1);
    const u64 per = kItemsEach * (settings.rounds == 0 ? 1 : settings.rounds);
    ASSERT(per * kProducers < kItemsMost);
    queue.mutex.reset();
    queue.not_full.reset();
    queue.not_empty.reset();
    queue.head = queue.count = 0;
    queue.capacity = static_cast<u32>(1 + random.below(kCapacityMost));
    queue.produced = queue.consumed = 0;
    queue.total = per * kProducers;
    // Only a backstop: the watchdog below ends a stalled run long before.
    queue.deadline = deadline_in_ms(600'000);
    for (u64 item = 0; item <= queue.total; ++item) seen[item] = 0;
    for (u64 worker = 0; worker < kWorkers; ++worker) {
        timed_out[worker] = 0;
        waits[worker] = 0;
        where[worker] = Running;
    }

    auto ends = sys::ring_create(grant(), 2 * kWorkers);
    ASSERT(ends.is_ok());
    Handle workers[kWorkers] = {};      // Tasks
    abi::ThreadId threads_of[kWorkers] = {};  // or threads
    bool joined[kWorkers] = {};
    for (u64 worker = 0; worker < kWorkers; ++worker) {
        const bool producer = worker < kProducers;
        void (*entry)(u64) = producer ? &produce : &consume;
        if (threads) {
            auto thread = sys::thread_create(reinterpret_cast<u64>(entry), vectra::initial_stack_pointer(stacks[worker], sizeof stacks[worker]), worker);
            EXPECT(thread.is_ok());
            threads_of[worker] = thread.value_or(0);
            joined[worker] = thread.is_error();
            if (thread.is_ok()) EXPECT(sys::thread_set_affinity(thread.value(), random_cpu_set(random)).is_ok());
            continue;
        }
        auto task = start_task(producer ? "producer" : "consumer", ends.value().first, random_cpu_set(random), entry, stacks[worker], worker);
        EXPECT(task.is_ok());
        workers[worker] = task.value_or(abi::kNoHandle);
    }
    // Each worker's end comes as a report. The watchdog: items must keep moving. Bound: a stall
    // of 20 s ends it (and the backstop deadline).
    constexpr u64 kStallMs = 20'000;
    u64 ended_well = 0, reports = 0, progress = 0, last_move = sys::clock_now();
    bool stalled = false;
    while (reports < kWorkers && !stalled) {
        if (threads) {
            pause_ms(100);
            for (u64 worker = 0; worker < kWorkers; ++worker) {
                if (joined[worker]) continue;
                auto value = sys::thread_join(threads_of[worker], 0);
                if (value.status() == vectra::Status::WouldBlock) continue;
                joined[worker] = true;
                ++reports;
                if (value.is_ok() && value.value() == 0) ++ended_well;
            }
        } else {
            const abi::FaultReport report = next_report(ends.value().second, deadline_in_ms(200));
            if (report.kind != kNoReport) {
                ++reports;
                if (is(report, abi::FaultKind::Exited) && report.status == 0) ++ended_well;
            }
        }
        const u64 now_moved = __atomic_load_n(&queue.produced, __ATOMIC_RELAXED) + __atomic_load_n(&queue.consumed, __ATOMIC_RELAXED);
        if (now_moved != progress) {
            progress = now_moved;
            last_move = sys::clock_now();
        }
        stalled = sys::clock_now() - last_move > kStallMs * 1'000'000 || sys::clock_now() > queue.deadline;
    }
    if (stalled) {
        vectra::println("[test]     stalled: nothing moved for {} s (a lost wake-up?); queue holds {} of {}", kStallMs / 1000,
                        u64(queue.count), u64(queue.capacity));
        for (u64 worker = 0; worker < kWorkers; ++worker)
            vectra::println("[test]       {} {}: {}", worker < kProducers ? "producer" : "consumer", worker, kWhereNames[where[worker]]);
    }
    u64 total_timeouts = 0, total_waits = 0;
    for (u64 worker = 0; worker < kWorkers; ++worker) {
        total_timeouts += timed_out[worker];
        total_waits += waits[worker];
    }
    if (ended_well != kWorkers)
        vectra::println("[test]     {} of {} items produced, {} consumed; {} waits reached the backstop deadline; "
                        "{} of {} workers reported",
                        queue.produced, queue.total, queue.consumed, total_timeouts, reports, kWorkers);
    EXPECT_EQ(ended_well, kWorkers);
    EXPECT_EQ(total_timeouts, 0u);
    EXPECT_EQ(queue.consumed, queue.total);
    u64 twice = 0, never = 0;
    for (u64 item = 1; item <= queue.total; ++item) {
        twice += seen[item] > 1 ? 1 : 0;
        never += seen[item] == 0 ? 1 : 0;
    }
    EXPECT_EQ(twice, 0u);
    EXPECT_EQ(never, 0u);
    EXPECT_EQ(queue.mutex.state(), 0u);
    vectra::println("[test]     seed {}: {} items through a queue of {}, {} condition waits",
                    settings.seed, queue.total, queue.capacity, total_waits);
    for (Handle worker : workers) {
        if (worker == abi::kNoHandle) continue;
        (void)sys::task_kill(worker);
        (void)sys::handle_close(worker);
    }
    // A thread still asleep after a stall cannot be killed alone: it stays asleep until the
    // backstop deadline (or the program's end), on words no other test uses.
    for (u64 worker = 0; worker < kWorkers && threads; ++worker)
        if (!joined[worker]) (void)sys::thread_detach(threads_of[worker]);
    (void)sys::handle_close(ends.value().first);
    (void)sys::handle_close(ends.value().second);
}

}  // namespace

USER_TEST(stress_producers_and_consumers_on_a_futex_condition_variable_hand_over_every_item_once) {
    hand_over_every_item_once(test_context, false);
}

USER_TEST(stress_producer_and_consumer_threads_of_one_task_on_a_futex_condition_variable_hand_over_every_item_once) {
    hand_over_every_item_once(test_context, true);
}
