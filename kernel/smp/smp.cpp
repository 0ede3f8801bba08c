// Secondary CPU bring-up (see smp.h).
#include "kernel/smp/smp.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "base/atomic.h"
#include "kernel/core/log.h"
#include "kernel/core/panic.h"
#include "kernel/debug/trace.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/sched/scheduler.h"
#include "kernel/smp/kernel_lock.h"

namespace kernel {
namespace {

constinit CpuLocal cpus[arch::kMaxCpus];
constinit unsigned listed = 1;
constinit bool secondaries_schedule = false;

// How long a CPU has to report in after it was started.
constexpr base::u64 kBringUpNanoseconds = 500'000'000;

bool is_online(const CpuLocal& local) { return __atomic_load_n(&local.online, __ATOMIC_ACQUIRE); }

}  // namespace

CpuLocal& cpu(unsigned index) { return cpus[index < arch::kMaxCpus ? index : 0]; }

namespace smp {

void init_boot_cpu(const BootInfo& boot_info) {
    listed = boot_info.cpu_count < arch::kMaxCpus ? boot_info.cpu_count : arch::kMaxCpus;
    if (listed == 0) listed = 1;
    for (unsigned i = 0; i < arch::kMaxCpus; ++i) {
        cpus[i].self = &cpus[i];
        cpus[i].index = i;
        cpus[i].hardware_id = i < listed ? boot_info.cpu_ids[i] : 0;
    }
    cpus[0].online = true;
    arch::set_cpu_local(&cpus[0]);
}

unsigned start_secondary_cpus(const BootInfo&, bool schedule, unsigned held_back) {
    __atomic_store_n(&secondaries_schedule, schedule, __ATOMIC_RELEASE);
    unsigned running = 1;
    // Bound: one pass per listed CPU, each waiting at most kBringUpNanoseconds.
    for (unsigned index = 1; index < listed; ++index) {
        CpuLocal& local = cpus[index];
        auto stack = mm::allocate_kernel_stack_with_bounds();
        if (stack.is_error()) {
            log("smp: cpu {} not started: no kernel stack ({})", index, stack.error().message);
            continue;
        }
        if (index == held_back) {
            log("smp: cpu {} held back (smp-hold-back): it is not started", index);
        } else if (!arch::start_cpu(index, local.hardware_id, stack.value().top, stack.value().bottom, &local)) {
            log("smp: cpu {} (hardware id {:#x}) refused to start", index, local.hardware_id);
            continue;
        }
        const base::u64 deadline = arch::monotonic_ns() + kBringUpNanoseconds;
        // Bound: the deadline.
        while (!is_online(local) && arch::monotonic_ns() < deadline) {
        }
        if (is_online(local)) {
            ++running;
        } else {
            log("smp: cpu {} (hardware id {:#x}) did not come up within {} ms; going on without it", index, local.hardware_id,
                kBringUpNanoseconds / 1'000'000);
        }
    }
    log("smp: {} of {} CPUs running", running, listed);
    return running;
}

unsigned online_count() {
    unsigned count = 0;
    for (unsigned i = 0; i < listed; ++i) count += is_online(cpus[i]) ? 1 : 0;
    return count;
}

unsigned listed_count() { return listed; }

base::u32 online_mask() {
    base::u32 mask = 0;
    for (unsigned i = 0; i < listed; ++i) mask |= is_online(cpus[i]) ? 1u << i : 0;
    return mask;
}

namespace {

constinit base::u64 generation = 0;  // of requests to other CPUs; under the kernel lock

// Asks CPU `index` to answer (answer_shootdown) and interrupts it. Returns the generation.
base::u64 ask(unsigned index) {
    const base::u64 asked = ++generation;
    __atomic_store_n(&cpus[index].shootdown_asked, asked, __ATOMIC_RELEASE);
    arch::send_reschedule(index);
    arch::spin_wake_others();  // if it spins for the kernel lock, it looks at the ask now
    return asked;
}

// Bound: a CPU answers from its IPI or its spin for the lock within microseconds; one that
// does not within a second is broken, and going on would be worse.
void wait_for_answer(unsigned index, base::u64 asked) {
    const base::u64 deadline = arch::monotonic_ns() + 1'000'000'000;
    while (__atomic_load_n(&cpus[index].shootdown_done, __ATOMIC_ACQUIRE) < asked) {
        if (arch::monotonic_ns() > deadline) panic("smp: cpu {} never answered", index);
    }
}

}  // namespace

void shootdown(base::u64 root) {
    kernel_lock::assert_held();  // the generation, and the CPUs' loaded roots it reads
    const unsigned self = this_cpu().index;
    base::u64 asked[arch::kMaxCpus] = {};
    for (unsigned index = 0; index < listed; ++index) {
        if (index == self || !is_online(cpus[index]) || !sched::cpu_may_hold(index, root)) continue;
        asked[index] = ask(index);
    }
    for (unsigned index = 0; index < listed; ++index)
        if (asked[index] != 0) wait_for_answer(index, asked[index]);
}

void interrupt_and_wait(unsigned index) {
    kernel_lock::assert_held();  // the generation; and the CPU asked cannot leave its spin for it
    if (index == this_cpu().index || index >= listed || !is_online(cpus[index])) return;
    wait_for_answer(index, ask(index));
}

bool shootdown_asked_here() {
    const CpuLocal& local = this_cpu();
    return __atomic_load_n(&local.shootdown_asked, __ATOMIC_ACQUIRE) != __atomic_load_n(&local.shootdown_done, __ATOMIC_RELAXED);
}

void answer_shootdown() {
    CpuLocal& local = this_cpu();
    const base::u64 asked = __atomic_load_n(&local.shootdown_asked, __ATOMIC_ACQUIRE);
    if (asked == __atomic_load_n(&local.shootdown_done, __ATOMIC_RELAXED)) return;
    arch::tlb_flush_user_all();
    __atomic_store_n(&local.shootdown_done, asked, __ATOMIC_RELEASE);
}

}  // namespace smp

[[noreturn]] void secondary_cpu_main(unsigned index) {
    CpuLocal& local = cpu(index);
    __atomic_store_n(&local.online, true, __ATOMIC_RELEASE);
    if (!__atomic_load_n(&secondaries_schedule, __ATOMIC_ACQUIRE)) {
        // Kernel test mode: the boot CPU runs the tests holding the kernel lock; this CPU only
        // takes IPIs (which need no lock).
        arch::interrupts_enable();
        for (;;) arch::wait_for_interrupt();
    }
    // Waits while the boot CPU still sets up, then runs threads like it.
    kernel_lock::acquire();
    sched::init();
    arch::timer_start_this_cpu();  // its own time slices (interrupts stay off until it idles or enters user mode)
    sched::start();
}

void reschedule_interrupt() {
    smp::answer_shootdown();
    __atomic_fetch_add(&this_cpu().reschedule_interrupts, 1, __ATOMIC_RELEASE);
    trace::record(trace::Event::KickTaken);
    sched::reschedule_interrupt_here();
}

}  // namespace kernel
