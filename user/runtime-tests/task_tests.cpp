// Tasks through the typed wrappers: a second Task in this program's address space (its own
// capability table, holding only what it is given) runs, is stopped and resumed, and is killed;
// its supervisor hears of its faults and its ending on a fault Ring; a grant split off and spent
// refuses more while the parent's goes on.
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using base::u64;

abi::Handle grant() { return vectra::start_info()->memory_grant; }
abi::Handle reticle() { return vectra::start_info()->self_reticle; }

volatile u64 counter = 0;
alignas(16) base::u8 worker_stack[16 * 1024];

[[noreturn]] void count_for_ever(u64) {
    for (;;) counter = counter + 1;
}

[[noreturn]] void write_to_null(u64) {
    *reinterpret_cast<volatile u64*>(0) = 1;
    for (;;) {}
}

u64 stack_pointer() { return vectra::initial_stack_pointer(worker_stack, sizeof worker_stack); }

// Lets other Tasks run for a while: a Signal wait that times out.
void pause_ms(u64 milliseconds) {
    auto signal = sys::signal_create(grant());
    if (signal.is_error()) return;
    (void)sys::signal_wait(signal.value(), 1, milliseconds * 1'000'000);
    (void)sys::handle_close(signal.value());
}

abi::FaultReport receive_report(abi::Handle ring) {
    abi::FaultReport report{};
    report.kind = 0xff;
    abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
    // Bound: 30 s, for a broken kernel; a report comes in milliseconds (a loaded host: more).
    if (sys::ring_receive(ring, message, 30'000'000'000).is_error()) report.kind = 0xfe;
    return report;
}

}  // namespace

USER_TEST(a_task_runs_stops_resumes_and_is_killed_with_its_supervisor_told) {
    auto worker = sys::task_create(grant(), reticle(), base::StringView("counter"));
    auto faults = sys::ring_create(grant(), 4);
    ASSERT(worker.is_ok() && faults.is_ok());
    EXPECT(sys::task_set_fault_ring(worker.value(), faults.value().first).is_ok());
    // The same priority as this Task, so the timer shares the CPU between us.
    EXPECT(sys::task_set_priority(worker.value(), abi::kPriorityDefault).is_ok());
    ASSERT(sys::task_start(worker.value(), reinterpret_cast<u64>(&count_for_ever), stack_pointer(), 0).is_ok());
    EXPECT(sys::task_start(worker.value(), reinterpret_cast<u64>(&count_for_ever), stack_pointer(), 0).error() ==
           abi::Status::BadState);  // started once only
    // Bound: 10 s for it to get going (a loaded host may hold its CPU back for long).
    for (int waited = 0; waited < 1000 && counter == 0; ++waited) pause_ms(10);
    const u64 running = counter;
    EXPECT(running > 0);

    EXPECT(sys::task_stop(worker.value()).is_ok());
    pause_ms(30);
    const u64 stopped = counter;
    pause_ms(50);
    EXPECT_EQ(counter, stopped);  // no progress while stopped

    EXPECT(sys::task_resume(worker.value()).is_ok());
    for (int waited = 0; waited < 1000 && counter == stopped; ++waited) pause_ms(10);
    EXPECT(counter > stopped);

    EXPECT(sys::task_kill(worker.value()).is_ok());
    const abi::FaultReport report = receive_report(faults.value().second);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::Killed));
    EXPECT(base::StringView(report.task_name) == base::StringView("counter"));
    const u64 killed = counter;
    pause_ms(50);
    EXPECT_EQ(counter, killed);
    (void)sys::handle_close(worker.value());
    (void)sys::handle_close(faults.value().first);
    (void)sys::handle_close(faults.value().second);
}

USER_TEST(a_faulting_task_is_reported_to_its_supervisor_who_decides) {
    auto worker = sys::task_create(grant(), reticle(), base::StringView("faulter"));
    auto faults = sys::ring_create(grant(), 4);
    ASSERT(worker.is_ok() && faults.is_ok());
    ASSERT(sys::task_set_fault_ring(worker.value(), faults.value().first).is_ok());
    ASSERT(sys::task_start(worker.value(), reinterpret_cast<u64>(&write_to_null), stack_pointer(), 0).is_ok());
    const abi::FaultReport report = receive_report(faults.value().second);
    EXPECT_EQ(report.kind, base::u32(abi::FaultKind::PageFaultWrite));
    EXPECT_EQ(report.address, 0u);
    EXPECT_EQ(report.pc >= reinterpret_cast<u64>(&write_to_null), true);
    // The faulting Task waits, stopped, for its supervisor: here, a kill.
    EXPECT(sys::task_kill(worker.value()).is_ok());
    EXPECT_EQ(receive_report(faults.value().second).kind, base::u32(abi::FaultKind::Killed));
    (void)sys::handle_close(worker.value());
    (void)sys::handle_close(faults.value().first);
    (void)sys::handle_close(faults.value().second);
}

USER_TEST(a_spent_grant_refuses_more_objects_and_the_parent_grant_goes_on) {
    auto small = sys::grant_split(grant(), 6);
    ASSERT(small.is_ok());
    abi::Handle made[16] = {};
    int count = 0;
    abi::Status last = abi::Status::Ok;
    for (; count < 16; ++count) {
        auto signal = sys::signal_create(small.value());
        if (signal.is_error()) {
            last = signal.error();
            break;
        }
        made[count] = signal.value();
    }
    EXPECT(count > 0 && count < 16);
    EXPECT(last == abi::Status::OutOfMemory);
    auto elsewhere = sys::signal_create(grant());
    EXPECT(elsewhere.is_ok());
    if (elsewhere.is_ok()) (void)sys::handle_close(elsewhere.value());
    for (int i = 0; i < count; ++i) (void)sys::handle_close(made[i]);
    // Closed objects give their pages back (after the reaper runs): the grant pays again.
    pause_ms(20);
    auto again = sys::signal_create(small.value());
    EXPECT(again.is_ok());
    if (again.is_ok()) (void)sys::handle_close(again.value());
    (void)sys::handle_close(small.value());
}

// Affinity holds a Task to the CPUs it names: pinned to each CPU in turn, it is found there
// after a yield; a mask naming no running CPU is refused.
USER_TEST(a_task_pinned_to_a_cpu_runs_there) {
    const abi::Handle self = vectra::start_info()->self_task;
    const u64 cpus = sys::cpu_count();
    EXPECT(cpus >= 1 && cpus <= 16);
    const u64 online = sys::cpu_online_mask();
    EXPECT_EQ(u64(__builtin_popcountll(online)), cpus);
    EXPECT(online & 1);  // the boot CPU
    for (u64 nth = 0; nth < cpus; ++nth) {
        const u64 cpu = sys::nth_online_cpu(nth);
        EXPECT(sys::task_set_affinity(self, u64(1) << cpu).is_ok());
        (void)sys::raw::task_yield();
        bool stayed = true;
        for (int i = 0; i < 50; ++i) stayed = stayed && sys::cpu_current() == cpu;
        EXPECT(stayed);
    }
    EXPECT_EQ(sys::task_set_affinity(self, ~online).status(), abi::Status::InvalidArgument);
    EXPECT_EQ(sys::task_set_affinity(self, 0).status(), abi::Status::InvalidArgument);
    EXPECT(sys::task_set_affinity(self, ~u64(0)).is_ok());
}

#if defined(__aarch64__)
namespace {
u64 read_thread_pointer() {
    u64 value;
    asm volatile("mrs %0, tpidr_el0" : "=r"(value));
    return value;
}
void write_thread_pointer(u64 value) { asm volatile("msr tpidr_el0, %0" ::"r"(value)); }

volatile u64 other_kept = 0;  // 1: the other Task's thread pointer held through every round
alignas(16) base::u8 tls_stack[16 * 1024];
[[noreturn]] void keep_thread_pointer(u64 value) {
    write_thread_pointer(value);
    bool kept = true;
    for (int round = 0; round < 500; ++round) {
        (void)sys::raw::task_yield();
        kept = kept && read_thread_pointer() == value;
    }
    other_kept = kept ? 1 : 2;
    (void)sys::raw::task_exit(0);
    for (;;) {}
}
}  // namespace

// Each thread's own thread pointer (TPIDR_EL0, where a C library keeps its TLS): two Tasks on
// one CPU switching back and forth each keep theirs, and a Task moved between CPUs keeps it.
USER_TEST(each_thread_keeps_its_own_thread_pointer_across_switches_and_cpus) {
    const abi::Handle self = vectra::start_info()->self_task;
    EXPECT(sys::task_set_affinity(self, 1).is_ok());
    auto other = sys::task_create(grant(), reticle(), base::StringView("tls-keeper"));
    ASSERT(other.is_ok());
    EXPECT(sys::task_set_affinity(other.value(), 1).is_ok());
    other_kept = 0;
    const u64 mine = 0x5151'0000'1234'0001ull;
    write_thread_pointer(mine);
    ASSERT(sys::task_start(other.value(), reinterpret_cast<u64>(&keep_thread_pointer), vectra::initial_stack_pointer(tls_stack, sizeof tls_stack),
                           0x7272'0000'5678'0002ull).is_ok());
    bool kept = true;
    for (int round = 0; round < 2000 && other_kept == 0; ++round) {
        (void)sys::raw::task_yield();
        kept = kept && read_thread_pointer() == mine;
    }
    EXPECT(kept);
    EXPECT_EQ(other_kept, 1u);
    // Moved to every CPU in turn, it keeps it.
    for (u64 nth = 0; nth < sys::cpu_count(); ++nth) {
        EXPECT(sys::task_set_affinity(self, u64(1) << sys::nth_online_cpu(nth)).is_ok());
        (void)sys::raw::task_yield();
        EXPECT_EQ(read_thread_pointer(), mine);
    }
    EXPECT(sys::task_set_affinity(self, ~u64(0)).is_ok());
    write_thread_pointer(0);
    (void)sys::handle_close(other.value());
}
#endif
