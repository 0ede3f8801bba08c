// The VectraOS side of `./vectra bench smp` (bench/smp/README.md has the line format and what
// one iteration is). This Task's main thread runs on CPU 0. Measured: a Ring round trip with the
// server (a second Task on this Reticle, as Linux's pipe partner is a second process) on this
// CPU and on CPU 1; with threads of this Task (as Linux's are threads): a futex ping-pong
// likewise, the wake of a thread blocked on an idle CPU (wake-to-run, and the answer seen by
// the waker), an uncontended futex mutex, and N independent CPU-bound threads (N = 1, 2, 4),
// one per CPU and unpinned. bench/smp/linux/main.cpp does the same on Linux, line for line
// where it can.
#include "bench/smp/samples.h"
#include "user/runtime/arguments.h"
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscall_raw.h"
#include "user/runtime/syscalls.h"

namespace abi = vectra::abi;
namespace sys = vectra::sys;
using base::u32;
using base::u64;
using base::u8;

namespace {

u64 ticks() {
#if defined(__x86_64__)
    u32 low, high;
    asm volatile("rdtsc" : "=a"(low), "=d"(high)::"memory");
    return (u64(high) << 32) | low;
#else
    u64 value;
    asm volatile("isb; mrs %0, cntvct_el0" : "=r"(value)::"memory");
    return value;
#endif
}

u64 now_ns() { return sys::clock_now(); }

void cpu_relax() {
#if defined(__x86_64__)
    asm volatile("pause" ::: "memory");
#else
    asm volatile("yield" ::: "memory");
#endif
}

u32 load(const volatile u32* word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
void store(volatile u32* word, u32 value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }

void report(const char* name, u64 iterations, u64 ns, u64 tick_count) {
    vectra::println("bench-smp vectra {} iterations={} ns={} ticks={}", name, iterations, ns, tick_count);
}

// One round's cost in ticks, kept for the median (bench/smp/samples.h).
bench_smp::Samples samples;
bench_smp::Samples wake_samples;  // the idle-wake partner's, in ns

void report_with_median(const char* name, u64 iterations, u64 ns, u64 tick_count, const char* median_key, u64 median) {
    vectra::println("bench-smp vectra {} iterations={} ns={} ticks={} {}={}", name, iterations, ns, tick_count,
                    median_key, median);
}

bool say_failure(const char* what) {
    vectra::println("bench-smp vectra error {}", what);
    return false;
}

struct Stopwatch {
    u64 start_ticks = ticks();
    u64 start_ns = now_ns();
    void stop_and_report(const char* name, u64 iterations) const {
        const u64 ns = now_ns(), tick_count = ticks();
        report(name, iterations, ns - start_ns, tick_count - start_ticks);
    }
    // With the median of the rounds in `samples` (ticks).
    void stop_and_report_median(const char* name, u64 iterations) const {
        const u64 ns = now_ns(), tick_count = ticks();
        report_with_median(name, iterations, ns - start_ns, tick_count - start_ticks, "median_ticks", samples.median());
    }
};

// Runs `body` `iterations` times, each round timed into `samples`, and reports.
template <class Body>
void measure_rounds(const char* name, u64 warmup, u64 iterations, Body body) {
    for (u64 i = 0; i < warmup; ++i) body();
    samples.clear();
    Stopwatch stopwatch;
    for (u64 i = 0; i < iterations; ++i) {
        const u64 before = ticks();
        body();
        samples.add(ticks() - before);
    }
    stopwatch.stop_and_report_median(name, iterations);
}

constexpr u64 cpu_mask(u64 cpu) { return u64(1) << cpu; }
constexpr u64 kAnyCpu = ~u64(0);

// Sleeps about `nanoseconds` (a futex wait on a word nobody changes times out).
void sleep_ns(u64 nanoseconds) {
    static volatile u32 never_changed = 0;
    (void)sys::futex_wait(&never_changed, 0, nanoseconds);
}

// ---- partner Tasks: on this Reticle, held to some CPUs, each reporting its end on a Ring ----

constexpr u64 kMaxPartners = 4;
alignas(64) u8 partner_stacks[kMaxPartners][32 * 1024];

struct Partner {
    abi::Handle task = abi::kNoHandle;
    abi::Handle reports = abi::kNoHandle;      // our end of its fault Ring
    abi::Handle fault_end = abi::kNoHandle;    // the end the kernel sends its reports to
};

// A new Task on this Reticle, not yet started, held to the CPUs in `mask`.
bool create_partner(Partner& partner, u64 mask) {
    const abi::Handle grant = vectra::start_info()->memory_grant;
    auto task = sys::task_create(grant, vectra::start_info()->self_reticle, base::StringView("smp-partner"));
    auto ring = sys::ring_create(grant, 2);
    if (task.is_error() || ring.is_error()) {
        vectra::println("bench-smp vectra error cannot create a partner Task ({}, {})",
                        abi::status_name(task.is_error() ? task.error() : abi::Status::Ok),
                        abi::status_name(ring.is_error() ? ring.error() : abi::Status::Ok));
        return false;
    }
    partner = {task.value(), ring.value().second, ring.value().first};
    if (sys::task_set_fault_ring(partner.task, partner.fault_end).is_error()) return say_failure("task_set_fault_ring");
    if (sys::task_set_affinity(partner.task, mask).is_error()) return say_failure("task_set_affinity");
    return true;
}

// Starts it at `entry(argument)` on stack `slot`.
bool start_partner(Partner& partner, u64 slot, void (*entry)(u64), u64 argument) {
    const u64 stack = vectra::initial_stack_pointer(partner_stacks[slot], sizeof partner_stacks[slot]);
    if (sys::task_start(partner.task, reinterpret_cast<u64>(entry), stack, argument).is_error())
        return say_failure("task_start");
    return true;
}

// Waits for the partner's exit report (its stack is free again after it) and closes its handles.
void join_partner(Partner& partner) {
    if (partner.task == abi::kNoHandle) return;
    abi::FaultReport fault{};
    abi::RingMessage message{reinterpret_cast<u64>(&fault), 0, sizeof fault, 0, 0, 0};
    if (sys::ring_receive(partner.reports, message, 120'000'000'000).is_error()) {
        say_failure("a partner Task did not end within 120 s");
        (void)sys::task_kill(partner.task);
    } else if (fault.kind != base::u32(abi::FaultKind::Exited)) {
        say_failure("a partner Task faulted");
    }
    (void)sys::handle_close(partner.task);
    (void)sys::handle_close(partner.reports);
    (void)sys::handle_close(partner.fault_end);
    partner = Partner{};
}

[[noreturn]] void end_partner() {
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

// ---- partner threads: of this Task, each held to the CPUs in its mask ----

// A new thread at `entry(argument)` on stack `slot`; its id, or 0 when it could not start.
abi::ThreadId start_thread(u64 slot, u64 mask, void (*entry)(u64), u64 argument) {
    const u64 stack = vectra::initial_stack_pointer(partner_stacks[slot], sizeof partner_stacks[slot]);
    auto thread = sys::thread_create(reinterpret_cast<u64>(entry), stack, argument);
    if (thread.is_error()) {
        vectra::println("bench-smp vectra error thread_create: {}", abi::status_name(thread.error()));
        return 0;
    }
    if (sys::thread_set_affinity(thread.value(), mask).is_error()) say_failure("thread_set_affinity");
    return thread.value();
}

void join_thread(abi::ThreadId thread) {
    if (thread != 0 && sys::thread_join(thread, 120'000'000'000).is_error()) say_failure("a thread did not end within 120 s");
}

[[noreturn]] void end_thread() {
    sys::thread_exit(0);
}

// ---- 1. Ring round trip: an empty call and its reply ----

struct RingGame {
    abi::Handle server_end;  // in the server's table
    u64 rounds;
};
RingGame ring_game;

[[noreturn]] void ring_server(u64 argument) {
    auto* game = reinterpret_cast<RingGame*>(argument);
    abi::RingMessage request{0, 0, 0, 0, 0, 0};
    (void)sys::raw::ring_receive(game->server_end, &request, abi::kForever);
    // Bound: one reply per request; the last reply is sent without waiting for another.
    for (u64 answered = 1; answered < game->rounds; ++answered) {
        const abi::RingMessage reply{0, 0, 0, 0, 0, 0};
        request = {0, 0, 0, 0, 0, 0};
        (void)sys::raw::ring_call(game->server_end, &reply, &request, abi::kForever);
    }
    const abi::RingMessage reply{0, 0, 0, 0, 0, 0};
    (void)sys::raw::ring_send(game->server_end, &reply, abi::kForever);
    end_partner();
}

void ring_round_trips(const char* name, u64 server_cpu, u64 warmup, u64 iterations) {
    auto ring = sys::ring_create(vectra::start_info()->memory_grant, 2);
    Partner server;
    if (ring.is_error() || !create_partner(server, cpu_mask(server_cpu))) {
        say_failure("ring round trips: set-up");
        join_partner(server);
        return;
    }
    ring_game.rounds = warmup + iterations;
    ring_game.server_end = sys::task_give(server.task, ring.value().second, abi::kRightsAll).value_or(abi::kNoHandle);
    if (start_partner(server, 0, &ring_server, reinterpret_cast<u64>(&ring_game))) {
        const abi::Handle client = ring.value().first;
        auto call = [client] {
            const abi::RingMessage request{0, 0, 0, 0, 0, 0};
            abi::RingMessage reply{0, 0, 0, 0, 0, 0};
            (void)sys::raw::ring_call(client, &request, &reply, abi::kForever);
        };
        measure_rounds(name, warmup, iterations, call);
    }
    join_partner(server);
    (void)sys::handle_close(ring.value().first);
    (void)sys::handle_close(ring.value().second);
}

// ---- 2. futex ping-pong: one round trip is two wake-ups, each answered by the other side ----

struct FutexGame {
    volatile u32 turn;  // 0: the main thread's move, 1: the partner's
    u64 rounds;
};
FutexGame futex_game;

[[noreturn]] void futex_partner(u64 argument) {
    auto* game = reinterpret_cast<FutexGame*>(argument);
    for (u64 round = 0; round < game->rounds; ++round) {
        while (load(&game->turn) != 1) (void)sys::futex_wait(&game->turn, 0, abi::kForever);
        store(&game->turn, 0);
        (void)sys::futex_wake(&game->turn, 1);
    }
    end_thread();
}

void futex_ping_pong(const char* name, u64 partner_cpu, u64 warmup, u64 iterations) {
    futex_game.turn = 0;
    futex_game.rounds = warmup + iterations;
    const abi::ThreadId partner = start_thread(0, cpu_mask(partner_cpu), &futex_partner, reinterpret_cast<u64>(&futex_game));
    if (partner != 0) {
        auto one_round = [] {
            store(&futex_game.turn, 1);
            (void)sys::futex_wake(&futex_game.turn, 1);
            while (load(&futex_game.turn) != 0) (void)sys::futex_wait(&futex_game.turn, 1, abi::kForever);
        };
        measure_rounds(name, warmup, iterations, one_round);
    }
    join_thread(partner);
}

// ---- 2 and 4. Waking a thread blocked on an idle CPU ----
// The partner thread, alone on CPU 1, says which round it is about to sleep for and blocks in
// futex_wait. The main thread sees that, lets CPU 1 settle into idle, reads the clock, changes the
// word and wakes it, then spins (no syscall) until the partner's answer, a plain store, shows.
// wake-to-run: from the clock read before futex_wake to the partner's clock read on return from
// its futex_wait (only rounds where it really slept count). Round trip: to the answer seen.

struct IdleWake {
    alignas(64) volatile u32 word;
    alignas(64) volatile u32 asleep_round;
    alignas(64) volatile u32 answer;
    alignas(64) volatile u64 woken_at_ns;
    u64 run_ns_total;
    u64 slept;
    u64 rounds;
};
IdleWake idle_wake;

[[noreturn]] void idle_partner(u64 argument) {
    auto* game = reinterpret_cast<IdleWake*>(argument);
    for (u32 round = 1; round <= game->rounds; ++round) {
        store(&game->asleep_round, round);
        bool slept = false;
        while (load(&game->word) != round) slept = sys::futex_wait(&game->word, round - 1, abi::kForever).is_ok() || slept;
        const u64 running = now_ns();
        if (slept) {
            game->run_ns_total += running - game->woken_at_ns;
            ++game->slept;
            wake_samples.add(running - game->woken_at_ns);
        }
        store(&game->answer, round);
    }
    end_thread();
}

void idle_cpu_wakes(u64 iterations, u64 settle_ticks) {
    idle_wake.word = 0;
    idle_wake.asleep_round = 0;
    idle_wake.answer = 0;
    idle_wake.run_ns_total = 0;
    idle_wake.slept = 0;
    idle_wake.rounds = iterations;
    const abi::ThreadId partner = start_thread(0, cpu_mask(1), &idle_partner, reinterpret_cast<u64>(&idle_wake));
    if (partner == 0) return;
    u64 round_trip_ns = 0, round_trip_ticks = 0;
    samples.clear();
    wake_samples.clear();
    for (u32 round = 1; round <= iterations; ++round) {
        // Bound: the partner announces every round; then a fixed settling time.
        while (load(&idle_wake.asleep_round) != round) cpu_relax();
        const u64 settle_from = ticks();
        while (ticks() - settle_from < settle_ticks) cpu_relax();
        const u64 t0 = ticks();
        const u64 n0 = now_ns();
        idle_wake.woken_at_ns = n0;
        store(&idle_wake.word, round);
        (void)sys::futex_wake(&idle_wake.word, 1);
        while (load(&idle_wake.answer) != round) cpu_relax();
        const u64 t1 = ticks();
        round_trip_ns += now_ns() - n0;
        round_trip_ticks += t1 - t0;
        samples.add(t1 - t0);
    }
    join_thread(partner);
    report_with_median("idle_wake_round_trip", iterations, round_trip_ns, round_trip_ticks, "median_ticks", samples.median());
    report_with_median("idle_wake_to_run", idle_wake.slept, idle_wake.run_ns_total, 0, "median_ns", wake_samples.median());
}

// ---- 3. An uncontended futex mutex (0 free, 1 held, 2 held with waiters) ----

u32 compare_exchange(volatile u32* word, u32 expected, u32 desired) {
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    return expected;  // the value seen
}

[[gnu::noinline]] void mutex_lock(volatile u32* word) {
    u32 seen = compare_exchange(word, 0, 1);
    if (seen == 0) return;
    // Bound: each pass either takes it or sleeps until an unlock wakes one waiter.
    do {
        if (seen == 2 || compare_exchange(word, 1, 2) != 0) (void)sys::futex_wait(word, 2, abi::kForever);
    } while ((seen = compare_exchange(word, 0, 2)) != 0);
}

[[gnu::noinline]] void mutex_unlock(volatile u32* word) {
    if (__atomic_exchange_n(word, 0u, __ATOMIC_RELEASE) == 2) (void)sys::futex_wake(word, 1);
}

void uncontended_mutex(u64 warmup, u64 iterations) {
    static volatile u32 mutex = 0;
    for (u64 i = 0; i < warmup; ++i) {
        mutex_lock(&mutex);
        mutex_unlock(&mutex);
    }
    Stopwatch stopwatch;
    for (u64 i = 0; i < iterations; ++i) {
        mutex_lock(&mutex);
        mutex_unlock(&mutex);
    }
    stopwatch.stop_and_report("mutex_uncontended", iterations);
}

// ---- 5. N independent CPU-bound workers ----
// Each worker, a thread, runs the same xorshift loop of `work` steps (no memory traffic, no
// syscalls). They are started and parked on a futex, then released together; the time is from
// the release to the last one's end, seen by the main thread blocked on a futex meanwhile.

struct alignas(64) WorkerSlot {
    u64 result;
};

struct Workers {
    alignas(64) volatile u32 go;
    alignas(64) volatile u32 ready;
    alignas(64) volatile u32 done;
    u64 work;
    WorkerSlot slots[kMaxPartners];
};
Workers workers;

[[gnu::noinline]] u64 spin_work(u64 seed, u64 steps) {
    u64 x = seed | 1;
    for (u64 i = 0; i < steps; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

[[noreturn]] void worker(u64 index) {
    __atomic_fetch_add(&workers.ready, 1u, __ATOMIC_ACQ_REL);
    (void)sys::futex_wake(&workers.ready, 1);
    while (load(&workers.go) == 0) (void)sys::futex_wait(&workers.go, 0, abi::kForever);
    workers.slots[index].result = spin_work(index + 1, workers.work);
    __atomic_fetch_add(&workers.done, 1u, __ATOMIC_ACQ_REL);
    (void)sys::futex_wake(&workers.done, 1);
    end_thread();
}

// One release of `count` workers: the ns from the release to the last one's end (0: failed).
u64 time_workers(u64 count, bool pinned, u64 work) {
    abi::ThreadId threads[kMaxPartners] = {};
    workers.go = 0;
    workers.ready = 0;
    workers.done = 0;
    workers.work = work;
    u64 started = 0;
    for (; started < count; ++started) {
        threads[started] = start_thread(started, pinned ? cpu_mask(started) : kAnyCpu, &worker, started);
        if (threads[started] == 0) break;
    }
    // Bound: each started worker says it is ready once.
    for (u32 seen; (seen = load(&workers.ready)) != started;) (void)sys::futex_wait(&workers.ready, seen, abi::kForever);
    const u64 start = now_ns();
    store(&workers.go, 1);
    (void)sys::futex_wake(&workers.go, count);
    for (u32 seen; (seen = load(&workers.done)) != started;) (void)sys::futex_wait(&workers.done, seen, abi::kForever);
    const u64 elapsed = now_ns() - start;
    for (u64 i = 0; i < started; ++i) join_thread(threads[i]);
    return started == count ? elapsed : 0;
}

// `repeats` releases; the line gives the fastest (the one the host disturbed least) and the
// slowest.
void run_workers(const char* name, u64 count, bool pinned, u64 work, u64 repeats) {
    u64 fastest = ~u64(0), slowest = 0;
    for (u64 repeat = 0; repeat < repeats; ++repeat) {
        const u64 elapsed = time_workers(count, pinned, work);
        if (elapsed == 0) return;
        fastest = elapsed < fastest ? elapsed : fastest;
        slowest = elapsed > slowest ? elapsed : slowest;
    }
    vectra::println("bench-smp vectra {} iterations={} ns={} ticks=0 slowest_ns={} repeats={}", name, count * work,
                    fastest, slowest, repeats);
}

// Ticks per `nanoseconds`, measured against the clock over a short sleep.
u64 ticks_for(u64 nanoseconds) {
    const u64 t0 = ticks(), n0 = now_ns();
    sleep_ns(20'000'000);
    const u64 t1 = ticks(), n1 = now_ns();
    if (n1 <= n0) return 1;
    return (t1 - t0) * nanoseconds / (n1 - n0) + 1;
}

}  // namespace

int main(const vectra::StartInfo& start) {
    const base::StringView arguments(start.arguments, start.arguments_length);
    const u64 iterations = vectra::arguments::number(arguments, base::StringView("bench_iterations="), 1000);
    const u64 work = vectra::arguments::number(arguments, base::StringView("bench_work="), 20'000'000);
    const u64 settle_us = vectra::arguments::number(arguments, base::StringView("bench_settle_us="), 200);
    const bool workers_only = vectra::arguments::number(arguments, base::StringView("bench_only_workers="), 0) != 0;
    const bool no_workers = vectra::arguments::number(arguments, base::StringView("bench_no_workers="), 0) != 0;
    const bool no_idle_wake = vectra::arguments::number(arguments, base::StringView("bench_no_idle_wake="), 0) != 0;
    u64 repeats = vectra::arguments::number(arguments, base::StringView("bench_repeats="), 3);
    if (repeats == 0) repeats = 1;
    const u64 warmup = iterations / 10 + 1;
    const u64 cpus = sys::cpu_count();
    vectra::println("bench-smp vectra system cpus={} iterations={} work={}", cpus, iterations, work);

    // The main thread only: threads made later start with the Task's affinity (any CPU).
    if (sys::thread_set_affinity(sys::thread_self(), cpu_mask(0)).is_error() || sys::cpu_current() != 0) {
        say_failure("cannot hold the main thread to CPU 0");
    }
    if (!workers_only) {
        ring_round_trips("ring_same_cpu", 0, warmup, iterations);
        if (cpus >= 2) ring_round_trips("ring_cross_cpu", 1, warmup, iterations);
        futex_ping_pong("futex_pingpong_same_cpu", 0, warmup, iterations);
        if (cpus >= 2) futex_ping_pong("futex_pingpong_cross_cpu", 1, warmup, iterations);
        if (cpus >= 2 && !no_idle_wake) idle_cpu_wakes(iterations / 2 + 1, ticks_for(settle_us * 1000));
        uncontended_mutex(warmup * 10, iterations * 100);
    }
    if (!no_workers && work != 0) {
        for (u64 count = 1; count <= kMaxPartners && count <= cpus; count *= 2) {
            char name[32] = "workers_pinned_";
            name[15] = char('0' + count);
            run_workers(name, count, true, work, repeats);
        }
        for (u64 count = 1; count <= kMaxPartners && count <= cpus; count *= 2) {
            char name[32] = "workers_free_";
            name[13] = char('0' + count);
            run_workers(name, count, false, work, repeats);
        }
    }
    (void)sys::thread_set_affinity(sys::thread_self(), kAnyCpu);
    vectra::println("bench-smp done");
    return 0;
}
