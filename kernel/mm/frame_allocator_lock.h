// The frame allocator's lock: in the kernel a SpinLock of its lock class (ranked and checked,
// kernel/smp/lock_checks.h); in the host tests, which build frame_allocator.cpp alone, the bare
// ticket lock.
#pragma once

#if defined(VECTRA_KERNEL)
#include "kernel/smp/spin_lock.h"

namespace kernel {
class FrameAllocatorLock : public SpinLock {
public:
    constexpr FrameAllocatorLock() : SpinLock(lock_classes::frame_allocator) {}
};
}  // namespace kernel
#else
#include "base/spinlock.h"

namespace kernel {
using FrameAllocatorLock = base::Spinlock;
}  // namespace kernel
#endif
