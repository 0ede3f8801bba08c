// Signal: a word of event bits. raise sets bits and wakes every waiter whose set they meet;
// wait returns at once when any bit of its set is up, else blocks (with a timeout). Bits stay
// up until cleared: a raise before the wait is never lost. Masks raise their bit from
// interrupt context (one CPU: interrupts are off in the kernel, so a raise there cannot race
// a waiter's check).
#pragma once

#include "kernel/capability/status_or.h"
#include "kernel/object/object.h"
#include "kernel/sched/thread.h"

namespace kernel {

class Bundle;

class Signal final : public Object {
public:
    static StatusOr<Signal*> create(Bundle& grant);

    base::u64 bits() const { return bits_; }
    void raise(base::u64 bits);
    void clear(base::u64 bits);
    // The bits of `set` that are up, waiting until one is or `deadline` passes (Timeout).
    StatusOr<base::u64> wait(base::u64 set, base::u64 deadline);

protected:
    void destroy() override;

private:
    Signal() : Object(vectra::abi::ObjectKind::Signal) {}

    base::u64 bits_ = 0;
    WaitQueue waiters_;
    Bundle* paid_by_ = nullptr;
};

}  // namespace kernel
