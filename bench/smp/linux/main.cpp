// /init of the Linux baseline for `./vectra bench smp`: a static program with no libc (the
// system layer of bench/ipc/linux) that runs as the only process on Debian's kernel in QEMU,
// measures what user/bench-smp measures on VectraOS, prints one line per measurement on the
// console and powers off. Line format (bench/smp/README.md):
//   bench-smp linux <name> iterations=<N> ns=<total> ticks=<total>
#include "../../ipc/linux/system.h"
#include "../samples.h"

using namespace linux_abi;

namespace {

int console = 1;

void report(const char* name, uint64_t iterations, uint64_t ns, uint64_t ticks) {
    Line line(console);
    line.text("bench-smp linux ").text(name).text(" iterations=").number(iterations);
    line.text(" ns=").number(ns).text(" ticks=").number(ticks);
    line.send();
}

// One round's cost in ticks, kept for the median (bench/smp/samples.h).
bench_smp::Samples samples;
bench_smp::Samples wake_samples;  // the idle-wake partner's, in ns

void report_with_median(const char* name, uint64_t iterations, uint64_t ns, uint64_t ticks,
                        const char* median_key, uint64_t median) {
    Line line(console);
    line.text("bench-smp linux ").text(name).text(" iterations=").number(iterations);
    line.text(" ns=").number(ns).text(" ticks=").number(ticks);
    line.text(" ").text(median_key).text("=").number(median);
    line.send();
}

bool check(const char* what, long result) {
    if (result >= 0) return true;
    Line(console).text("bench-smp linux error ").text(what).text(" errno=").signed_number(-result).send();
    return false;
}

struct Stopwatch {
    uint64_t start_ticks = read_ticks();
    uint64_t start_ns = monotonic_ns();
    void stop_and_report(const char* name, uint64_t iterations) const {
        const uint64_t ns = monotonic_ns(), ticks = read_ticks();
        report(name, iterations, ns - start_ns, ticks - start_ticks);
    }
    // With the median of the rounds in `samples` (ticks).
    void stop_and_report_median(const char* name, uint64_t iterations) const {
        const uint64_t ns = monotonic_ns(), ticks = read_ticks();
        report_with_median(name, iterations, ns - start_ns, ticks - start_ticks, "median_ticks", samples.median());
    }
};

// Runs `body` `iterations` times, each round timed into `samples`, and reports (unless `ok`
// turned false meanwhile).
template <class Body>
void measure_rounds(const char* name, uint64_t warmup, uint64_t iterations, Body body, const bool& ok) {
    for (uint64_t i = 0; i < warmup && ok; ++i) body();
    samples.clear();
    Stopwatch stopwatch;
    for (uint64_t i = 0; i < iterations && ok; ++i) {
        const uint64_t before = read_ticks();
        body();
        samples.add(read_ticks() - before);
    }
    if (ok) stopwatch.stop_and_report_median(name, iterations);
}

void cpu_relax() {
#if defined(__x86_64__)
    asm volatile("pause" ::: "memory");
#else
    asm volatile("yield" ::: "memory");
#endif
}

int load(const int* word) { return __atomic_load_n(word, __ATOMIC_ACQUIRE); }
void store(int* word, int value) { __atomic_store_n(word, value, __ATOMIC_RELEASE); }

long pin_to_cpus(unsigned long mask) { return syscall6(sched_setaffinity, 0, sizeof mask, long(&mask)); }

// Sleeps about `nanoseconds` (a futex wait on a word nobody changes times out).
void sleep_ns(uint64_t nanoseconds) {
    static int never_changed = 0;
    Timespec timeout{long(nanoseconds / 1000000000), long(nanoseconds % 1000000000)};
    syscall6(futex, long(&never_changed), futex_wait | futex_private, 0, long(&timeout));
}

// ---- partner threads, sharing this address space, each pinned by itself ----

constexpr int max_partners = 4;
alignas(64) char partner_stacks[max_partners][64 * 1024];
int partner_tids[max_partners];  // set by clone, cleared and futex-woken by the kernel at exit

bool start_partner(int slot, void (*entry)(void*), void* argument) {
    return check("clone thread", spawn_thread(thread_flags, entry, argument,
                                              partner_stacks[slot] + sizeof partner_stacks[slot],
                                              &partner_tids[slot]));
}

void join_partner(int slot) {
    // The kernel's wake on thread exit is a shared futex, so this wait must be shared too.
    for (int tid; (tid = load(&partner_tids[slot])) != 0;) wait_word(&partner_tids[slot], tid, false);
}

// ---- 1. pipe ping-pong between two processes: one round trip is a byte there and back ----

void pipe_round_trips(const char* name, int child_cpu, uint64_t warmup, uint64_t iterations) {
    int there[2], back[2];
    if (!check("pipe", make_pipe(there)) || !check("pipe", make_pipe(back))) return;
    const uint64_t total = warmup + iterations;
    const long child = fork_process();
    if (!check("fork", child)) return;
    if (child == 0) {
        pin_to_cpu(child_cpu);
        char byte;
        for (uint64_t round = 0; round < total; ++round) {
            if (read_bytes(there[0], &byte, 1) != 1) exit_process(1);
            if (write_bytes(back[1], &byte, 1) != 1) exit_process(1);
        }
        exit_process(0);
    }
    bool ok = true;
    char byte = 'v';
    auto one_round = [&] {
        ok = ok && write_bytes(there[1], &byte, 1) == 1 && read_bytes(back[0], &byte, 1) == 1;
    };
    measure_rounds(name, warmup, iterations, one_round, ok);
    if (!ok) Line(console).text("bench-smp linux error pipe ping-pong: a read or write fell short").send();
    close_fd(there[1]);  // ends a child still reading, so the wait below cannot hang
    wait_for_child(child);
    close_fd(there[0]);
    close_fd(back[0]);
    close_fd(back[1]);
}

// ---- 2. futex ping-pong: one round trip is two wake-ups, each answered by the other thread ----

struct FutexGame {
    int turn;  // 0: the main thread's move, 1: the partner's
    uint64_t rounds;
    int partner_cpu;
};
FutexGame futex_game;

void futex_partner(void* argument) {
    auto* game = static_cast<FutexGame*>(argument);
    pin_to_cpu(game->partner_cpu);
    for (uint64_t round = 0; round < game->rounds; ++round) {
        while (load(&game->turn) != 1) wait_word(&game->turn, 0);
        store(&game->turn, 0);
        wake_word(&game->turn);
    }
}

void futex_ping_pong(const char* name, int partner_cpu, uint64_t warmup, uint64_t iterations) {
    futex_game = {0, warmup + iterations, partner_cpu};
    if (!start_partner(0, futex_partner, &futex_game)) return;
    auto one_round = [] {
        store(&futex_game.turn, 1);
        wake_word(&futex_game.turn);
        while (load(&futex_game.turn) != 0) wait_word(&futex_game.turn, 1);
    };
    const bool ok = true;
    measure_rounds(name, warmup, iterations, one_round, ok);
    join_partner(0);
}

// ---- 2 and 4. Waking a thread blocked on an idle CPU (as user/bench-smp does) ----

struct IdleWake {
    alignas(64) int word;
    alignas(64) int asleep_round;
    alignas(64) int answer;
    alignas(64) uint64_t woken_at_ns;
    uint64_t run_ns_total;
    uint64_t slept;
    int rounds;
};
IdleWake idle_wake;

void idle_partner(void* argument) {
    auto* game = static_cast<IdleWake*>(argument);
    pin_to_cpu(1);
    for (int round = 1; round <= game->rounds; ++round) {
        store(&game->asleep_round, round);
        bool slept = false;
        while (load(&game->word) != round) slept = wait_word(&game->word, round - 1) == 0 || slept;
        const uint64_t running = monotonic_ns();
        if (slept) {
            const uint64_t latency = running - __atomic_load_n(&game->woken_at_ns, __ATOMIC_ACQUIRE);
            game->run_ns_total += latency;
            ++game->slept;
            wake_samples.add(latency);
        }
        store(&game->answer, round);
    }
}

void idle_cpu_wakes(int iterations, uint64_t settle_ticks) {
    idle_wake = {};
    idle_wake.rounds = iterations;
    if (!start_partner(0, idle_partner, &idle_wake)) return;
    uint64_t round_trip_ns = 0, round_trip_ticks = 0;
    samples.clear();
    wake_samples.clear();
    for (int round = 1; round <= iterations; ++round) {
        while (load(&idle_wake.asleep_round) != round) cpu_relax();
        const uint64_t settle_from = read_ticks();
        while (read_ticks() - settle_from < settle_ticks) cpu_relax();
        const uint64_t t0 = read_ticks();
        const uint64_t n0 = monotonic_ns();
        __atomic_store_n(&idle_wake.woken_at_ns, n0, __ATOMIC_RELEASE);
        store(&idle_wake.word, round);
        wake_word(&idle_wake.word);
        while (load(&idle_wake.answer) != round) cpu_relax();
        const uint64_t t1 = read_ticks();
        round_trip_ns += monotonic_ns() - n0;
        round_trip_ticks += t1 - t0;
        samples.add(t1 - t0);
    }
    join_partner(0);
    report_with_median("idle_wake_round_trip", uint64_t(iterations), round_trip_ns, round_trip_ticks,
                       "median_ticks", samples.median());
    report_with_median("idle_wake_to_run", idle_wake.slept, idle_wake.run_ns_total, 0, "median_ns",
                       wake_samples.median());
}

// ---- 3. An uncontended futex mutex (0 free, 1 held, 2 held with waiters), as glibc's ----

int compare_exchange(int* word, int expected, int desired) {
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    return expected;
}

[[gnu::noinline]] void mutex_lock(int* word) {
    int seen = compare_exchange(word, 0, 1);
    if (seen == 0) return;
    do {
        if (seen == 2 || compare_exchange(word, 1, 2) != 0) wait_word(word, 2);
    } while ((seen = compare_exchange(word, 0, 2)) != 0);
}

[[gnu::noinline]] void mutex_unlock(int* word) {
    if (__atomic_exchange_n(word, 0, __ATOMIC_RELEASE) == 2) wake_word(word);
}

void uncontended_mutex(uint64_t warmup, uint64_t iterations) {
    static int mutex = 0;
    for (uint64_t i = 0; i < warmup; ++i) {
        mutex_lock(&mutex);
        mutex_unlock(&mutex);
    }
    Stopwatch stopwatch;
    for (uint64_t i = 0; i < iterations; ++i) {
        mutex_lock(&mutex);
        mutex_unlock(&mutex);
    }
    stopwatch.stop_and_report("mutex_uncontended", iterations);
}

// ---- 5. N independent CPU-bound workers (threads; the same loop as user/bench-smp's) ----

struct alignas(64) WorkerSlot {
    uint64_t result;
    int index;
    unsigned long cpus;  // the affinity mask it sets itself
};

struct Workers {
    alignas(64) int go;
    alignas(64) int ready;
    alignas(64) int done;
    uint64_t work;
    WorkerSlot slots[max_partners];
};
Workers workers;

[[gnu::noinline]] uint64_t spin_work(uint64_t seed, uint64_t steps) {
    uint64_t x = seed | 1;
    for (uint64_t i = 0; i < steps; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    return x;
}

void worker(void* argument) {
    auto* slot = static_cast<WorkerSlot*>(argument);
    pin_to_cpus(slot->cpus);
    __atomic_fetch_add(&workers.ready, 1, __ATOMIC_ACQ_REL);
    wake_word(&workers.ready);
    while (load(&workers.go) == 0) wait_word(&workers.go, 0);
    slot->result = spin_work(uint64_t(slot->index) + 1, workers.work);
    __atomic_fetch_add(&workers.done, 1, __ATOMIC_ACQ_REL);
    wake_word(&workers.done);
}

// One release of `count` workers: the ns from the release to the last one's end (0: failed).
uint64_t time_workers(int count, bool pinned, uint64_t work, unsigned long all_cpus) {
    workers.go = workers.ready = workers.done = 0;
    workers.work = work;
    int started = 0;
    for (; started < count; ++started) {
        workers.slots[started].index = started;
        workers.slots[started].cpus = pinned ? 1ul << started : all_cpus;
        if (!start_partner(started, worker, &workers.slots[started])) break;
    }
    for (int seen; (seen = load(&workers.ready)) != started;) wait_word(&workers.ready, seen);
    const uint64_t start = monotonic_ns();
    store(&workers.go, 1);
    syscall6(futex, long(&workers.go), futex_wake | futex_private, count);
    for (int seen; (seen = load(&workers.done)) != started;) wait_word(&workers.done, seen);
    const uint64_t elapsed = monotonic_ns() - start;
    for (int i = 0; i < started; ++i) join_partner(i);
    return started == count ? elapsed : 0;
}

// `repeats` releases; the line gives the fastest (the one the host disturbed least) and the
// slowest.
void run_workers(const char* name, int count, bool pinned, uint64_t work, unsigned long all_cpus, uint64_t repeats) {
    uint64_t fastest = ~uint64_t(0), slowest = 0;
    for (uint64_t repeat = 0; repeat < repeats; ++repeat) {
        const uint64_t elapsed = time_workers(count, pinned, work, all_cpus);
        if (elapsed == 0) return;
        fastest = elapsed < fastest ? elapsed : fastest;
        slowest = elapsed > slowest ? elapsed : slowest;
    }
    Line line(console);
    line.text("bench-smp linux ").text(name).text(" iterations=").number(uint64_t(count) * work);
    line.text(" ns=").number(fastest).text(" ticks=0 slowest_ns=").number(slowest).text(" repeats=").number(repeats);
    line.send();
}

// Ticks per `nanoseconds`, measured against the clock over a short sleep.
uint64_t ticks_for(uint64_t nanoseconds) {
    const uint64_t t0 = read_ticks(), n0 = monotonic_ns();
    sleep_ns(20000000);
    const uint64_t t1 = read_ticks(), n1 = monotonic_ns();
    if (n1 <= n0) return 1;
    return (t1 - t0) * nanoseconds / (n1 - n0) + 1;
}

// ---- setup: options from the kernel command line ----

bool starts_with(const char* text, const char* prefix, const char*& rest) {
    while (*prefix)
        if (*text++ != *prefix++) return false;
    rest = text;
    return true;
}

uint64_t parse_number(const char* text, uint64_t fallback) {
    uint64_t value = 0;
    if (*text == '\0') return fallback;
    for (; *text; ++text) {
        if (*text < '0' || *text > '9') return fallback;
        value = value * 10 + uint64_t(*text - '0');
    }
    return value;
}

// With maxcpus=1 (the kernel's way past a hang at CPU bring-up under -icount) the other CPUs
// are present but offline; each comes online by writing 1 to its sysfs file.
void bring_cpus_online(int count) {
    make_directory("/sys");
    long result = mount_filesystem("sysfs", "/sys", "sysfs");
    if (result < 0 && result != -16 /* EBUSY: already mounted */ && !check("mount sysfs", result)) return;
    for (int cpu = 1; cpu < count && cpu < 10; ++cpu) {
        char path[] = "/sys/devices/system/cpu/cpuN/online";
        path[27] = char('0' + cpu);
        const long fd = open_path(path, open_write_only);
        if (!check("open cpuN/online", fd)) return;
        check("write cpuN/online", write_bytes(int(fd), "1", 1));
        close_fd(int(fd));
    }
}

}  // namespace

extern "C" [[noreturn]] void start_from_kernel(long* stack) {
    const long argc = stack[0];
    char** environment = reinterpret_cast<char**>(stack + 1 + argc + 1);

    // Only as PID 1 (in QEMU) does this program open the console, mount or power off.
    const bool is_init = current_pid() == 1;
    if (is_init) {
        const long fd = open_path("/dev/console", open_read_write | open_no_controlling_tty);
        if (fd >= 0) console = int(fd);
    }

    uint64_t iterations = 1000, work = 20000000, settle_us = 200, online_cpus = 0, repeats = 3;
    bool workers_only = false, no_workers = false, no_idle_wake = false;
    for (char** entry = environment; *entry; ++entry) {
        const char* value;
        if (starts_with(*entry, "bench_iterations=", value)) iterations = parse_number(value, iterations);
        if (starts_with(*entry, "bench_work=", value)) work = parse_number(value, work);
        if (starts_with(*entry, "bench_settle_us=", value)) settle_us = parse_number(value, settle_us);
        if (starts_with(*entry, "bench_online_cpus=", value)) online_cpus = parse_number(value, 0);
        if (starts_with(*entry, "bench_repeats=", value)) repeats = parse_number(value, repeats);
        if (starts_with(*entry, "bench_only_workers=", value)) workers_only = parse_number(value, 0) != 0;
        if (starts_with(*entry, "bench_no_workers=", value)) no_workers = parse_number(value, 0) != 0;
        if (starts_with(*entry, "bench_no_idle_wake=", value)) no_idle_wake = parse_number(value, 0) != 0;
    }
    if (iterations == 0) iterations = 1;
    if (repeats == 0) repeats = 1;
    if (online_cpus > 1 && is_init) bring_cpus_online(int(online_cpus));

    unsigned long all_cpus = 0;
    syscall6(sched_getaffinity, 0, sizeof all_cpus, long(&all_cpus));
    const int cpus = __builtin_popcountl(all_cpus);
    Utsname names{};
    syscall6(uname, long(&names));
    Line(console).text("bench-smp linux system kernel=").text(names.release).text(" cpus=")
        .number(uint64_t(cpus)).text(" iterations=").number(iterations).text(" work=").number(work).send();
    pin_to_cpu(0);
    const uint64_t warmup = iterations / 10 + 1;

    if (!workers_only) {
        pipe_round_trips("pipe_same_cpu", 0, warmup, iterations);
        if (cpus >= 2) pipe_round_trips("pipe_cross_cpu", 1, warmup, iterations);
        futex_ping_pong("futex_pingpong_same_cpu", 0, warmup, iterations);
        if (cpus >= 2) futex_ping_pong("futex_pingpong_cross_cpu", 1, warmup, iterations);
        if (cpus >= 2 && !no_idle_wake) idle_cpu_wakes(int(iterations / 2 + 1), ticks_for(settle_us * 1000));
        uncontended_mutex(warmup * 10, iterations * 100);
    }
    if (!no_workers && work != 0) {
        for (int count = 1; count <= max_partners && count <= cpus; count *= 2) {
            char name[32] = "workers_pinned_";
            name[15] = char('0' + count);
            run_workers(name, count, true, work, all_cpus, repeats);
        }
        for (int count = 1; count <= max_partners && count <= cpus; count *= 2) {
            char name[32] = "workers_free_";
            name[13] = char('0' + count);
            run_workers(name, count, false, work, all_cpus, repeats);
        }
    }
    Line(console).text("bench-smp done").send();

    if (!is_init) exit_process(0);
    drain_output(console);  // the UART must have sent every line before the machine goes
    power_off();
    for (;;) yield_cpu();  // /init must never exit: that panics the kernel
}
