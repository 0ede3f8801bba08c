// The VectraOS system-call ABI: the one source of truth shared by the kernel, userland and the
// host tools. Syscall numbers, status codes, rights, object kinds, and the layouts of messages
// and fault reports that cross the user/kernel boundary. docs/abi.md explains each syscall; a
// test checks that document against the lists here, so change both together.
//
// Calling convention
//   x86_64:  `syscall`; number in rax; arguments rdi, rsi, rdx, r10, r8, r9; result in rax.
//            rcx and r11 are clobbered (the CPU uses them); every other register is preserved.
//   aarch64: `svc #0`; number in x8; arguments x0-x5; result in x0; every other register is
//            preserved.
// The result is a signed 64-bit word: >= 0 is success (a handle, a count, a value), < 0 is the
// negated Status. A syscall that fails changes nothing (decode, then invoke).
#pragma once

#include "base/types.h"

namespace vectra::abi {

using base::i64;
using base::u16;
using base::u32;
using base::u64;
using base::u8;

// --- Status codes: a failed syscall returns -code. Zero is success.
#define VECTRA_STATUS_LIST(X)                                                                   \
    X(Ok, 0, "success")                                                                         \
    X(BadSyscall, 1, "no syscall has this number")                                              \
    X(BadHandle, 2, "the handle names no capability (empty slot, or a stale generation)")       \
    X(WrongKind, 3, "the capability is not of the kind this syscall needs")                     \
    X(MissingRights, 4, "the capability lacks a right this syscall needs")                      \
    X(BadAddress, 5, "a user pointer is unmapped, misaligned, wraps, or is in kernel space")    \
    X(InvalidArgument, 6, "an argument is out of its range")                                    \
    X(OutOfMemory, 7, "the memory grant (or a bounded pool) is exhausted")                      \
    X(TableFull, 8, "the capability table has no free slot")                                    \
    X(WouldBlock, 9, "a non-blocking operation could not proceed now")                          \
    X(Timeout, 10, "the timeout passed first")                                                  \
    X(PeerClosed, 11, "the other end of the Ring is gone")                                      \
    X(TooLarge, 12, "a message or buffer is larger than its bound")                             \
    X(AlreadyExists, 13, "the range or binding already exists")                                 \
    X(NotFound, 14, "nothing is mapped or bound there")                                         \
    X(BadState, 15, "the object is not in a state that allows this (e.g. starting a started Task)") \
    X(MoreToDo, 16, "a bounded step finished; call again to continue (revoke)")                 \
    X(Unsupported, 17, "this architecture or object does not offer it")

enum class Status : i64 {
#define X(name, value, text) name = value,
    VECTRA_STATUS_LIST(X)
#undef X
};

constexpr const char* status_text(Status status) {
    switch (status) {
#define X(name, value, text) \
    case Status::name: return text;
        VECTRA_STATUS_LIST(X)
#undef X
    }
    return "unknown status";
}

constexpr const char* status_name(Status status) {
    switch (status) {
#define X(name, value, text) \
    case Status::name: return #name;
        VECTRA_STATUS_LIST(X)
#undef X
    }
    return "Unknown";
}

// --- Syscall numbers. X(name, number, argument count).
#define VECTRA_SYSCALL_LIST(X)        \
    X(handle_close, 0, 1)             \
    X(handle_derive, 1, 2)            \
    X(handle_revoke, 2, 1)            \
    X(handle_info, 3, 2)              \
    X(task_create, 10, 4)             \
    X(task_give, 11, 3)               \
    X(task_start, 12, 4)              \
    X(task_stop, 13, 1)               \
    X(task_resume, 14, 1)             \
    X(task_kill, 15, 1)               \
    X(task_set_priority, 16, 2)       \
    X(task_set_fault_ring, 17, 2)     \
    X(task_exit, 18, 1)               \
    X(task_yield, 19, 0)              \
    X(ring_create, 20, 3)             \
    X(ring_send, 21, 3)               \
    X(ring_receive, 22, 3)            \
    X(ring_call, 23, 4)               \
    X(ring_notify, 24, 3)             \
    X(signal_create, 30, 1)           \
    X(signal_raise, 31, 2)            \
    X(signal_clear, 32, 2)            \
    X(signal_wait, 33, 3)             \
    X(mask_bind, 40, 3)               \
    X(mask_acknowledge, 41, 1)        \
    X(bundle_create, 50, 2)           \
    X(bundle_info, 51, 2)             \
    X(bundle_read, 52, 4)             \
    X(bundle_write, 53, 4)            \
    X(bundle_port_io, 54, 4)          \
    X(grant_split, 55, 2)             \
    X(reticle_create, 60, 1)          \
    X(reticle_map, 61, 6)             \
    X(reticle_unmap, 62, 3)           \
    X(reticle_protect, 63, 4)         \
    X(clock_now, 70, 0)               \
    X(cpu_count, 80, 0)               \
    X(cpu_current, 81, 0)             \
    X(task_set_affinity, 82, 2)       \
    X(futex_wait, 83, 3)              \
    X(futex_wake, 84, 2)              \
    X(cpu_online_mask, 85, 0)         \
    X(thread_create, 90, 3)           \
    X(thread_exit, 91, 1)             \
    X(thread_join, 92, 3)             \
    X(thread_detach, 93, 1)           \
    X(thread_self, 94, 0)             \
    X(thread_set_tls, 95, 1)          \
    X(thread_set_affinity, 96, 2)

enum class Syscall : u64 {
#define X(name, number, arguments) name = number,
    VECTRA_SYSCALL_LIST(X)
#undef X
};
inline constexpr u64 kSyscallLimit = 97;  // every number is below this
#define X(name, number, arguments) static_assert(number < kSyscallLimit, "kSyscallLimit bounds every syscall number");
VECTRA_SYSCALL_LIST(X)
#undef X

// --- Handles: a handle names a slot in the calling Task's capability table and carries the
// slot's generation, so a handle kept after its capability was closed or revoked is refused
// (BadHandle) rather than naming whatever fills the slot next.
//   bits 0-11: slot; bits 12-31: generation (never 0 for a live capability). 0 is never valid.
using Handle = u32;
inline constexpr u32 kHandleSlotBits = 12;
inline constexpr u32 kMaxCapabilitySlots = 1u << kHandleSlotBits;
inline constexpr u32 kHandleGenerationMask = (1u << (32 - kHandleSlotBits)) - 1;
inline constexpr Handle kNoHandle = 0;
// The slots in each Task's table today (handles could address kMaxCapabilitySlots).
inline constexpr u32 kTaskCapabilitySlots = 256;
constexpr u32 handle_slot(Handle handle) { return handle & (kMaxCapabilitySlots - 1); }
constexpr u32 handle_generation(Handle handle) { return handle >> kHandleSlotBits; }
constexpr Handle make_handle(u32 slot, u32 generation) { return (generation << kHandleSlotBits) | slot; }

// --- Object kinds.
enum class ObjectKind : u32 { None = 0, Task = 1, Ring = 2, Signal = 3, Mask = 4, Bundle = 5, Reticle = 6 };

// Bundles come in flavours: RAM pages, device registers (MMIO), an x86_64 I/O-port range, or a
// memory grant (a quota of RAM that pays for new objects; never mapped).
enum class BundleFlavour : u32 { Memory = 0, Device = 1, Ports = 2, Grant = 3 };

// --- Rights: bits on a capability. Deriving or transferring can only clear bits.
enum Rights : u32 {
    kRightRead = 1u << 0,      // observe: receive, wait, read, info
    kRightWrite = 1u << 1,     // change: send, raise, write, map into, start/stop/kill
    kRightExecute = 1u << 2,   // map a Bundle executable
    kRightMap = 1u << 3,       // map a Bundle at all
    kRightTransfer = 1u << 4,  // send over a Ring or give to another Task
    kRightDerive = 1u << 5,    // make a narrowed copy (handle_derive)
    kRightRevoke = 1u << 6,    // destroy everything derived from this capability
    // Per-kind rights.
    kRightPhysical = 1u << 8,   // Bundle: learn its physical address (DMA)
    kRightSupervise = 1u << 9,  // Task: receive its faults, set its fault Ring, priority
    kRightAllocate = 1u << 10,  // Bundle (grant): pay for new objects
    kRightsAll = 0x7ff,
};

// --- Signals carry 63 event bits: bit 63 is refused (InvalidArgument), so that the bits a
// wait returns can never look like a negative status.
inline constexpr u64 kSignalBitsMask = ~(u64(1) << 63);

// --- Threads: a Task runs at most kTaskThreadMax threads at once (its first, from task_start,
// included). A thread id names a slot of the Task's thread table and carries the slot's
// generation, like a handle, so an id kept after its thread was joined or detached is refused:
//   bits 0-7: slot; bits 8-31: generation (never 0). 0 is never a thread id.
using ThreadId = u32;
inline constexpr u32 kTaskThreadMax = 64;
inline constexpr u32 kThreadSlotBits = 8;
static_assert(kTaskThreadMax <= (1u << kThreadSlotBits));
constexpr u32 thread_slot(ThreadId id) { return id & ((1u << kThreadSlotBits) - 1); }
constexpr u32 thread_generation(ThreadId id) { return id >> kThreadSlotBits; }
constexpr ThreadId make_thread_id(u32 slot, u32 generation) { return (generation << kThreadSlotBits) | slot; }

// --- Priorities: 0 (lowest) to kPriorityLevels - 1. New Tasks start at kPriorityDefault.
inline constexpr u32 kPriorityLevels = 32;
inline constexpr u32 kPriorityDefault = 16;

// --- Timeouts (nanoseconds, relative). 0 never blocks; kForever waits without limit.
inline constexpr u64 kTimeoutNone = 0;
inline constexpr u64 kForever = ~u64(0);

// --- User address space: programs live in [kUserSpaceBase, kUserSpaceEnd). The first 64 KiB
// stay unmapped so that null and small offsets from it fault; the top page below the
// canonical boundary is excluded so that no return address can be non-canonical.
inline constexpr u64 kPageSize = 4096;
inline constexpr u64 kUserSpaceBase = 0x10000;
inline constexpr u64 kUserSpaceEnd = 0x0000'7fff'ffff'f000;

// --- Rings: messages carry up to kMessageMaxBytes bytes and kMessageMaxHandles capabilities.
inline constexpr u32 kMessageMaxBytes = 256;
inline constexpr u32 kMessageMaxHandles = 4;
inline constexpr u32 kRingMaxCapacity = 64;  // messages queued in one direction

// The message descriptor a user passes to ring_send / ring_receive / ring_call. The kernel
// reads it (and the buffers it points at) on send, and writes byte_count / handle_count back
// on receive. Handles received land in the receiver's table; their values are written to
// `handles`.
struct RingMessage {
    u64 bytes;            // user address of the byte buffer
    u32 byte_count;       // send: bytes to send; receive: bytes received
    u32 byte_capacity;    // receive: size of the buffer
    u64 handles;          // user address of an array of Handle
    u32 handle_count;     // send: handles to transfer; receive: handles received
    u32 handle_capacity;  // receive: room in the array
};
static_assert(sizeof(RingMessage) == 32);


// --- Faults and endings: what a supervisor's fault Ring receives about a child Task, as the
// bytes of one message (no handles).
enum class FaultKind : u32 {
    Exited = 0,             // the task called task_exit(status): `status` holds it
    PageFaultRead = 1,      // `address` holds the faulting data address
    PageFaultWrite = 2,
    PageFaultExecute = 3,   // instruction fetch from a non-executable or unmapped page
    IllegalInstruction = 4,
    Breakpoint = 5,
    Alignment = 6,
    Arithmetic = 7,         // divide error and friends
    Other = 8,
    Killed = 9,             // task_kill by someone holding the Task with kRightWrite
};
inline constexpr u32 kTaskNameMax = 16;
struct FaultReport {
    u32 kind;                  // FaultKind
    u32 task_id;               // the kernel's id for the Task (stable while it lives)
    char task_name[kTaskNameMax];  // NUL-padded
    u64 pc;
    u64 address;
    u64 status;                // exit status (Exited) or the architecture's raw fault code
    u32 thread_id;             // a ThreadId: the thread that faulted or exited last; 0: the Task as a whole
    u32 reserved;
};
static_assert(sizeof(FaultReport) == 56);

// bundle_info / handle_info results.
struct HandleInfo {
    u32 kind;    // ObjectKind
    u32 rights;  // Rights
    u64 object_id;
};
struct BundleInfo {
    u32 flavour;  // BundleFlavour
    u32 reserved;
    u64 size;     // bytes (pages for Memory/Device; ports for Ports; quota bytes for Grant)
    u64 physical; // base physical address (0 unless the capability has kRightPhysical)
};

// A Reticle holds at most this many mappings (reticle_map answers TooLarge beyond).
inline constexpr u32 kReticleMaxMappings = 64;

// bundle_port_io's access word: the width in bytes (1, 2 or 4), plus kPortAccessWrite for an
// `out` (else an `in`, whose value is the result).
inline constexpr u64 kPortAccessWrite = 0x100;

// reticle_map / reticle_protect protections.
enum Protection : u32 { kProtectRead = 1, kProtectWrite = 2, kProtectExecute = 4 };

// --- How the kernel starts init: its ELF segments as the file says, a stack of kInitStackSize
// bytes ending at kInitStackTop (read+write, never executable), a BootCapabilities copied to the
// top of that stack, the first thread's argument (rdi / x0) its address, and the stack pointer
// just below it (16-byte aligned).
inline constexpr u64 kInitStackTop = 0x7fff'0000'0000;
inline constexpr u64 kInitStackSize = 256 * 1024;

// --- The initial capabilities init receives, at fixed slots of its table (handles with
// generation 1), and the start registers: arg0 = address of a BootCapabilities in init's
// memory.
struct BootCapabilities {
    u32 self_task;
    u32 self_reticle;
    u32 memory_grant;
    u32 boot_bundle;       // a read-only Memory Bundle holding the boot bundle archive
    u32 console_bundle;    // the UART's registers (Device) or I/O ports (Ports, x86_64)
    u32 console_mask;      // the UART's interrupt line
    u32 reserved[10];
    u64 boot_bundle_size;  // bytes
    u64 console_kind;      // 0 = 16550 at ports, 1 = PL011 MMIO
    char command_line[256];
};

}  // namespace vectra::abi
