// hang=1 on the command line: a deliberate hang, for the test that proves a timed-out check
// dumps every CPU's state (host/qemu/qemu.py --mode hang). A "spinner" Task pinned to each CPU
// but the first, a "sleeper" asleep on a futex with a deadline an hour away, and this program
// making syscalls in a loop on the first CPU, so the dump shows user mode, the kernel lock and a
// thread waiting on a queue. Never returns.
#include "user/runtime-tests/stress.h"
#include "user/runtime/console.h"

namespace stress {
namespace {

alignas(16) u8 spinner_stacks[64][8 * 1024];
alignas(16) u8 sleeper_stack[8 * 1024];
alignas(4) volatile u32 nobody_wakes = 0;

[[noreturn]] void spin(u64) {
    for (volatile u64 turns = 0;; turns = turns + 1) {}
}

[[noreturn]] void sleep_an_hour(u64) {
    for (;;) (void)sys::futex_wait(&nobody_wakes, 0, 3600ull * 1'000'000'000);
}

}  // namespace

[[noreturn]] void hang_every_cpu() {
    (void)sys::task_set_affinity(self_task(), 1);
    const u64 count = cpus() < 64 ? cpus() : 64;
    for (u64 cpu = 1; cpu < count; ++cpu)
        (void)start_task("spinner", abi::kNoHandle, u64(1) << cpu, &spin, spinner_stacks[cpu], 0);
    (void)start_task("sleeper", abi::kNoHandle, all_cpus(), &sleep_an_hour, sleeper_stack, 0);
    pause_ms(100);
    vectra::println("hang: every CPU is busy");
    // Bound: none, on purpose (the check's timeout ends it).
    for (;;) (void)sys::cpu_current();
}

}  // namespace stress
