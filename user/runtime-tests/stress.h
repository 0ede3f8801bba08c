// What the SMP stress tests share: their settings from the command line ("seed=N rounds=N",
// parsed in main.cpp), a seeded random source that varies the interleavings (spin lengths,
// yields, which CPU runs what), and helpers to start Tasks in this program's address space and
// to hear how they ended. Every wait has a deadline: a lost wake-up shows as a failed check with
// a message, not as a test that never ends.
#pragma once

#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

namespace stress {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using abi::Handle;
using base::u32;
using base::u64;
using base::u8;

struct Settings {
    bool run = false;  // a seed was given: the stress tests run (else they pass at once, saying so)
    u64 seed = 1;      // varies every random choice the stress tests make
    u64 rounds = 1;    // multiplies their rounds and items (./vectra stress runs more)
};
inline Settings settings;

// Whether a stress test should run: only with a seed on the command line (CTest's
// os.<arch>.smp-stress-seed-N and ./vectra stress give one), so the plain runtime-tests runs
// stay quick on a loaded host.
inline bool wanted() {
    if (!settings.run) vectra::println("  (no seed=N on the command line: stress tests run only with one)");
    return settings.run;
}

// xorshift64*, seeded through splitmix64 so that nearby seeds give unrelated streams.
struct Random {
    u64 state;
    explicit Random(u64 seed, u64 stream = 0) {
        u64 mixed = seed * 0x9e37'79b9'7f4a'7c15ull + stream * 0xbf58'476d'1ce4'e5b9ull + 1;
        mixed = (mixed ^ (mixed >> 30)) * 0xbf58'476d'1ce4'e5b9ull;
        mixed = (mixed ^ (mixed >> 27)) * 0x94d0'49bb'1331'11ebull;
        state = (mixed ^ (mixed >> 31)) | 1;
    }
    u64 next() {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        return state * 0x2545'f491'4f6c'dd1dull;
    }
    u64 below(u64 bound) { return bound == 0 ? 0 : next() % bound; }
    bool one_in(u64 n) { return below(n) == 0; }
};

inline Handle grant() { return vectra::start_info()->memory_grant; }
inline Handle self_reticle() { return vectra::start_info()->self_reticle; }
inline Handle self_task() { return vectra::start_info()->self_task; }

// CPUs are named by index; a CPU that did not come up leaves a gap (sys::cpu_online_mask).
inline u64 cpus() { return sys::cpu_count(); }
inline u64 all_cpus() { return sys::cpu_online_mask(); }
// One random online CPU's index.
inline u64 random_cpu(Random& random) { return sys::nth_online_cpu(random.below(cpus())); }
// A random non-empty set of the online CPUs.
inline u64 random_cpu_set(Random& random) {
    const u64 chosen = random.below((u64(1) << (cpus() < 63 ? cpus() : 63)) - 1) + 1;  // of the nth ones
    u64 set = 0;
    // Bound: the online CPUs.
    for (u64 nth = 0; nth < cpus() && nth < 63; ++nth)
        if ((chosen >> nth) & 1) set |= u64(1) << sys::nth_online_cpu(nth);
    return set;
}
// One random online CPU other than CPU `not_this` (when there are two or more), as a set.
inline u64 random_other_cpu(Random& random, u64 not_this) {
    if (cpus() < 2) return all_cpus();
    u64 cpu = not_this;
    // Bound: a few tries on average (at least half the choices are not `not_this`).
    while (cpu == not_this) cpu = random_cpu(random);
    return u64(1) << cpu;
}

// Busy for a random while (up to `most` turns), sometimes yielding instead: what moves the
// interleavings about from seed to seed.
inline void jitter(Random& random, u64 most) {
    if (random.one_in(8)) {
        (void)sys::raw::task_yield();
        return;
    }
    const u64 turns = random.below(most + 1);
    for (volatile u64 turn = 0; turn < turns; turn = turn + 1) {}
}

// Sleeps: a futex wait on a word nobody changes times out.
inline void pause_ms(u64 milliseconds) {
    static volatile u32 never_changed = 0;
    (void)sys::futex_wait(&never_changed, 0, milliseconds * 1'000'000);
}

inline u64 deadline_in_ms(u64 milliseconds) { return sys::clock_now() + milliseconds * 1'000'000; }
// Nanoseconds left until `deadline`; 0 once it has passed (futex_wait then answers Timeout).
inline u64 left_until(u64 deadline) {
    const u64 now = sys::clock_now();
    return now >= deadline ? 0 : deadline - now;
}

// A Task in this program's address space (it sees every global), reporting its faults and
// its end on `faults` (unless kNoHandle), allowed on `cpu_set`, started at entry(argument) on `stack`.
template <u64 StackBytes>
inline vectra::SysResult<Handle> start_task(const char* name, Handle faults, u64 cpu_set, void (*entry)(u64),
                                         u8 (&stack)[StackBytes], u64 argument, Handle paid_by = grant()) {
    auto task = sys::task_create(paid_by, self_reticle(), base::StringView(name));
    if (task.is_error()) return task;
    vectra::SysResult<void> step{};
    if (faults != abi::kNoHandle) step = sys::task_set_fault_ring(task.value(), faults);
    if (step.is_ok()) step = sys::task_set_affinity(task.value(), cpu_set);
    if (step.is_ok())
        step = sys::task_start(task.value(), reinterpret_cast<u64>(entry), vectra::initial_stack_pointer(stack, StackBytes), argument);
    if (step.is_error()) {
        (void)sys::task_kill(task.value());
        (void)sys::handle_close(task.value());
        return step.status();
    }
    return task;
}

// The next report on the fault Ring `faults`, or none by `deadline` (kind 0xfe then).
inline abi::FaultReport next_report(Handle faults, u64 deadline) {
    abi::FaultReport report{};
    abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
    const u64 left = left_until(deadline);
    if (sys::ring_receive(faults, message, left == 0 ? 1 : left).is_error()) report.kind = 0xfe;
    return report;
}
constexpr u32 kNoReport = 0xfe;

inline bool is(const abi::FaultReport& report, abi::FaultKind kind) { return report.kind == u32(kind); }
inline bool named(const abi::FaultReport& report, const char* name) {
    return base::StringView(report.task_name) == base::StringView(name);
}

// The quota a grant has left, in bytes (bundle_info answers it for grants); 0 if it cannot say.
inline u64 quota_left(Handle paid_by) {
    auto info = sys::bundle_info(paid_by);
    return info.is_ok() ? info.value().size : 0;
}
// Waits (bounded, 5 s) for the reaper to give `paid_by` back everything down to `expected`;
// the quota left at the end.
inline u64 quota_after_reaping(Handle paid_by, u64 expected) {
    const u64 deadline = deadline_in_ms(5000);
    u64 left = quota_left(paid_by);
    while (left < expected && sys::clock_now() < deadline) {
        pause_ms(2);
        left = quota_left(paid_by);
    }
    return left;
}

// hang=1: the deliberate hang for qemu.py's hang dump test (stress_hang.cpp). Never returns.
[[noreturn]] void hang_every_cpu();

}  // namespace stress
