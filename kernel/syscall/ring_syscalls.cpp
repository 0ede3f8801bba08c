// ring_create, ring_send, ring_receive, ring_call, ring_notify.
#include "kernel/object/bundle.h"
#include "kernel/object/ring.h"
#include "kernel/object/signal.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

namespace {

// Copies a send descriptor and everything it points at into the kernel.
struct OutgoingMessage {
    base::u8 bytes[abi::kMessageMaxBytes];
    abi::Handle handles[abi::kMessageMaxHandles];
    base::u32 byte_count = 0;
    base::u32 handle_count = 0;
};

// Copies what a send descriptor (already copied in) points at into the kernel.
Status copy_in_outgoing(const abi::RingMessage& message, OutgoingMessage& out) {
    if (message.byte_count > abi::kMessageMaxBytes || message.handle_count > abi::kMessageMaxHandles) return Status::TooLarge;
    if (!arch::copy_from_user(out.bytes, message.bytes, message.byte_count)) return Status::BadAddress;
    if (!arch::copy_from_user(out.handles, message.handles, message.handle_count * sizeof(abi::Handle))) return Status::BadAddress;
    out.byte_count = message.byte_count;
    out.handle_count = message.handle_count;
    return Status::Ok;
}

Status copy_in_outgoing(base::u64 user_message, OutgoingMessage& out) {
    abi::RingMessage message;
    if (!arch::copy_from_user(&message, user_message, sizeof message)) return Status::BadAddress;
    return copy_in_outgoing(message, out);
}

Result receive_into(Task& task, Ring& ring, base::u64 user_message, base::u64 deadline) {
    abi::RingMessage message;
    if (!arch::copy_from_user(&message, user_message, sizeof message)) return fail(Status::BadAddress);
    return from(ring.receive(message, user_message, task.table(), deadline));
}

}  // namespace

Result ring_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::ring_create: {
            // (grant, capacity, address of two Handles to fill)
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            if (arguments[1] == 0 || arguments[1] > abi::kRingMaxCapacity) return fail(Status::InvalidArgument);
            const abi::Handle zero[2] = {};
            if (!arch::copy_to_user(arguments[2], zero, sizeof zero)) return fail(Status::BadAddress);
            if (!task.table().has_free_slots(2)) return fail(Status::TableFull);
            const Ring::Pair pair = TRY_SYSCALL(Ring::create(*grant, static_cast<base::u32>(arguments[1])));
            const abi::Handle handles[2] = {task.table().insert_root(*pair.ends[0], abi::kRightsAll).value(),
                                            task.table().insert_root(*pair.ends[1], abi::kRightsAll).value()};
            (void)arch::copy_to_user(arguments[2], handles, sizeof handles);
            return ok();
        }
        case Syscall::ring_send: {
            Ring* ring = TRY_SYSCALL(lookup<Ring>(task, arguments[0], abi::kRightWrite));
            OutgoingMessage local;
            const Status copied = copy_in_outgoing(arguments[1], local);
            if (copied != Status::Ok) return fail(copied);
            ring->retain();
            const Status sent = ring->send(local.bytes, local.byte_count, base::Span<const abi::Handle>(local.handles, local.handle_count),
                                           task.table(), deadline_after(arguments[2]));
            ring->release();
            return from(sent);
        }
        case Syscall::ring_receive: {
            Ring* ring = TRY_SYSCALL(lookup<Ring>(task, arguments[0], abi::kRightRead));
            ring->retain();
            const Result result = receive_into(task, *ring, arguments[1], deadline_after(arguments[2]));
            ring->release();
            return result;
        }
        case Syscall::ring_call: {
            // (ring, send descriptor, receive descriptor, timeout): send, then wait for the reply.
            Ring* ring = TRY_SYSCALL(lookup<Ring>(task, arguments[0], abi::kRightWrite | abi::kRightRead));
            abi::RingMessage request, reply;
            if (!arch::copy_from_user(&request, arguments[1], sizeof request)) return fail(Status::BadAddress);
            const base::u64 deadline = deadline_after(arguments[3]);
            ring->retain();
            Status status = Status::Ok;
            if (arch::copy_from_user(&reply, arguments[2], sizeof reply) &&
                ring->call_fast(request, reply, arguments[2], task.table(), deadline, status)) {
                ring->release();
                return from(status);
            }
            OutgoingMessage local;
            const Status copied = copy_in_outgoing(request, local);
            if (copied != Status::Ok) {
                ring->release();
                return fail(copied);
            }
            const Status sent = ring->send(local.bytes, local.byte_count, base::Span<const abi::Handle>(local.handles, local.handle_count),
                                           task.table(), deadline);
            const Result result = sent == Status::Ok ? receive_into(task, *ring, arguments[2], deadline) : fail(sent);
            ring->release();
            return result;
        }
        case Syscall::ring_notify: {
            // (ring, signal or kNoHandle to unbind, bits)
            Ring* ring = TRY_SYSCALL(lookup<Ring>(task, arguments[0], abi::kRightRead));
            if (arguments[1] == abi::kNoHandle) {
                ring->notify(nullptr, 0);
                return ok();
            }
            Signal* signal = TRY_SYSCALL(lookup<Signal>(task, arguments[1], abi::kRightWrite));
            if (arguments[2] == 0 || (arguments[2] & ~abi::kSignalBitsMask) != 0) return fail(Status::InvalidArgument);
            ring->notify(signal, arguments[2]);
            return ok();
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
