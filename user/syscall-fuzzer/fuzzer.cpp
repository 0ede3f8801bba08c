// The syscall fuzzer: random syscalls with random arguments, from a seed. Arguments mix small
// numbers, boundary values, kernel and unmapped addresses, addresses of its own scratch memory,
// huge lengths, and handles it really holds (its start capabilities and whatever its calls
// created), so that calls get past the first checks and reach the objects. The kernel must
// answer every call with a status and never panic or hang; the fuzzer only avoids killing,
// stopping or unmapping itself, and keeps its original console capability out of reach (those
// would end the run or silence its report, not test the kernel).
// Arguments: "seed=N calls=N" (defaults 1 and 100000).
#include "user/runtime/arguments.h"
#include "user/runtime/console.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscall_raw.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace abi = vectra::abi;
using base::u64;

namespace {

struct Random {
    u64 state;
    u64 next() {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        return state;
    }
    u64 below(u64 bound) { return next() % bound; }
};

constexpr abi::Syscall kCalls[] = {
#define X(name, number, count) abi::Syscall::name,
    VECTRA_SYSCALL_LIST(X)
#undef X
};

alignas(64) base::u8 scratch[4 * 4096];

// Where the fuzzer's own new threads start: thread_exit at once, touching no stack (they may
// be given any stack pointer). A random entry would fault, and a fault ends the whole Task.
extern "C" [[noreturn]] void fuzzer_thread_exits_at_once();
#if defined(__x86_64__)
asm(".text\n.global fuzzer_thread_exits_at_once\nfuzzer_thread_exits_at_once:\n"
    "  mov $91, %eax\n  xor %edi, %edi\n  syscall\n  ud2\n");
#else
asm(".text\n.global fuzzer_thread_exits_at_once\nfuzzer_thread_exits_at_once:\n"
    "  mov x8, #91\n  mov x0, #0\n  svc #0\n  brk #0\n");
#endif
static_assert(static_cast<u64>(abi::Syscall::thread_exit) == 91, "fuzzer_thread_exits_at_once calls it by number");
abi::Handle held[64];
base::u32 held_count = 0;

void hold(abi::Handle handle) {
    if (handle == abi::kNoHandle || handle > 0xffff'ffff) return;
    held[held_count++ % 64] = handle;
}

u64 argument(Random& random) {
    switch (random.below(12)) {
        case 0: return 0;
        case 1: return random.below(8);
        case 2: return random.next();
        case 3: return held_count == 0 ? 0 : held[random.below(held_count < 64 ? held_count : 64)];
        case 4: return held_count == 0 ? 1 : held[random.below(held_count < 64 ? held_count : 64)];
        case 5: return reinterpret_cast<u64>(scratch) + random.below(sizeof scratch);
        case 6: return 0xffff'8000'0000'0000ull + random.below(1u << 30);  // kernel half (x86_64 direct map)
        case 7: return 0xffff'0000'0000'1000ull;                             // kernel half (aarch64 direct map)
        case 8: return 0x0000'7fff'ffff'f000ull - random.below(3) * 8;      // the top of the user half
        case 9: return ~u64(0) - random.below(4096);                        // wraps
        case 10: return u64(1) << random.below(64);
        default: return 0x1000 + random.below(0x10000);                     // the null region
    }
}

struct Tally {
    u64 calls = 0, ok = 0, refused = 0;
    u64 by_status[32] = {};
};

void fuzz(u64 seed, u64 calls, Tally& tally) {
    const vectra::StartInfo& start = *vectra::start_info();
    hold(start.memory_grant);
    // A copy of the console capability, not the original: closing, sending away or rebinding
    // it is fair game, and the report still reaches the console at the end.
    if (auto console = vectra::sys::handle_derive(start.console, abi::kRightsAll); console.is_ok()) hold(console.value());
    Random random{seed * 0x9e37'79b9'7f4a'7c15ull + 1};
    // Bound: every pass makes a call or skips one; skips are a fraction of passes.
    for (u64 pass = 0; tally.calls < calls && pass < 4 * calls; ++pass) {
        const abi::Syscall call = kCalls[random.below(sizeof kCalls / sizeof kCalls[0])];
        u64 a[6];
        for (u64& value : a) value = argument(random);
        // Never end or freeze ourselves: that would stop the run, not test the kernel.
        if (call == abi::Syscall::task_exit || call == abi::Syscall::thread_exit) continue;
        if (call == abi::Syscall::thread_create && random.below(4) != 0) a[0] = reinterpret_cast<u64>(&fuzzer_thread_exits_at_once);
        if (call == abi::Syscall::thread_create && a[0] != reinterpret_cast<u64>(&fuzzer_thread_exits_at_once))
            a[0] |= 0xffff'8000'0000'0000ull;  // else refused: an entry in the kernel half
        if ((call == abi::Syscall::task_kill || call == abi::Syscall::task_stop) && a[0] == start.self_task) continue;
        if ((call == abi::Syscall::reticle_unmap || call == abi::Syscall::reticle_protect || call == abi::Syscall::reticle_map) &&
            a[0] == start.self_reticle)
            continue;
        // Waits are bounded: a random timeout could be forever.
        if (call == abi::Syscall::signal_wait) a[2] = random.below(2) * 1000;
        if (call == abi::Syscall::ring_send || call == abi::Syscall::ring_receive) a[2] = random.below(2) * 1000;
        if (call == abi::Syscall::ring_call) a[3] = random.below(2) * 1000;
        if (call == abi::Syscall::futex_wait) a[2] = random.below(2) * 1000;
        if (call == abi::Syscall::thread_join) a[2] = random.below(2) * 1000;
        // Creating calls get a real grant half the time, so objects do get made.
        if (call == abi::Syscall::signal_create || call == abi::Syscall::bundle_create || call == abi::Syscall::reticle_create ||
            call == abi::Syscall::ring_create || call == abi::Syscall::grant_split || call == abi::Syscall::task_create) {
            if (random.below(2) == 0) a[0] = start.memory_grant;
            if (call == abi::Syscall::bundle_create || call == abi::Syscall::grant_split) a[1] = random.below(4) + 1;
            if (call == abi::Syscall::ring_create) {
                a[1] = random.below(4) + 1;
                a[2] = reinterpret_cast<u64>(scratch);
            }
        }
        const base::i64 result = vectra::sys::arch::syscall6(static_cast<u64>(call), a[0], a[1], a[2], a[3], a[4], a[5]);
        ++tally.calls;
        if (result >= 0) {
            ++tally.ok;
            if (call == abi::Syscall::handle_derive || call == abi::Syscall::signal_create || call == abi::Syscall::bundle_create ||
                call == abi::Syscall::reticle_create || call == abi::Syscall::grant_split || call == abi::Syscall::task_create ||
                call == abi::Syscall::task_give)
                hold(static_cast<u64>(result));
            if (call == abi::Syscall::ring_create) {
                hold(reinterpret_cast<abi::Handle*>(scratch)[0]);
                hold(reinterpret_cast<abi::Handle*>(scratch)[1]);
            }
        } else {
            ++tally.refused;
            const u64 status = static_cast<u64>(-result);
            ++tally.by_status[status < 32 ? status : 31];
            // A full table stops new objects: give one back so the run keeps reaching them.
            if (status == u64(abi::Status::TableFull) && held_count > 2) {
                const u64 index = 2 + random.below((held_count < 64 ? held_count : 64) - 2);
                (void)vectra::sys::handle_close(held[index]);
            }
        }
    }
}


}  // namespace

int main(const vectra::StartInfo& start) {
    const base::StringView arguments(start.arguments, start.arguments_length);
    const u64 seed = vectra::arguments::number(arguments, base::StringView("seed="), 1);
    const u64 calls = vectra::arguments::number(arguments, base::StringView("calls="), 100000);
    Tally tally;
    const u64 started = static_cast<u64>(vectra::sys::raw::clock_now());
    fuzz(seed, calls, tally);
    const u64 elapsed = static_cast<u64>(vectra::sys::raw::clock_now()) - started;
    vectra::println("syscall fuzzer: seed {}, {} calls in {} ms: {} succeeded, {} refused", seed, tally.calls, elapsed / 1'000'000,
                    tally.ok, tally.refused);
    for (u64 status = 1; status < 32; ++status) {
        if (tally.by_status[status] != 0)
            vectra::println("  {}: {}", abi::status_name(static_cast<abi::Status>(status)), tally.by_status[status]);
    }
    // The run is a pass when the kernel answered every call (we are still here) and both kinds
    // of answer occurred: a run that only ever got refusals never reached an object.
    const bool passed = tally.calls > 0 && tally.ok > 0 && tally.refused > 0;
    vectra::println("{} passed, {} failed", passed ? 1 : 0, passed ? 0 : 1);
    return passed ? 0 : 1;
}
