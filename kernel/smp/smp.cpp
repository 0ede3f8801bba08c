// Secondary CPU bring-up (see smp.h).
#include "kernel/smp/smp.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "base/atomic.h"
#include "kernel/core/log.h"
#include "kernel/core/panic.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/sched/scheduler.h"

namespace kernel {
namespace {

constinit CpuLocal cpus[arch::kMaxCpus];
constinit unsigned listed = 1;

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

unsigned start_secondary_cpus(const BootInfo&) {
    unsigned running = 1;
    // Bound: one pass per listed CPU, each waiting at most kBringUpNanoseconds.
    for (unsigned index = 1; index < listed; ++index) {
        CpuLocal& local = cpus[index];
        auto stack = mm::allocate_kernel_stack_with_bounds();
        if (stack.is_error()) {
            log("smp: cpu {} not started: no kernel stack ({})", index, stack.error().message);
            continue;
        }
        if (!arch::start_cpu(index, local.hardware_id, stack.value().top, stack.value().bottom, &local)) {
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

void shootdown(base::u64 root) {
    static constinit base::u64 generation = 0;
    const base::u64 asked = ++generation;  // under the kernel lock
    const unsigned self = this_cpu().index;
    bool waiting[arch::kMaxCpus] = {};
    for (unsigned index = 0; index < listed; ++index) {
        if (index == self || !is_online(cpus[index]) || !sched::cpu_may_hold(index, root)) continue;
        __atomic_store_n(&cpus[index].shootdown_asked, asked, __ATOMIC_RELEASE);
        arch::send_reschedule(index);
        waiting[index] = true;
    }
    // Bound: each CPU answers from its IPI or its spin for the lock within microseconds; one
    // that does not within a second is broken, and freeing the frames would be worse.
    const base::u64 deadline = arch::monotonic_ns() + 1'000'000'000;
    for (unsigned index = 0; index < listed; ++index) {
        if (!waiting[index]) continue;
        while (__atomic_load_n(&cpus[index].shootdown_done, __ATOMIC_ACQUIRE) < asked) {
            if (arch::monotonic_ns() > deadline) panic("smp: cpu {} never answered a TLB shootdown", index);
        }
    }
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
    // Idle, taking only the reschedule IPI (see smp.h: nothing else is routed here yet).
    arch::interrupts_enable();
    for (;;) arch::wait_for_interrupt();
}

void reschedule_interrupt() {
    smp::answer_shootdown();
    __atomic_fetch_add(&this_cpu().reschedule_interrupts, 1, __ATOMIC_RELEASE);
    sched::reschedule_interrupt_here();
}

}  // namespace kernel
