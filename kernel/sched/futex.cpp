// The futex (see futex.h).
#include "kernel/sched/futex.h"

#include "arch/user_mode.h"
#include "kernel/mm/user_range.h"
#include "kernel/object/reticle.h"
#include "kernel/sched/futex_buckets.h"
#include "kernel/sched/scheduler.h"

namespace kernel::futex {
namespace {

using vectra::abi::Status;

constinit FutexBuckets<WaitQueue, 64> buckets;

StatusOr<base::u64> key_of(Reticle& reticle, base::u64 address) {
    if (address % 4 != 0) return Status::InvalidArgument;
    if (!user_range_valid(address, 4)) return Status::BadAddress;
    const auto physical = reticle.physical_at(address);
    if (!physical.has_value()) return Status::BadAddress;
    return *physical;
}

}  // namespace

Status wait(Reticle& reticle, base::u64 address, base::u32 expected, base::u64 deadline) {
    const base::u64 key = TRY(key_of(reticle, address));
    base::u32 value = 0;
    if (!arch::copy_from_user(&value, address, sizeof value)) return Status::BadAddress;
    if (value != expected) return Status::WouldBlock;
    if (deadline == 0) return Status::Timeout;
    Thread& self = *sched::current();
    self.wait_argument = key;
    const base::i64 woken = sched::block_current(buckets.bucket(key), deadline);
    return static_cast<Status>(woken);
}

StatusOr<base::u64> wake(Reticle& reticle, base::u64 address, base::u64 count) {
    const base::u64 key = TRY(key_of(reticle, address));
    return buckets.wake(key, count, [](Thread& waiter) { sched::wake(waiter, 0); });
}

}  // namespace kernel::futex
