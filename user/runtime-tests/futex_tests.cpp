// The futex: refusals, keying by physical address (one Bundle page mapped twice: a wake
// through one address reaches a waiter on the other; and a waiter in a Task with a Reticle of
// its own, sharing only that page, at another address), and a mutex built on it (the classic
// three-state futex mutex) under contention from Tasks on every CPU: the count comes out exact.
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

namespace {

namespace sys = vectra::sys;
namespace abi = vectra::abi;
using base::u32;
using base::u64;
using base::u8;
using vectra::Status;

abi::Handle grant() { return vectra::start_info()->memory_grant; }
abi::Handle self_reticle() { return vectra::start_info()->self_reticle; }

constexpr u64 kPage = 4096;
constexpr u64 kFirstAlias = vectra::layout::kFreeBase + 400 * kPage;
constexpr u64 kSecondAlias = vectra::layout::kFreeBase + 410 * kPage;

u64 top_of(u8* stack, u64 size) { return vectra::initial_stack_pointer(stack, size); }

// How long a test waits for another Task to get going (a loaded host may hold it back).
constexpr u64 kPatience = 10'000'000'000;

// Wakes one waiter on `word` (which stays 0, so its waiter always sleeps again), trying until
// one is found waiting: a wake before it sleeps finds nobody. How many it woke (0 or 1).
u64 wake_until_found_waiting(volatile u32* word) {
    u64 woken = 0;
    const u64 start = sys::clock_now();
    // Bound: kPatience.
    while (woken == 0 && sys::clock_now() - start < kPatience) {
        woken = sys::futex_wake(word, 1).value_or(0);
        if (woken == 0) (void)sys::raw::task_yield();
    }
    return woken;
}

// Waits on the word at kFirstAlias (while 0), then says so in the word after it.
[[noreturn]] void wait_on_first_alias(u64) {
    auto* word = reinterpret_cast<volatile u32*>(kFirstAlias);
    (void)sys::futex_wait(word, 0, abi::kForever);
    word[1] = 1;
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

// A waiter for a Reticle of its own, which holds only this code (copied to the start of a page
// C) and the shared page at C + 4096: for ever, futex_wait(C + 4096, 0, forever), then add 1 to
// the count at C + 4096 + 8. Position-independent (the shared page is addressed relative to the
// code), so it runs wherever the page is mapped.
extern "C" const u8 far_futex_waiter_start[];
extern "C" const u8 far_futex_waiter_end[];
static_assert(u64(abi::Syscall::futex_wait) == 83, "the waiter's code below says 83");
#if defined(__x86_64__)
asm(R"(
    .pushsection .rodata.far_futex_waiter, "a"
    .globl far_futex_waiter_start, far_futex_waiter_end
far_futex_waiter_start:
    leaq far_futex_waiter_start + 4096(%rip), %rbx
1:  movq %rbx, %rdi
    xorl %esi, %esi
    movq $-1, %rdx
    movl $83, %eax
    syscall
    lock incq 8(%rbx)
    jmp 1b
far_futex_waiter_end:
    .popsection
)");
#else
asm(R"(
    .pushsection .rodata.far_futex_waiter, "a"
    .globl far_futex_waiter_start, far_futex_waiter_end
    .balign 4
far_futex_waiter_start:
    adr x19, far_futex_waiter_start + 4096
1:  mov x0, x19
    mov x1, #0
    mov x2, #-1
    mov x8, #83
    svc #0
    add x9, x19, #8
    ldr x10, [x9]
    add x10, x10, #1
    str x10, [x9]
    b 1b
far_futex_waiter_end:
    .popsection
)");
#endif

// --- A mutex on the futex: 0 free, 1 held, 2 held with waiters ---
volatile u32 mutex_word = 0;
volatile u64 shared_count = 0;
constexpr u64 kWorkers = 4, kRounds = 3000;
alignas(16) u8 worker_stacks[kWorkers][16 * 1024];

u32 compare_exchange(volatile u32* word, u32 expected, u32 desired) {
    __atomic_compare_exchange_n(word, &expected, desired, false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED);
    return expected;  // the value seen
}

void lock(volatile u32* word) {
    u32 seen = compare_exchange(word, 0, 1);
    if (seen == 0) return;
    // Bound: each pass either takes it or sleeps until an unlock wakes one waiter.
    do {
        if (seen == 2 || compare_exchange(word, 1, 2) != 0) (void)sys::futex_wait(word, 2, abi::kForever);
    } while ((seen = compare_exchange(word, 0, 2)) != 0);
}

void unlock(volatile u32* word) {
    if (__atomic_exchange_n(word, 0u, __ATOMIC_RELEASE) == 2) (void)sys::futex_wake(word, 1);
}

[[noreturn]] void count_under_the_mutex(u64) {
    for (u64 round = 0; round < kRounds; ++round) {
        lock(&mutex_word);
        shared_count = shared_count + 1;  // a plain read-modify-write: only the mutex keeps it exact
        unlock(&mutex_word);
    }
    (void)sys::raw::task_exit(0);
    for (;;) {}
}

}  // namespace

USER_TEST(futex_wait_refuses_what_it_must) {
    static volatile u32 word = 5;
    EXPECT_EQ(sys::futex_wait(&word, 4, abi::kForever).status(), Status::WouldBlock);
    EXPECT_EQ(sys::futex_wait(&word, 5, 0).status(), Status::Timeout);
    const u64 before = sys::clock_now();
    EXPECT_EQ(sys::futex_wait(&word, 5, 2'000'000).status(), Status::Timeout);
    EXPECT(sys::clock_now() - before >= 2'000'000);
    EXPECT_EQ(sys::raw::futex_wait(reinterpret_cast<u64>(&word) + 1, 5, 0), -base::i64(Status::InvalidArgument));
    EXPECT_EQ(sys::raw::futex_wait(kFirstAlias, 0, 0), -base::i64(Status::BadAddress));  // nothing mapped there
    EXPECT_EQ(sys::raw::futex_wait(0xffff'8000'0000'0000ull, 0, 0), -base::i64(Status::BadAddress));
    EXPECT_EQ(sys::raw::futex_wait(reinterpret_cast<u64>(&word), u64(1) << 32, 0), -base::i64(Status::InvalidArgument));
    EXPECT_EQ(sys::futex_wake(&word, 10).value_or(99), 0u);  // nobody waits
}

USER_TEST(a_futex_is_the_word_not_the_address_one_page_mapped_twice) {
    auto page = sys::bundle_create(grant(), 1);
    auto waiter = sys::task_create(grant(), self_reticle(), base::StringView("futex-waiter"));
    ASSERT(page.is_ok() && waiter.is_ok());
    const u32 read_write = abi::kProtectRead | abi::kProtectWrite;
    ASSERT(sys::reticle_map(self_reticle(), page.value(), 0, kFirstAlias, kPage, read_write).is_ok());
    ASSERT(sys::reticle_map(self_reticle(), page.value(), 0, kSecondAlias, kPage, read_write).is_ok());
    auto* first = reinterpret_cast<volatile u32*>(kFirstAlias);
    auto* second = reinterpret_cast<volatile u32*>(kSecondAlias);
    first[0] = 0;
    first[1] = 0;
    static u8 stack[16 * 1024];
    ASSERT(sys::task_start(waiter.value(), reinterpret_cast<u64>(&wait_on_first_alias), top_of(stack, sizeof stack), 0).is_ok());
    // Wake through the other address until the waiter is found waiting.
    const u64 start = sys::clock_now();
    EXPECT_EQ(wake_until_found_waiting(second), 1u);
    while (second[1] == 0 && sys::clock_now() - start < kPatience) (void)sys::raw::task_yield();
    EXPECT_EQ(second[1], 1u);  // it woke and said so
    (void)sys::task_kill(waiter.value());
    (void)sys::handle_close(waiter.value());
    EXPECT(sys::reticle_unmap(self_reticle(), kFirstAlias, kPage).is_ok());
    EXPECT(sys::reticle_unmap(self_reticle(), kSecondAlias, kPage).is_ok());
    (void)sys::handle_close(page.value());
}

// Two Tasks whose Reticles share nothing but one Bundle page, mapped at different addresses: a
// wake through this Task's address reaches the waiter in the other's.
USER_TEST(a_futex_wakes_a_waiter_in_another_reticle_through_the_bundle_they_share) {
    auto reticle = sys::reticle_create(grant());
    auto code = sys::bundle_create(grant(), 1);
    auto shared = sys::bundle_create(grant(), 1);
    ASSERT(reticle.is_ok() && code.is_ok() && shared.is_ok());
    const u64 code_bytes = u64(far_futex_waiter_end - far_futex_waiter_start);
    ASSERT(sys::bundle_write(code.value(), 0, far_futex_waiter_start, code_bytes).is_ok());
    const u64 code_there = vectra::layout::kImageBase, shared_there = code_there + kPage;
    const u32 read_write = abi::kProtectRead | abi::kProtectWrite;
    ASSERT(sys::reticle_map(reticle.value(), code.value(), 0, code_there, kPage, abi::kProtectRead | abi::kProtectExecute).is_ok());
    ASSERT(sys::reticle_map(reticle.value(), shared.value(), 0, shared_there, kPage, read_write).is_ok());
    ASSERT(sys::reticle_map(self_reticle(), shared.value(), 0, kFirstAlias, kPage, read_write).is_ok());
    static_assert(kFirstAlias != vectra::layout::kImageBase + kPage, "the two addresses differ");
    auto* word = reinterpret_cast<volatile u32*>(kFirstAlias);
    auto* wakes = reinterpret_cast<volatile u64*>(kFirstAlias + 8);
    *word = 0;
    *wakes = 0;
    auto waiter = sys::task_create(grant(), reticle.value(), base::StringView("far-waiter"));
    ASSERT(waiter.is_ok());
    ASSERT(sys::task_start(waiter.value(), code_there, 0, 0).is_ok());
    // Wake through this Task's address until the waiter is found waiting.
    const u64 start = sys::clock_now();
    EXPECT_EQ(wake_until_found_waiting(word), 1u);
    while (*wakes == 0 && sys::clock_now() - start < kPatience) (void)sys::raw::task_yield();
    EXPECT(*wakes >= 1);  // it woke, and said so through the shared page
    EXPECT(sys::task_kill(waiter.value()).is_ok());
    (void)sys::handle_close(waiter.value());
    EXPECT(sys::reticle_unmap(self_reticle(), kFirstAlias, kPage).is_ok());
    (void)sys::handle_close(reticle.value());
    (void)sys::handle_close(code.value());
    (void)sys::handle_close(shared.value());
}

USER_TEST(a_futex_mutex_keeps_a_count_exact_under_contention_on_every_cpu) {
    auto ends = sys::ring_create(grant(), kWorkers);
    ASSERT(ends.is_ok());
    mutex_word = 0;
    shared_count = 0;
    abi::Handle workers[kWorkers] = {};
    for (u64 i = 0; i < kWorkers; ++i) {
        auto worker = sys::task_create(grant(), self_reticle(), base::StringView("mutex-worker"));
        ASSERT(worker.is_ok());
        workers[i] = worker.value();
        EXPECT(sys::task_set_fault_ring(worker.value(), ends.value().first).is_ok());
        ASSERT(sys::task_start(worker.value(), reinterpret_cast<u64>(&count_under_the_mutex),
                               top_of(worker_stacks[i], sizeof worker_stacks[i]), i).is_ok());
    }
    // Each worker's ending comes as a report. Bound: 60 s in all.
    u64 exited = 0;
    for (u64 i = 0; i < kWorkers; ++i) {
        abi::FaultReport report{};
        abi::RingMessage message{reinterpret_cast<u64>(&report), 0, sizeof report, 0, 0, 0};
        if (sys::ring_receive(ends.value().second, message, 60'000'000'000).is_error()) break;
        exited += report.kind == base::u32(abi::FaultKind::Exited) ? 1 : 0;
    }
    EXPECT_EQ(exited, kWorkers);
    EXPECT_EQ(shared_count, kWorkers * kRounds);
    EXPECT_EQ(mutex_word, 0u);
    for (abi::Handle worker : workers) {
        (void)sys::task_kill(worker);
        (void)sys::handle_close(worker);
    }
    (void)sys::handle_close(ends.value().first);
    (void)sys::handle_close(ends.value().second);
}
