// The futex: wait while a user word still holds an expected value, wake some of its waiters;
// what a C library's mutex and condition variable stand on. Keyed by the word's physical
// address. No lost wake-ups: the check of the value and the wait happen under the kernel lock,
// and a waker changes the word before it calls futex_wake, which takes the same lock.
#pragma once

#include "abi/abi.h"
#include "kernel/capability/status_or.h"

namespace kernel {
class Reticle;
}

namespace kernel::futex {

// Waits while the u32 at `address` (4-aligned, mapped in `reticle`, the caller's) equals
// `expected`, until woken or `deadline`. WouldBlock: it did not equal it. Timeout, BadAddress,
// InvalidArgument (unaligned).
vectra::abi::Status wait(Reticle& reticle, base::u64 address, base::u32 expected, base::u64 deadline);
// Wakes up to `count` threads waiting on the word at `address`; returns how many.
StatusOr<base::u64> wake(Reticle& reticle, base::u64 address, base::u64 count);

}  // namespace kernel::futex
