// The kernel lock (see kernel_lock.h): a ticket lock that records its holder.
#include "kernel/smp/kernel_lock.h"

#include "arch/arch.h"
#include "base/spinlock.h"
#include "kernel/core/panic.h"
#include "kernel/smp/cpu_local.h"
#include "kernel/smp/smp.h"

namespace kernel::kernel_lock {
namespace {

constinit base::Spinlock lock;
constexpr unsigned kNobody = ~0u;
constinit unsigned holder = kNobody;  // written only by the holder

}  // namespace

void acquire() {
    if (arch::interrupts_enabled()) panic("kernel lock: taken with interrupts on");
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) == self) panic("kernel lock: cpu {} takes it twice", self);
    // Spinning with interrupts off, this CPU cannot take a shootdown's IPI: it answers here.
    lock.lock([] { smp::answer_shootdown(); });
    __atomic_store_n(&holder, self, __ATOMIC_RELAXED);
}

void release() {
    const unsigned self = this_cpu().index;
    if (__atomic_load_n(&holder, __ATOMIC_RELAXED) != self) panic("kernel lock: cpu {} releases it without holding it", self);
    __atomic_store_n(&holder, kNobody, __ATOMIC_RELAXED);
    lock.unlock();
}

bool held_here() { return __atomic_load_n(&holder, __ATOMIC_RELAXED) == this_cpu().index; }

}  // namespace kernel::kernel_lock
