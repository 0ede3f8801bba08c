// /init of the Linux baseline for `./vectra bench ipc`: a static program with no libc that runs
// as the only process on Debian's kernel in QEMU, measures the IPC paths that correspond to
// VectraOS's Signals and Rings, prints one line per measurement on the console and powers off.
// Line format (bench/ipc/README.md): bench-ipc linux <name> iterations=<N> ns=<total> ticks=<total>
#include "system.h"

using namespace linux_abi;

namespace {

int console = 1;
bool is_init = false;

struct Measurement {
    uint64_t ns = 0;
    uint64_t ticks = 0;
    bool ok = true;
};

struct Stopwatch {
    uint64_t start_ns = monotonic_ns();
    uint64_t start_ticks = read_ticks();
    Measurement stop() const {
        const uint64_t ticks = read_ticks();
        const uint64_t ns = monotonic_ns();
        return {ns - start_ns, ticks - start_ticks, true};
    }
};

void report(const char* name, uint64_t iterations, const Measurement& measurement,
            const char* extra_key = nullptr, uint64_t extra_value = 0) {
    if (!measurement.ok) return;  // the failure has been reported where it happened
    Line line(console);
    line.text("bench-ipc linux ").text(name).text(" iterations=").number(iterations);
    line.text(" ns=").number(measurement.ns).text(" ticks=").number(measurement.ticks);
    if (extra_key) line.text(" ").text(extra_key).text("=").number(extra_value);
    line.send();
}

bool check(const char* what, long result) {
    if (result >= 0) return true;
    Line(console).text("bench-ipc linux error ").text(what).text(" errno=").signed_number(-result).send();
    return false;
}

// ---- one partner thread at a time, sharing this address space ----

alignas(16) char partner_stack[64 * 1024];
int partner_tid;  // set by clone, cleared and futex-woken by the kernel when the thread ends

bool start_partner(void (*entry)(void*), void* argument) {
    return check("clone thread", spawn_thread(thread_flags, entry, argument,
                                              partner_stack + sizeof partner_stack, &partner_tid));
}

void join_partner() {
    // The kernel's wake on thread exit is a shared futex, so this wait must be shared too.
    for (int tid; (tid = __atomic_load_n(&partner_tid, __ATOMIC_ACQUIRE)) != 0;)
        wait_word(&partner_tid, tid, false);
}

// ---- futex ping-pong: one round trip is two wake-ups, each answered by the other thread ----

struct FutexGame {
    int turn;  // 0: the main thread's move, 1: the partner's
    uint64_t rounds;
    int partner_cpu;
};

void futex_partner(void* argument) {
    auto* game = static_cast<FutexGame*>(argument);
    pin_to_cpu(game->partner_cpu);
    for (uint64_t round = 0; round < game->rounds; ++round) {
        while (__atomic_load_n(&game->turn, __ATOMIC_ACQUIRE) != 1) wait_word(&game->turn, 0);
        __atomic_store_n(&game->turn, 0, __ATOMIC_RELEASE);
        wake_word(&game->turn);
    }
}

Measurement futex_ping_pong(uint64_t warm_up, uint64_t rounds, int partner_cpu) {
    FutexGame game{0, warm_up + rounds, partner_cpu};
    if (!start_partner(futex_partner, &game)) return {0, 0, false};
    auto one_round = [&game] {
        __atomic_store_n(&game.turn, 1, __ATOMIC_RELEASE);
        wake_word(&game.turn);
        while (__atomic_load_n(&game.turn, __ATOMIC_ACQUIRE) != 0) wait_word(&game.turn, 1);
    };
    for (uint64_t round = 0; round < warm_up; ++round) one_round();
    Stopwatch stopwatch;
    for (uint64_t round = 0; round < rounds; ++round) one_round();
    Measurement measurement = stopwatch.stop();
    join_partner();
    return measurement;
}

// ---- byte ping-pong between two processes: one round trip is a byte there and back ----

// The parent writes to `there` and reads from `back`; the child the other way round.
struct Channel {
    int parent_write, child_read, child_write, parent_read;
};

Measurement byte_ping_pong(const Channel& channel, uint64_t warm_up, uint64_t rounds, int child_cpu) {
    const uint64_t total = warm_up + rounds;
    const long child = fork_process();
    if (!check("fork", child)) return {0, 0, false};
    if (child == 0) {
        pin_to_cpu(child_cpu);
        char byte;
        for (uint64_t round = 0; round < total; ++round) {
            if (read_bytes(channel.child_read, &byte, 1) != 1) exit_process(1);
            if (write_bytes(channel.child_write, &byte, 1) != 1) exit_process(1);
        }
        exit_process(0);
    }
    bool ok = true;
    char byte = 'v';
    auto one_round = [&] {
        ok = ok && write_bytes(channel.parent_write, &byte, 1) == 1 &&
             read_bytes(channel.parent_read, &byte, 1) == 1;
    };
    for (uint64_t round = 0; round < warm_up && ok; ++round) one_round();
    Stopwatch stopwatch;
    for (uint64_t round = 0; round < rounds && ok; ++round) one_round();
    Measurement measurement = stopwatch.stop();
    if (!ok) {
        // The child may be blocked reading: closing our end ends its read (the caller closes
        // the rest), so the wait below cannot hang.
        close_fd(channel.parent_write);
        Line(console).text("bench-ipc linux error byte ping-pong: a read or write fell short").send();
        measurement.ok = false;
    }
    wait_for_child(child);
    return measurement;
}

Measurement pipe_ping_pong(uint64_t warm_up, uint64_t rounds, int child_cpu) {
    int there[2], back[2];
    if (!check("pipe", make_pipe(there))) return {0, 0, false};
    if (!check("pipe", make_pipe(back))) return {0, 0, false};
    Measurement measurement = byte_ping_pong({there[1], there[0], back[1], back[0]}, warm_up, rounds, child_cpu);
    close_fd(there[0]);
    close_fd(there[1]);
    close_fd(back[0]);
    close_fd(back[1]);
    return measurement;
}

Measurement socket_ping_pong(uint64_t warm_up, uint64_t rounds, int child_cpu) {
    int ends[2];
    if (!check("socketpair", make_socket_pair(ends))) return {0, 0, false};
    Measurement measurement = byte_ping_pong({ends[0], ends[1], ends[1], ends[0]}, warm_up, rounds, child_cpu);
    close_fd(ends[0]);
    close_fd(ends[1]);
    return measurement;
}

// ---- context switches: two threads on one CPU yielding to each other ----
// Both run SCHED_FIFO at one priority, where sched_yield always moves the caller behind the
// other: under the normal policy CFS may keep running the yielder, and does. The threads count
// the switches they see, so the figure is per switch observed, never per yield hoped for.

struct YieldGame {
    int ready;
    int last_runner;  // which thread ran last; a change seen after a yield is one switch
    uint64_t yields;
    uint64_t switches[2];
};

void yield_loop(YieldGame& game, int me) {
    for (uint64_t i = 0; i < game.yields; ++i) {
        yield_cpu();
        if (__atomic_exchange_n(&game.last_runner, me, __ATOMIC_RELAXED) != me) ++game.switches[me];
    }
}

void yield_partner(void* argument) {
    auto* game = static_cast<YieldGame*>(argument);
    pin_to_cpu(0);
    __atomic_store_n(&game->ready, 1, __ATOMIC_RELEASE);
    yield_loop(*game, 1);
}

Measurement yield_switches(uint64_t yields, uint64_t& switches) {
    YieldGame game{0, 0, yields, {0, 0}};
    if (!check("sched_setscheduler FIFO", set_policy(policy_fifo, 1))) return {0, 0, false};
    Measurement measurement{0, 0, false};
    if (start_partner(yield_partner, &game)) {  // the partner inherits the policy
        while (!__atomic_load_n(&game.ready, __ATOMIC_ACQUIRE)) yield_cpu();
        Stopwatch stopwatch;
        yield_loop(game, 0);
        join_partner();
        measurement = stopwatch.stop();
    }
    set_policy(policy_normal, 0);
    switches = game.switches[0] + game.switches[1];
    return measurement;
}

Measurement null_syscalls(uint64_t warm_up, uint64_t calls) {
    for (uint64_t i = 0; i < warm_up; ++i) parent_pid();
    Stopwatch stopwatch;
    for (uint64_t i = 0; i < calls; ++i) parent_pid();
    return stopwatch.stop();
}

// ---- setup: console, options from the kernel command line, the second CPU ----

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
    return value == 0 ? fallback : value;
}

// With maxcpus=1 (the kernel's way past a hang at CPU bring-up under -icount) CPU 1 is present
// but offline; it comes online by writing 1 to its sysfs file.
void bring_cpu1_online() {
    make_directory("/sys");
    long result = mount_filesystem("sysfs", "/sys", "sysfs");
    if (result < 0 && result != -16 /* EBUSY: already mounted */ && !check("mount sysfs", result)) return;
    const long fd = open_path("/sys/devices/system/cpu/cpu1/online", open_write_only);
    if (!check("open cpu1/online", fd)) return;
    check("write cpu1/online", write_bytes(int(fd), "1", 1));
    close_fd(int(fd));
}

void report_system(int cpus) {
    Utsname names{};
    syscall6(uname, long(&names));
    Line line(console);
    line.text("bench-ipc linux system kernel=").text(names.release).text(" machine=").text(names.machine);
    line.text(" cpus=").number(uint64_t(cpus)).text(" ticks=").text(tick_source());
    line.text(" tick_hz=").number(tick_frequency());
    line.send();
    if (tick_frequency() != 0)
        Line(console).text("bench-ipc linux note ticks are CNTVCT_EL0 counts at CNTFRQ_EL0 = ")
            .number(tick_frequency()).text(" Hz, not CPU cycles").send();
}

}  // namespace

extern "C" [[noreturn]] void start_from_kernel(long* stack) {
    const long argc = stack[0];
    char** environment = reinterpret_cast<char**>(stack + 1 + argc + 1);

    // Linux hands /init a console on fds 0-2 when the archive has /dev/console; open our own so
    // that nothing depends on it. Only as PID 1 (in QEMU) does this program touch the machine.
    is_init = current_pid() == 1;
    if (is_init) {
        const long fd = open_path("/dev/console", open_read_write | open_no_controlling_tty);
        if (fd >= 0) console = int(fd);
    }

    uint64_t iterations = 10000;
    bool online_cpu1 = false;
    for (char** entry = environment; *entry; ++entry) {
        const char* value;
        if (starts_with(*entry, "bench_iterations=", value)) iterations = parse_number(value, iterations);
        if (starts_with(*entry, "bench_cpu1=", value)) online_cpu1 = value[0] == 'o' && value[1] == 'n';
    }
    Line(console).text("bench-ipc linux start iterations=").number(iterations).send();
    if (online_cpu1 && is_init) bring_cpu1_online();

    const int cpus = count_online_cpus();  // before pinning, which narrows the mask to one
    pin_to_cpu(0);
    report_system(cpus);
    const uint64_t warm_up = iterations / 10 + 1;

    report("getppid", iterations * 10, null_syscalls(warm_up * 10, iterations * 10));
    // Same CPU: the pair takes turns on CPU 0, as a VectraOS Ring call does on one CPU.
    report("futex_pingpong", iterations, futex_ping_pong(warm_up, iterations, 0));
    report("pipe_pingpong", iterations, pipe_ping_pong(warm_up, iterations, 0));
    report("unix_socket_pingpong", iterations, socket_ping_pong(warm_up, iterations, 0));
    uint64_t switches = 0;
    yield_switches(warm_up, switches);
    const Measurement yields = yield_switches(iterations, switches);
    report("sched_yield_switch", switches, yields, "yields", 2 * iterations);
    if (cpus >= 2) {
        // Across CPUs: every wake-up is an inter-processor interrupt to a CPU that may be idle.
        report("futex_pingpong_cross_cpu", iterations, futex_ping_pong(warm_up, iterations, 1));
        report("pipe_pingpong_cross_cpu", iterations, pipe_ping_pong(warm_up, iterations, 1));
        report("unix_socket_pingpong_cross_cpu", iterations, socket_ping_pong(warm_up, iterations, 1));
    }
    Line(console).text("bench-ipc done").send();

    if (!is_init) exit_process(0);
    drain_output(console);  // the UART must have sent every line before the machine goes
    power_off();
    for (;;) yield_cpu();  // /init must never exit: that panics the kernel
}
