// Threads inside a Task: they run beside each other on every CPU and share its memory; join
// hands over each one's exit value; join and detach refuse what they must; the thread table is
// bounded and its slots are reused with fresh ids; task_kill ends every thread at once, even
// ones running on other CPUs, and a killed Task cannot be stopped on its way out; the last thread_exit ends the Task with its value; a fault in one
// thread stops them all for the supervisor; each thread keeps its own TLS pointer (FS base /
// TPIDR_EL0) across switches and CPUs.
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using base::u32;
using base::u64;
using base::u8;
using vectra::Status;

abi::Handle grant() { return vectra::start_info()->memory_grant; }
abi::Handle reticle() { return vectra::start_info()->self_reticle; }

constexpr u64 kStackSize = 4096;
alignas(16) u8 stacks[abi::kTaskThreadMax][kStackSize];
u64 stack_top(u32 index) { return vectra::initial_stack_pointer(stacks[index], kStackSize); }

u64 load(const volatile u64& value) { return __atomic_load_n(&value, __ATOMIC_ACQUIRE); }

// Sleeps the caller for `milliseconds` (a futex wait on a word nobody wakes).
void pause_ms(u64 milliseconds) {
    static volatile u32 never = 0;
    (void)sys::futex_wait(&never, 0, milliseconds * 1'000'000);
}

// Waits (bounded, about `milliseconds`) until `done` holds.
template <class Done>
bool wait_until(Done done, u64 milliseconds = 30'000) {
    for (u64 waited = 0; waited < milliseconds && !done(); ++waited) pause_ms(1);
    return done();
}

abi::FaultReport receive_report(abi::Handle ring, u64 timeout = 60'000'000'000) {
    abi::FaultReport report{};
    report.kind = 0xff;
    abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
    if (sys::ring_receive(ring, message, timeout).is_error()) report.kind = 0xfe;
    return report;
}

// --- Threads that add to their own counter and hand back a value ---
constexpr u32 kWorkers = 6;
constexpr u64 kWorkerRounds = 20000;
volatile u64 worker_sums[kWorkers];
volatile u64 worker_ids[kWorkers];
volatile u64 shared_total = 0;

[[noreturn]] void add_and_exit(u64 index) {
    worker_ids[index] = sys::thread_self();
    for (u64 round = 0; round < kWorkerRounds; ++round) {
        worker_sums[index] = worker_sums[index] + 1;
        __atomic_fetch_add(&shared_total, 1, __ATOMIC_RELAXED);
        if (round % 4096 == 0) (void)sys::task_yield();
    }
    sys::thread_exit(1000 + index);
}

}  // namespace

USER_TEST(threads_share_their_task_and_join_hands_over_each_exit_value) {
    shared_total = 0;
    abi::ThreadId ids[kWorkers] = {};
    for (u32 index = 0; index < kWorkers; ++index) {
        worker_sums[index] = 0;
        worker_ids[index] = 0;
        auto created = sys::thread_create(reinterpret_cast<u64>(&add_and_exit), stack_top(index), index);
        ASSERT(created.is_ok());
        ids[index] = created.value();
        EXPECT(ids[index] != 0);
        EXPECT(ids[index] != sys::thread_self());
    }
    for (u32 index = 0; index < kWorkers; ++index) {
        auto value = sys::thread_join(ids[index], abi::kForever);
        ASSERT(value.is_ok());
        EXPECT_EQ(value.value(), 1000u + index);
        EXPECT_EQ(worker_sums[index], kWorkerRounds);
        EXPECT_EQ(worker_ids[index], u64(ids[index]));  // thread_self names the thread as create did
        for (u32 other = 0; other < index; ++other) EXPECT(ids[other] != ids[index]);
    }
    EXPECT_EQ(load(shared_total), kWorkers * kWorkerRounds);
    // Joined: the ids are stale now.
    EXPECT_EQ(sys::thread_join(ids[0], 0).status(), Status::NotFound);
}

namespace {
volatile u64 ran_on[abi::kTaskThreadMax];
volatile u64 stayed[abi::kTaskThreadMax];

[[noreturn]] void report_cpus(u64 index) {
    // A running thread refused its CPU moves at its return to user mode: here, at once.
    if (sys::thread_set_affinity(sys::thread_self(), u64(1) << sys::nth_online_cpu(index)).is_error()) sys::thread_exit(1);
    const u64 cpu = sys::cpu_current();
    bool same = true;
    for (int round = 0; round < 200; ++round) {
        (void)sys::task_yield();
        same = same && sys::cpu_current() == cpu;
    }
    ran_on[index] = cpu;
    stayed[index] = same ? 1 : 2;
    sys::thread_exit(0);
}
}  // namespace

// Each thread of one Task pinned to its own CPU runs there, all at once.
USER_TEST(threads_of_one_task_pinned_to_each_cpu_run_there) {
    const u64 cpus = sys::cpu_count();
    abi::ThreadId ids[abi::kTaskThreadMax] = {};
    for (u32 index = 0; index < cpus && index < 8; ++index) {
        ran_on[index] = ~u64(0);
        stayed[index] = 0;
        auto created = sys::thread_create(reinterpret_cast<u64>(&report_cpus), stack_top(index), index);
        ASSERT(created.is_ok());
        ids[index] = created.value();
    }
    for (u32 index = 0; index < cpus && index < 8; ++index) {
        auto value = sys::thread_join(ids[index], abi::kForever);
        ASSERT(value.is_ok());
        EXPECT_EQ(value.value(), 0u);
        EXPECT_EQ(ran_on[index], sys::nth_online_cpu(index));
        EXPECT_EQ(stayed[index], 1u);
    }
    // Refusals: no running CPU in the mask; a thread that is gone.
    EXPECT_EQ(sys::thread_set_affinity(sys::thread_self(), u64(1) << 31).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::thread_set_affinity(ids[0], 1).status(), Status::NotFound);
}

namespace {
volatile u32 release_word = 0;

[[noreturn]] void wait_for_release(u64 value) {
    // Bound: each pass sleeps until the word changes (or a spurious wake-up).
    while (__atomic_load_n(&release_word, __ATOMIC_ACQUIRE) == 0) (void)sys::futex_wait(&release_word, 0, abi::kForever);
    sys::thread_exit(value);
}

void release_waiters() {
    __atomic_store_n(&release_word, 1u, __ATOMIC_RELEASE);
    (void)sys::futex_wake(&release_word, ~u64(0));
}
}  // namespace

USER_TEST(join_and_detach_refuse_what_they_must) {
    release_word = 0;
    const abi::ThreadId self = sys::thread_self();
    EXPECT(self != 0);
    EXPECT_EQ(sys::thread_join(self, abi::kForever).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::thread_join(0, 0).status(), Status::NotFound);
    EXPECT_EQ(sys::raw::thread_join(u64(1) << 40, 0, 0), -base::i64(Status::NotFound));
    EXPECT_EQ(sys::thread_join(abi::make_thread_id(abi::kTaskThreadMax - 1, 77), 0).status(), Status::NotFound);
    EXPECT_EQ(sys::thread_join(abi::make_thread_id(200, 1), 0).status(), Status::NotFound);  // beyond the table

    auto waiting = sys::thread_create(reinterpret_cast<u64>(&wait_for_release), stack_top(0), 5);
    ASSERT(waiting.is_ok());
    EXPECT_EQ(sys::thread_join(waiting.value(), 0).status(), Status::WouldBlock);
    const u64 before = sys::clock_now();
    EXPECT_EQ(sys::thread_join(waiting.value(), 2'000'000).status(), Status::Timeout);
    EXPECT(sys::clock_now() - before >= 2'000'000);
    // A bad address for the value: refused, and the thread stays joinable.
    release_waiters();
    EXPECT_EQ(sys::raw::thread_join(waiting.value(), 8, abi::kForever), -base::i64(Status::BadAddress));
    EXPECT_EQ(sys::raw::thread_join(waiting.value(), u64(1) << 63, abi::kForever), -base::i64(Status::BadAddress));
    auto value = sys::thread_join(waiting.value(), abi::kForever);
    ASSERT(value.is_ok());
    EXPECT_EQ(value.value(), 5u);
    EXPECT_EQ(sys::thread_join(waiting.value(), abi::kForever).status(), Status::NotFound);  // joined once only

    // Detached: never joinable; its slot goes when it ends.
    release_word = 0;
    auto detached = sys::thread_create(reinterpret_cast<u64>(&wait_for_release), stack_top(1), 6);
    ASSERT(detached.is_ok());
    EXPECT(sys::thread_detach(detached.value()).is_ok());
    EXPECT_EQ(sys::thread_detach(detached.value()).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::thread_join(detached.value(), 0).status(), Status::InvalidArgument);
    release_waiters();
    EXPECT(wait_until([&] { return sys::thread_join(detached.value(), 0).status() == Status::NotFound; }));
    // Detaching one that already ended frees it at once.
    auto ended = sys::thread_create(reinterpret_cast<u64>(&wait_for_release), stack_top(2), 7);
    ASSERT(ended.is_ok());
    // Ended, its slot kept: no living thread answers to the id, but it is still joinable.
    EXPECT(wait_until([&] { return sys::thread_set_affinity(ended.value(), ~u64(0)).status() == Status::NotFound; }));
    EXPECT(sys::thread_detach(ended.value()).is_ok());
    EXPECT_EQ(sys::thread_join(ended.value(), 0).status(), Status::NotFound);

    // Creation refusals: entry and stack outside user space.
    EXPECT_EQ(sys::thread_create(0, stack_top(4), 0).status(), Status::BadAddress);
    EXPECT_EQ(sys::thread_create(0xffff'8000'0000'1000ull, stack_top(4), 0).status(), Status::BadAddress);
    EXPECT_EQ(sys::thread_create(reinterpret_cast<u64>(&wait_for_release), 0xffff'8000'0000'1000ull, 0).status(), Status::BadAddress);
}

// A Task runs at most kTaskThreadMax threads (itself included); an ended thread's slot is freed
// by its join, and the new thread there gets an id the old one's does not match.
USER_TEST(a_task_holds_at_most_its_thread_table_and_reuses_slots_with_fresh_ids) {
    release_word = 0;
    abi::ThreadId ids[abi::kTaskThreadMax] = {};
    u32 created = 0;
    Status refused = Status::Ok;
    for (u32 index = 0; index < abi::kTaskThreadMax; ++index) {
        auto result = sys::thread_create(reinterpret_cast<u64>(&wait_for_release), stack_top(index), index);
        if (result.is_error()) {
            refused = result.status();
            break;
        }
        ids[created++] = result.value();
    }
    EXPECT_EQ(created, abi::kTaskThreadMax - 1);  // the main thread holds one slot
    EXPECT_EQ(refused, Status::TableFull);
    release_waiters();
    u32 joined = 0;
    for (u32 index = 0; index < created; ++index) {
        auto value = sys::thread_join(ids[index], abi::kForever);
        if (value.is_ok() && value.value() == index) ++joined;
    }
    EXPECT_EQ(joined, created);
    // The slots are free again, under new generations.
    release_word = 0;
    auto again = sys::thread_create(reinterpret_cast<u64>(&wait_for_release), stack_top(0), 99);
    ASSERT(again.is_ok());
    for (u32 index = 0; index < created; ++index) EXPECT(again.value() != ids[index]);
    release_waiters();
    auto value = sys::thread_join(again.value(), abi::kForever);
    EXPECT(value.is_ok() && value.value() == 99u);
}

namespace {
// Child Tasks in this address space whose threads spin, each on its own counter.
constexpr u32 kSpinners = 4;
volatile u64 spin_counts[kSpinners + 1];
alignas(16) u8 child_stack[16 * 1024];

// A child Task in this address space, started at `entry(argument)` on child_stack, whose
// faults and ending come to `report_end`; its handles close with it.
struct SupervisedChild {
    abi::Handle task = 0, fault_end = 0, report_end = 0;
    bool started = false;

    // `cpus`: the CPUs the child may run on, from before its first thread starts.
    SupervisedChild(const char* name, void (*entry)(u64), u64 argument, u64 cpus = ~u64(0)) {
        auto created = sys::task_create(grant(), reticle(), base::StringView(name));
        auto faults = sys::ring_create(grant(), 8);
        if (created.is_error() || faults.is_error()) return;
        task = created.value();
        fault_end = faults.value().first;
        report_end = faults.value().second;
        started = sys::task_set_fault_ring(task, fault_end).is_ok() && sys::task_set_affinity(task, cpus).is_ok() &&
                  sys::task_start(task, reinterpret_cast<u64>(entry), vectra::initial_stack_pointer(child_stack, sizeof child_stack),
                                  argument).is_ok();
    }
    ~SupervisedChild() {
        (void)sys::handle_close(fault_end);
        (void)sys::handle_close(report_end);
        (void)sys::handle_close(task);
    }
    SupervisedChild(const SupervisedChild&) = delete;
    SupervisedChild& operator=(const SupervisedChild&) = delete;
};

[[noreturn]] void spin_on(u64 index) {
    for (;;) spin_counts[index] = spin_counts[index] + 1;
}

// The kill test's layout: each CPU but 0 runs one spinner alone (nothing else queued there,
// so only the kill's own interrupt can take it out of user mode at once); the main thread
// spins on CPU 0. Counters of spinners not started are set, so all_spinning holds for them.
[[noreturn]] void start_lone_spinners(u64) {
    const u64 cpus = sys::cpu_count();
    (void)sys::thread_set_affinity(sys::thread_self(), 1);
    for (u32 index = 0; index < kSpinners; ++index) {
        if (index + 1 >= cpus) {
            spin_counts[index] = 1;
            continue;
        }
        auto created = sys::thread_create(reinterpret_cast<u64>(&spin_on), stack_top(index), index);
        if (created.is_ok()) (void)sys::thread_set_affinity(created.value(), u64(1) << sys::nth_online_cpu(index + 1));
    }
    spin_on(kSpinners);
}

bool all_spinning() {
    for (u32 index = 0; index <= kSpinners; ++index)
        if (spin_counts[index] == 0) return false;
    return true;
}

// No counter moves over `milliseconds`.
bool all_frozen(u64 milliseconds) {
    u64 before[kSpinners + 1];
    for (u32 index = 0; index <= kSpinners; ++index) before[index] = spin_counts[index];
    pause_ms(milliseconds);
    for (u32 index = 0; index <= kSpinners; ++index)
        if (spin_counts[index] != before[index]) return false;
    return true;
}
}  // namespace

// task_kill ends every thread, including those running on other CPUs at that moment: once it
// returns, no counter moves again, and the supervisor hears Killed once.
USER_TEST(task_kill_ends_every_thread_at_once_on_every_cpu) {
    for (auto& count : spin_counts) count = 0;
    const abi::Handle self = vectra::start_info()->self_task;
    EXPECT(sys::task_set_affinity(self, 1).is_ok());  // beside the child's main thread, on CPU 0
    SupervisedChild child("spinners", &start_lone_spinners, 0);
    ASSERT(child.started);
    EXPECT(wait_until(all_spinning));
    ASSERT(sys::task_kill(child.task).is_ok());
    // Its threads are on their way out, some perhaps not gone yet: none may be stopped now.
    EXPECT_EQ(sys::task_stop(child.task).status(), Status::BadState);
    EXPECT(all_frozen(20));
    EXPECT(sys::task_set_affinity(self, ~u64(0)).is_ok());
    const abi::FaultReport report = receive_report(child.report_end);
    EXPECT_EQ(report.kind, u32(abi::FaultKind::Killed));
    EXPECT_EQ(report.thread_id, 0u);  // the Task as a whole
    EXPECT_EQ(receive_report(child.report_end, 0).kind, 0xfeu);  // one report only
    EXPECT_EQ(sys::task_resume(child.task).status(), Status::BadState);
}

namespace {
volatile u64 hog_spins = 0;

[[noreturn]] void hog(u64) {
    for (;;) hog_spins = hog_spins + 1;
}

[[noreturn]] void spin_forever(u64) {
    for (;;) {}
}
}  // namespace

// A killed Task's threads are on their way out until each runs once more; task_stop and
// task_resume must not catch one there (a stopped one would keep itself, and the Task's
// capabilities, for ever). The window is made wide: the child is held to CPU 0, where a hog
// Task spins at the top priority, so the dying thread (raised to the top priority too) waits
// for the hog's time slice to end, while this thread, on CPU 1, asks for the stop.
USER_TEST(a_killed_task_cannot_be_stopped_on_its_way_out) {
    if (sys::cpu_count() < 2) return;  // the window needs a second CPU to stand on
    const abi::Handle self = vectra::start_info()->self_task;
    auto ring = sys::ring_create(grant(), 1);
    ASSERT(ring.is_ok());
    EXPECT(sys::task_set_affinity(self, u64(1) << sys::nth_online_cpu(1)).is_ok());
    hog_spins = 0;
    {
        SupervisedChild holder("hog", &hog, 0, 1);
        ASSERT(holder.started);
        EXPECT(sys::task_set_priority(holder.task, abi::kPriorityLevels - 1).is_ok());
        EXPECT(wait_until([] { return load(hog_spins) != 0; }));
        SupervisedChild child("way-out", &spin_forever, 0, 1);
        ASSERT(child.started);
        ASSERT(sys::task_give(child.task, ring.value().second, abi::kRightsAll).is_ok());
        EXPECT(sys::handle_close(ring.value().second).is_ok());  // the child holds the only one
        ASSERT(sys::task_kill(child.task).is_ok());
        EXPECT_EQ(sys::task_stop(child.task).status(), Status::BadState);
        EXPECT_EQ(sys::task_resume(child.task).status(), Status::BadState);
        EXPECT(sys::task_kill(holder.task).is_ok());
    }
    // The child's thread runs, leaves, and its table goes with the Ring end in it.
    abi::RingMessage message{0, 0, 0, 0, 0, 0};
    EXPECT_EQ(sys::ring_receive(ring.value().first, message, 20'000'000'000).status(), Status::PeerClosed);
    EXPECT(sys::handle_close(ring.value().first).is_ok());
    EXPECT(sys::task_set_affinity(self, ~u64(0)).is_ok());
}

namespace {
volatile u32 second_may_exit = 0;

volatile u64 first_thread = 0;
volatile u64 first_value = 0;
volatile u64 second_thread = 0;

// The second thread: ends after the first has (it joins it) and the test says so.
[[noreturn]] void exit_when_told(u64 value) {
    auto joined = sys::thread_join(static_cast<abi::ThreadId>(first_thread), abi::kForever);
    // Bound: a stop (the test's task_stop) ends a wait as BadState; the join is then retried.
    while (joined.is_error() && joined.status() == Status::BadState)
        joined = sys::thread_join(static_cast<abi::ThreadId>(first_thread), abi::kForever);
    first_value = joined.value_or(99);
    second_thread = sys::thread_self();
    while (__atomic_load_n(&second_may_exit, __ATOMIC_ACQUIRE) == 0) (void)sys::futex_wait(&second_may_exit, 0, abi::kForever);
    sys::thread_exit(value);
}

// `detach`: the second thread is detached, so its slot (and the value in it) goes as it ends.
[[noreturn]] void start_second_then_exit(u64 detach) {
    first_thread = sys::thread_self();
    auto second = sys::thread_create(reinterpret_cast<u64>(&exit_when_told), stack_top(0), 42 + detach);
    if (detach != 0 && second.is_ok()) (void)sys::thread_detach(second.value());
    sys::thread_exit(7);  // the first thread goes; the Task goes on
}
}  // namespace

// The first thread's thread_exit leaves the Task running; the last one's ends it, reported as
// Exited with that thread's value.
USER_TEST(the_last_thread_to_exit_ends_the_task_with_its_value) {
    for (u64 detach = 0; detach < 2; ++detach) {
        second_may_exit = 0;
        first_value = 0;
        second_thread = 0;
        SupervisedChild child("two-threads", &start_second_then_exit, detach);
        ASSERT(child.started);
        EXPECT_EQ(receive_report(child.report_end, 20'000'000).kind, 0xfeu);  // nothing yet: one thread lives
        EXPECT(sys::task_stop(child.task).is_ok());  // it still has a thread to stop
        EXPECT(sys::task_resume(child.task).is_ok());
        __atomic_store_n(&second_may_exit, 1u, __ATOMIC_RELEASE);
        (void)sys::futex_wake(&second_may_exit, 1);
        const abi::FaultReport report = receive_report(child.report_end);
        EXPECT_EQ(report.kind, u32(abi::FaultKind::Exited));
        EXPECT_EQ(report.status, 42u + detach);
        EXPECT(report.thread_id != 0 && report.thread_id == second_thread);  // the one that exited last
        EXPECT_EQ(first_value, 7u);  // the first thread's value, joined by the second
        EXPECT_EQ(sys::task_resume(child.task).status(), Status::BadState);
    }
}

namespace {
volatile u32 fault_now = 0;
volatile u64 faulting_thread = 0;

[[noreturn]] void fault_when_told(u64) {
    faulting_thread = sys::thread_self();
    while (__atomic_load_n(&fault_now, __ATOMIC_ACQUIRE) == 0) (void)sys::futex_wait(&fault_now, 0, abi::kForever);
    *reinterpret_cast<volatile u64*>(8) = 1;
    for (;;) {}
}

[[noreturn]] void spinners_and_one_that_faults(u64) {
    const u64 cpus = sys::cpu_count();
    for (u32 index = 0; index < kSpinners; ++index) {
        auto created = sys::thread_create(reinterpret_cast<u64>(&spin_on), stack_top(index), index);
        if (created.is_ok()) (void)sys::thread_set_affinity(created.value(), u64(1) << sys::nth_online_cpu(index % cpus));
    }
    (void)sys::thread_create(reinterpret_cast<u64>(&fault_when_told), stack_top(kSpinners), 0);
    spin_on(kSpinners);
}
}  // namespace

// One thread's fault stops every thread of the Task until its supervisor decides.
USER_TEST(a_fault_in_one_thread_stops_the_whole_task_for_its_supervisor) {
    for (auto& count : spin_counts) count = 0;
    fault_now = 0;
    faulting_thread = 0;
    SupervisedChild child("faulty", &spinners_and_one_that_faults, 0);
    ASSERT(child.started);
    EXPECT(wait_until(all_spinning));
    __atomic_store_n(&fault_now, 1u, __ATOMIC_RELEASE);
    (void)sys::futex_wake(&fault_now, 1);
    const abi::FaultReport report = receive_report(child.report_end);
    EXPECT_EQ(report.kind, u32(abi::FaultKind::PageFaultWrite));
    EXPECT_EQ(report.address, 8u);
    EXPECT(report.thread_id != 0 && report.thread_id == faulting_thread);  // which thread, of many
    EXPECT(all_frozen(20));
    ASSERT(sys::task_kill(child.task).is_ok());
    EXPECT_EQ(receive_report(child.report_end).kind, u32(abi::FaultKind::Killed));
}

namespace {
// What a C library's TLS block starts with: a pointer to itself (x86_64 reads it as %fs:0).
struct ThreadBlock {
    ThreadBlock* self;
    u64 value;
};
ThreadBlock blocks[kWorkers];

ThreadBlock* current_block() {
#if defined(__x86_64__)
    ThreadBlock* block;
    asm volatile("mov %%fs:0, %0" : "=r"(block));
    return block;
#else
    u64 value;
    asm volatile("mrs %0, tpidr_el0" : "=r"(value));
    return reinterpret_cast<ThreadBlock*>(value);
#endif
}

[[noreturn]] void keep_tls_while_moving(u64 index) {
    blocks[index] = {&blocks[index], 0x7100 + index};
    if (sys::thread_set_tls(reinterpret_cast<u64>(&blocks[index])).is_error()) sys::thread_exit(2);
    const u64 cpus = sys::cpu_count();
    const abi::ThreadId self = sys::thread_self();
    bool kept = true;
    for (u64 round = 0; round < 300; ++round) {
        if (round % 10 == 0) (void)sys::thread_set_affinity(self, u64(1) << sys::nth_online_cpu((index + round / 10) % cpus));
        (void)sys::task_yield();
        ThreadBlock* block = current_block();
        kept = kept && block == &blocks[index] && block->value == 0x7100 + index;
    }
    sys::thread_exit(kept ? 1 : 3);
}
}  // namespace

// Threads of one Task, each with its own TLS pointer, moved from CPU to CPU and switched among
// each other: each always reads its own.
USER_TEST(each_thread_keeps_its_own_tls_pointer_across_switches_and_cpus) {
    abi::ThreadId ids[kWorkers] = {};
    for (u32 index = 0; index < kWorkers; ++index) {
        auto created = sys::thread_create(reinterpret_cast<u64>(&keep_tls_while_moving), stack_top(index), index);
        ASSERT(created.is_ok());
        ids[index] = created.value();
    }
    for (u32 index = 0; index < kWorkers; ++index) {
        auto value = sys::thread_join(ids[index], abi::kForever);
        ASSERT(value.is_ok());
        EXPECT_EQ(value.value(), 1u);
    }
#if defined(__x86_64__)
    // The FS base must be a user-half address (a non-canonical one would fault the kernel).
    EXPECT_EQ(sys::thread_set_tls(0x0000'8000'0000'0000ull).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::thread_set_tls(0xffff'8000'0000'0000ull).status(), Status::InvalidArgument);
    EXPECT_EQ(sys::thread_set_tls(0xdead'beef'0000'0000ull).status(), Status::InvalidArgument);
#endif
    EXPECT(sys::thread_set_tls(0).is_ok());
}
