// Signals (see signal.h).
#include "kernel/object/signal.h"

#include "kernel/object/bundle.h"
#include "kernel/object/object_memory.h"
#include "kernel/sched/scheduler.h"

namespace kernel {

using vectra::abi::Status;

StatusOr<Signal*> Signal::create(Bundle& grant) {
    void* memory = TRY(allocate_object_pages(&grant, pages_for<Signal>()));
    auto* signal = new (memory) Signal();
    signal->paid_by_ = &grant;
    grant.retain();
    return signal;
}

void Signal::raise(base::u64 bits) {
    bits_ |= bits;
    // Wake every waiter whose set is met, handing it what it saw. Bound: each pass either wakes
    // one thread (removing it from the queue) or ends.
    for (auto it = waiters_.threads.begin(); it != waiters_.threads.end();) {
        Thread& waiter = *it;
        ++it;  // before wake() unlinks it
        if ((waiter.wait_argument & bits_) != 0) {
            waiter.wake_value = waiter.wait_argument & bits_;
            sched::wake(waiter, 0);
        }
    }
}

void Signal::clear(base::u64 bits) { bits_ &= ~bits; }

StatusOr<base::u64> Signal::wait(base::u64 set, base::u64 deadline) {
    if (set == 0) return Status::InvalidArgument;
    if ((bits_ & set) != 0) return bits_ & set;
    if (deadline == 0) return Status::WouldBlock;
    Thread& self = *sched::current();
    self.wait_argument = set;
    self.wake_value = 0;
    const base::i64 status = sched::block_current(waiters_, deadline);
    if (status != 0) return static_cast<Status>(status);
    return self.wake_value;
}

void Signal::destroy() {
    sched::wake_all(waiters_, static_cast<base::i64>(Status::PeerClosed));
    Bundle* grant = paid_by_;
    this->~Signal();
    free_object_pages(grant, this, pages_for<Signal>());
    if (grant != nullptr) grant->release();
}

}  // namespace kernel
