// The typed system calls: one wrapper per syscall in lib/abi/abi.h's VECTRA_SYSCALL_LIST, named
// as the list names it, over the generated raw stubs (syscall_raw.h, which fix the argument
// count). Each returns SysResult<T>: the value, or the abi::Status it was refused with. The
// meaning of each argument is documented in docs/abi.md. A static check at the end of this
// file fails the build when a syscall in the list has no wrapper here.
#pragma once

#include "base/span.h"
#include "base/string_view.h"
#include "user/runtime/sys_result.h"
#include "user/runtime/syscall_raw.h"

namespace vectra::sys {

using abi::Handle;
using base::i64;
using base::u32;
using base::u64;

// A raw result word as SysResult<T>: >= 0 is the value, < 0 the negated Status.
template <class T>
constexpr SysResult<T> result_as(i64 word) {
    if (word < 0) return status_of(word);
    return static_cast<T>(word);
}
constexpr SysResult<void> result_void(i64 word) { return status_of(word); }

// --- Handles
inline SysResult<void> handle_close(Handle handle) { return result_void(raw::handle_close(handle)); }
// A copy of `handle` in a new slot with only `rights` (a subset of its own); needs kRightDerive.
inline SysResult<Handle> handle_derive(Handle handle, u32 rights) {
    return result_as<Handle>(raw::handle_derive(handle, rights));
}
// Destroys everything derived from `handle`, in every Task; needs kRightRevoke. A large revoke
// returns MoreToDo after a bounded step: call again (revoke_all does).
inline SysResult<void> handle_revoke(Handle handle) { return result_void(raw::handle_revoke(handle)); }
inline SysResult<abi::HandleInfo> handle_info(Handle handle) {
    abi::HandleInfo info{};
    const i64 word = raw::handle_info(handle, &info);
    if (word < 0) return status_of(word);
    return info;
}

// --- Tasks
// A new Task with `reticle` as its address space and an empty capability table, paid from
// `grant`; `name` (shorter than abi::kTaskNameMax bytes) appears in fault reports.
inline SysResult<Handle> task_create(Handle grant, Handle reticle, base::StringView name) {
    return result_as<Handle>(raw::task_create(grant, reticle, name.data(), name.size()));
}
// Copies `handle` into `task`'s table with `rights` (narrowed); the result is the handle's
// value in that Task's table, for the starter to pass on (e.g. in a StartInfo).
inline SysResult<Handle> task_give(Handle task, Handle handle, u32 rights) {
    return result_as<Handle>(raw::task_give(task, handle, rights));
}
// Starts the Task's first thread at `entry` with `stack_pointer` and `argument` in rdi / x0.
inline SysResult<void> task_start(Handle task, u64 entry, u64 stack_pointer, u64 argument) {
    return result_void(raw::task_start(task, entry, stack_pointer, argument));
}
inline SysResult<void> task_stop(Handle task) { return result_void(raw::task_stop(task)); }
inline SysResult<void> task_resume(Handle task) { return result_void(raw::task_resume(task)); }
inline SysResult<void> task_kill(Handle task) { return result_void(raw::task_kill(task)); }
inline SysResult<void> task_set_priority(Handle task, u32 priority) {
    return result_void(raw::task_set_priority(task, priority));
}
inline SysResult<void> task_set_fault_ring(Handle task, Handle ring) {
    return result_void(raw::task_set_fault_ring(task, ring));
}
// Ends the calling Task; its supervisor sees FaultKind::Exited with `status`.
[[noreturn]] inline void task_exit(u64 status) {
    raw::task_exit(status);
    __builtin_trap();  // task_exit does not return; if it did, fault rather than run on
}
inline SysResult<void> task_yield() { return result_void(raw::task_yield()); }

// --- Rings
// The two ends of a new Ring: what one sends, the other receives.
struct RingEnds {
    Handle first;
    Handle second;
};
// A Ring queueing up to `capacity` (1..kRingMaxCapacity) messages each way, paid from `grant`.
inline SysResult<RingEnds> ring_create(Handle grant, u32 capacity) {
    Handle ends[2] = {abi::kNoHandle, abi::kNoHandle};
    const i64 word = raw::ring_create(grant, capacity, ends);
    if (word < 0) return status_of(word);
    return RingEnds{ends[0], ends[1]};
}
inline SysResult<void> ring_send(Handle ring, const abi::RingMessage& message, u64 timeout) {
    return result_void(raw::ring_send(ring, &message, timeout));
}
// Fills `message`'s buffers and writes back byte_count and handle_count.
inline SysResult<void> ring_receive(Handle ring, abi::RingMessage& message, u64 timeout) {
    return result_void(raw::ring_receive(ring, &message, timeout));
}
// Sends `request` and receives the reply into `reply` on the same end (one deadline for both).
inline SysResult<void> ring_call(Handle ring, const abi::RingMessage& request, abi::RingMessage& reply, u64 timeout) {
    return result_void(raw::ring_call(ring, &request, &reply, timeout));
}
inline u64 cpu_count() { return static_cast<u64>(raw::cpu_count()); }
inline u64 cpu_current() { return static_cast<u64>(raw::cpu_current()); }
// Bit i: CPU i runs. Not always the low cpu_count() bits: a CPU that did not come up leaves a gap.
inline u64 cpu_online_mask() { return static_cast<u64>(raw::cpu_online_mask()); }
// The index of the `nth` running CPU (0: the boot CPU), counting up; nth must be below cpu_count().
inline u64 nth_online_cpu(u64 nth) {
    u64 mask = cpu_online_mask();
    // Bound: 64 bits.
    for (; nth > 0 && mask != 0; --nth) mask &= mask - 1;
    return mask == 0 ? 0 : static_cast<u64>(__builtin_ctzll(mask));
}
inline SysResult<void> task_set_affinity(Handle task, u64 mask) { return result_void(raw::task_set_affinity(task, mask)); }
inline SysResult<void> futex_wait(const volatile u32* word, u32 expected, u64 timeout) {
    return result_void(raw::futex_wait(const_cast<const u32*>(word), expected, timeout));
}
inline SysResult<u64> futex_wake(const volatile u32* word, u64 count) {
    return result_as<u64>(raw::futex_wake(const_cast<const u32*>(word), count));
}
inline SysResult<void> ring_notify(Handle ring, Handle signal, u64 bits) {
    return result_void(raw::ring_notify(ring, signal, bits));
}

// --- Threads of the calling Task
using abi::ThreadId;
inline SysResult<ThreadId> thread_create(u64 entry, u64 stack_pointer, u64 argument) {
    return result_as<ThreadId>(raw::thread_create(entry, stack_pointer, argument));
}
[[noreturn]] inline void thread_exit(u64 value) {
    raw::thread_exit(value);
    __builtin_trap();  // thread_exit does not return
}
// The joined thread's exit value.
inline SysResult<u64> thread_join(ThreadId thread, u64 timeout) {
    u64 value = 0;
    const i64 word = raw::thread_join(thread, &value, timeout);
    if (word < 0) return status_of(word);
    return value;
}
inline SysResult<void> thread_detach(ThreadId thread) { return result_void(raw::thread_detach(thread)); }
inline ThreadId thread_self() { return static_cast<ThreadId>(raw::thread_self()); }
inline SysResult<void> thread_set_tls(u64 pointer) { return result_void(raw::thread_set_tls(pointer)); }
inline SysResult<void> thread_set_affinity(ThreadId thread, u64 mask) {
    return result_void(raw::thread_set_affinity(thread, mask));
}

// --- Signals
inline SysResult<Handle> signal_create(Handle grant) { return result_as<Handle>(raw::signal_create(grant)); }
inline SysResult<void> signal_raise(Handle signal, u64 bits) { return result_void(raw::signal_raise(signal, bits)); }
inline SysResult<void> signal_clear(Handle signal, u64 bits) { return result_void(raw::signal_clear(signal, bits)); }
// Waits until any of `bits` is raised; the result is the raised bits among `bits`.
inline SysResult<u64> signal_wait(Handle signal, u64 bits, u64 timeout) {
    return result_as<u64>(raw::signal_wait(signal, bits, timeout));
}

// --- Masks
// Delivers the interrupt line as `bits` raised on `signal`.
inline SysResult<void> mask_bind(Handle mask, Handle signal, u64 bits) {
    return result_void(raw::mask_bind(mask, signal, bits));
}
// Unmasks the line again after the driver has served it.
inline SysResult<void> mask_acknowledge(Handle mask) { return result_void(raw::mask_acknowledge(mask)); }

// --- Bundles
// A new Memory Bundle of `pages` zeroed pages (physically contiguous), paid from `grant`.
inline SysResult<Handle> bundle_create(Handle grant, u64 pages) { return result_as<Handle>(raw::bundle_create(grant, pages)); }
inline SysResult<abi::BundleInfo> bundle_info(Handle bundle) {
    abi::BundleInfo info{};
    const i64 word = raw::bundle_info(bundle, &info);
    if (word < 0) return status_of(word);
    return info;
}
// Copies between a Memory Bundle and the caller's memory; the result is `length`.
inline SysResult<u64> bundle_read(Handle bundle, u64 offset, void* buffer, u64 length) {
    return result_as<u64>(raw::bundle_read(bundle, offset, buffer, length));
}
inline SysResult<u64> bundle_write(Handle bundle, u64 offset, const void* buffer, u64 length) {
    return result_as<u64>(raw::bundle_write(bundle, offset, buffer, length));
}
// One I/O-port access inside a Ports Bundle; `access` from port_io.h (width and direction).
// The result is the value read (0 for a write).
inline SysResult<u64> bundle_port_io(Handle ports, u64 port_offset, u32 access, u64 value) {
    return result_as<u64>(raw::bundle_port_io(ports, port_offset, access, value));
}
// Moves `pages` of `grant`'s quota into a new grant.
inline SysResult<Handle> grant_split(Handle grant, u64 pages) { return result_as<Handle>(raw::grant_split(grant, pages)); }

// --- Reticles
inline SysResult<Handle> reticle_create(Handle grant) { return result_as<Handle>(raw::reticle_create(grant)); }
// Maps bundle bytes [offset, offset + length) at `address` with `protection` (abi::Protection
// bits; never write and execute together). Everything page-aligned.
inline SysResult<void> reticle_map(Handle reticle, Handle bundle, u64 offset, u64 address, u64 length, u32 protection) {
    return result_void(raw::reticle_map(reticle, bundle, offset, address, length, protection));
}
inline SysResult<void> reticle_unmap(Handle reticle, u64 address, u64 length) {
    return result_void(raw::reticle_unmap(reticle, address, length));
}
inline SysResult<void> reticle_protect(Handle reticle, u64 address, u64 length, u32 protection) {
    return result_void(raw::reticle_protect(reticle, address, length, protection));
}

// --- Time
// Nanoseconds since boot, monotonic.
inline u64 clock_now() { return static_cast<u64>(raw::clock_now()); }

// --- Helpers over the wrappers
// Revokes until done: repeats handle_revoke while it answers MoreToDo.
inline SysResult<void> revoke_all(Handle handle) {
    for (;;) {
        const SysResult<void> step = handle_revoke(handle);
        if (step.status() != Status::MoreToDo) return step;
    }
}

// A RingMessage describing bytes and handles to send.
inline abi::RingMessage message_to_send(base::Span<const base::u8> bytes, base::Span<const Handle> handles = {}) {
    return abi::RingMessage{reinterpret_cast<u64>(bytes.data()), static_cast<u32>(bytes.size()), 0,
                            reinterpret_cast<u64>(handles.data()), static_cast<u32>(handles.size()), 0};
}
// A RingMessage with room to receive into.
inline abi::RingMessage message_to_receive(base::Span<base::u8> bytes, base::Span<Handle> handles = {}) {
    return abi::RingMessage{reinterpret_cast<u64>(bytes.data()), 0, static_cast<u32>(bytes.size()),
                            reinterpret_cast<u64>(handles.data()), 0, static_cast<u32>(handles.size())};
}

}  // namespace vectra::sys

// Every syscall in the list has a typed wrapper above (a missing one fails to compile here,
// naming the syscall).
#define VECTRA_CHECK_TYPED_WRAPPER(name, number, count) \
    static_assert(sizeof(&::vectra::sys::name) != 0, "syscall " #name " has no typed wrapper in user/runtime/syscalls.h");
VECTRA_SYSCALL_LIST(VECTRA_CHECK_TYPED_WRAPPER)
#undef VECTRA_CHECK_TYPED_WRAPPER
