// Not a unit test: compiled in kernel mode (freestanding, no exceptions or RTTI, general
// registers only) for x86_64 and aarch64 by CMakeLists.txt, to prove every base header and
// template builds where the kernel builds. Each function instantiates one part.
#include "base/atomic.h"
#include "base/bitmap.h"
#include "base/error.h"
#include "base/fixed_vector.h"
#include "base/format.h"
#include "base/intrusive_list.h"
#include "base/optional.h"
#include "base/result.h"
#include "base/span.h"
#include "base/spinlock.h"
#include "base/string_view.h"
#include "base/type_traits.h"
#include "base/types.h"
#include "base/utility.h"

#if __STDC_HOSTED__
#error "freestanding_check.cpp must be compiled with -ffreestanding"
#endif

namespace {

using namespace base;

struct NonTrivial {
    int value;
    explicit NonTrivial(int v) : value(v) {}
    NonTrivial(const NonTrivial& other) : value(other.value) {}
    NonTrivial& operator=(const NonTrivial& other) {
        value = other.value;
        return *this;
    }
    ~NonTrivial() { value = -1; }
};

struct Waiter {
    u64 id;
    IntrusiveListNode node;
};

// Globals the kernel would have: all constant-initialized, none needing a destructor.
constinit Spinlock global_lock;
constinit Atomic<u64> global_counter{0};
constinit IntrusiveList<Waiter, &Waiter::node> global_waiters;
constinit FixedVector<u64, 8> global_table;
constinit Optional<u64> global_maybe;

Result<u64> parse(StringView text) {
    if (text.empty()) return make_error(ErrorCode::Malformed, "check: empty text");
    u64 value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return make_error(ErrorCode::Malformed, "check: not a digit");
        if (!checked_mul(value, 10u, &value) || !checked_add(value, c - '0', &value))
            return make_error(ErrorCode::Overflow, "check: number too large");
    }
    return value;
}

Result<void> require_even(u64 value) {
    if (value % 2 != 0) return make_error(ErrorCode::InvalidArgument, "check: odd");
    return {};
}

Result<NonTrivial> parse_even(StringView text) {
    const u64 value = TRY(parse(text));
    TRY(require_even(value));
    return NonTrivial(static_cast<int>(value));
}

}  // namespace

extern "C" u64 check_result(const char* text) {
    auto result = parse_even(text);
    return result.is_ok() ? static_cast<u64>(result.value().value) : static_cast<u64>(result.error().code);
}

extern "C" u64 check_containers(u64* words) {
    Optional<NonTrivial> maybe(NonTrivial(3));
    maybe.reset();
    maybe.emplace(4);
    FixedVector<NonTrivial, 4> vector;
    if (!vector.try_append(NonTrivial(1)) || !vector.insert_at(0, NonTrivial(2))) return 0;
    vector.remove_at(1);
    Span<const NonTrivial> view = vector.span();
    Bitmap bitmap(words, 1000);
    bitmap.clear_range(0, 1000);
    bitmap.set_range(3, 70);
    const auto run = bitmap.find_clear_run(64, 64);
    const auto clear = bitmap.find_first_clear(2);
    global_table.clear();
    global_maybe = run;
    return view[0].value + maybe->value + run.value_or(0) + clear.value_or(0) + bitmap.count_set() + global_maybe.value_or(1);
}

extern "C" u64 check_concurrency(Waiter* waiter) {
    SpinlockGuard guard(global_lock);
    global_waiters.push_back(*waiter);
    Atomic<Waiter*> cursor{waiter};
    cursor.fetch_add(1, MemoryOrder::AcqRel);
    Atomic<bool> flag;
    flag.store(true, MemoryOrder::Release);
    u64 expected = 0;
    (void)global_counter.compare_exchange_strong(expected, 1, MemoryOrder::AcqRel);
    atomic_thread_fence(MemoryOrder::SeqCst);
    Waiter* first = global_waiters.pop_front();
    return global_counter.fetch_add(1) + (first ? first->id : 0) + (flag.load() ? 1 : 0);
}

extern "C" usize check_format(char* buffer, usize size, const void* pointer) {
    enum class Kind : u8 { First, Second };
    return format_to(buffer, size, "{} {:#018x} {:>8} {:<8} {:b} {:c} {} {} {} {} {} {}", -5, u64(1) << 40, "right", StringView("left"), u8(5),
                     65, true, 'x', pointer, Kind::Second, make_error(ErrorCode::Busy, "check: busy"), nullptr);
}
