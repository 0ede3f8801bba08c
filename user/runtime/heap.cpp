// The program's heap over Bundles mapped through its own Reticle (see heap.h).
#include "user/runtime/heap.h"

#include "base/spinlock.h"
#include "base/utility.h"
#include "user/runtime/console.h"
#include "user/runtime/layout.h"
#include "user/runtime/memory_functions.h"
#include "user/runtime/new.h"
#include "user/runtime/syscalls.h"

namespace vectra::heap {
namespace {

// Memory from Bundles: the arena grows upwards from kHeapBase; large blocks are placed from
// kLargeBase, reusing a released range when one is big enough.
class BundlePageSource final : public PageSource {
public:
    void set_capabilities(abi::Handle reticle, abi::Handle grant) {
        reticle_ = reticle;
        grant_ = grant;
    }

    void* grow(usize bytes) override {
        if (layout::kHeapLimit - arena_end_ < bytes) return fail(Status::OutOfMemory);
        if (!map_new_bundle(arena_end_, bytes)) return nullptr;
        void* memory = reinterpret_cast<void*>(arena_end_);
        arena_end_ += bytes;
        return memory;
    }

    void* map_large(usize bytes, u32& token) override {
        u64 address = take_released_range(bytes);
        if (address == 0) {
            if (layout::kLargeLimit - large_end_ < bytes + abi::kPageSize) return fail(Status::OutOfMemory);
            address = large_end_;
            large_end_ += bytes + abi::kPageSize;  // an unmapped guard page after each large block
        }
        if (!map_new_bundle(address, bytes)) {
            release_range(address, bytes);
            return nullptr;
        }
        token = 0;
        return reinterpret_cast<void*>(address);
    }

    // Unmapping drops the mapping's reference, the Bundle's last: its pages go back to the grant.
    void release_large(void* address, usize bytes, u32) override {
        const auto where = reinterpret_cast<u64>(address);
        (void)sys::reticle_unmap(reticle_, where, bytes);
        release_range(where, bytes);
    }

    Status last_failure() const { return last_failure_; }

private:
    static constexpr usize kMaxReleasedRanges = 32;
    struct Range {
        u64 address;
        u64 bytes;
    };

    void* fail(Status status) {
        last_failure_ = status;
        return nullptr;
    }

    // A new Memory Bundle of `bytes` mapped read-write at `address`; false on failure, with
    // nothing left behind. The handle is closed at once: the mapping holds the Bundle alive
    // (a Task's table has few slots), and unmapping frees it.
    bool map_new_bundle(u64 address, usize bytes) {
        const SysResult<abi::Handle> bundle = sys::bundle_create(grant_, bytes / abi::kPageSize);
        if (bundle.is_error()) {
            last_failure_ = bundle.error();
            return false;
        }
        const SysResult<void> mapped =
            sys::reticle_map(reticle_, bundle.value(), 0, address, bytes, abi::kProtectRead | abi::kProtectWrite);
        (void)sys::handle_close(bundle.value());
        if (mapped.is_error()) {
            last_failure_ = mapped.error();
            return false;
        }
        return true;
    }

    // First fit among released large ranges; the range keeps its full size (and guard page).
    u64 take_released_range(usize bytes) {
        for (usize i = 0; i < released_count_; ++i) {
            if (released_[i].bytes >= bytes) {
                const u64 address = released_[i].address;
                released_[i] = released_[--released_count_];
                return address;
            }
        }
        return 0;
    }
    void release_range(u64 address, usize bytes) {
        if (released_count_ < kMaxReleasedRanges) released_[released_count_++] = Range{address, bytes};
        // Else the address range is simply not reused; the large range is 128 GiB.
    }

    abi::Handle reticle_ = abi::kNoHandle;
    abi::Handle grant_ = abi::kNoHandle;
    u64 arena_end_ = layout::kHeapBase;
    u64 large_end_ = layout::kLargeBase;
    Range released_[kMaxReleasedRanges] = {};
    usize released_count_ = 0;
    Status last_failure_ = Status::Ok;
};

BundlePageSource page_source;
Allocator allocator(page_source);
base::Spinlock lock;

// Another thread of this Task may hold the lock while preempted: yield rather than spin.
class HeapGuard {
public:
    HeapGuard() {
        while (!lock.try_lock()) (void)sys::task_yield();
    }
    ~HeapGuard() { lock.unlock(); }
};

[[noreturn]] void refuse_free(void* pointer, FreeOutcome outcome) {
    console::print_unbuffered_line(outcome == FreeOutcome::DoubleFree ? "heap: a block was freed twice"
                                                                      : "heap: free of a pointer the heap never gave out");
    (void)pointer;
    __builtin_trap();
}

}  // namespace

void set_capabilities(abi::Handle reticle, abi::Handle memory_grant) {
    HeapGuard guard;
    page_source.set_capabilities(reticle, memory_grant);
}

void* allocate(usize size, usize alignment) {
    HeapGuard guard;
    return allocator.allocate(size, alignment);
}

void free(void* pointer) {
    FreeOutcome outcome;
    {
        HeapGuard guard;
        outcome = allocator.free(pointer);
    }
    if (outcome != FreeOutcome::Freed) refuse_free(pointer, outcome);
}

void* reallocate(void* pointer, usize size) {
    HeapGuard guard;
    return allocator.reallocate(pointer, size);
}

Statistics statistics() {
    HeapGuard guard;
    return allocator.statistics();
}

Status last_failure() {
    HeapGuard guard;
    return page_source.last_failure();
}

}  // namespace vectra::heap

// The C allocation functions and C++ new/delete, all over the one heap.
extern "C" {
void* malloc(base::usize size) { return vectra::heap::allocate(size); }
void free(void* pointer) { vectra::heap::free(pointer); }
void* calloc(base::usize count, base::usize size) {
    base::usize bytes = 0;
    if (!base::checked_mul(count, size, &bytes)) return nullptr;
    void* memory = vectra::heap::allocate(bytes);
    if (memory != nullptr) vectra::memory::fill(memory, 0, bytes);  // reused blocks are not zero
    return memory;
}
void* realloc(void* pointer, base::usize size) { return vectra::heap::reallocate(pointer, size); }
void* aligned_alloc(base::usize alignment, base::usize size) { return vectra::heap::allocate(size, alignment); }
}

const std::nothrow_t std::nothrow{};

namespace {
// new never returns null here (no exceptions): running out of memory stops the program with a
// message, as an uncaught std::bad_alloc would.
void* allocate_or_stop(base::usize size, base::usize alignment) {
    void* memory = vectra::heap::allocate(size, alignment);
    if (memory == nullptr) {
        vectra::console::print_unbuffered_line("heap: out of memory in operator new");
        __builtin_trap();
    }
    return memory;
}
}  // namespace

void* operator new(base::usize size) { return allocate_or_stop(size, 16); }
void* operator new[](base::usize size) { return allocate_or_stop(size, 16); }
void* operator new(base::usize size, std::align_val_t alignment) { return allocate_or_stop(size, base::usize(alignment)); }
void* operator new[](base::usize size, std::align_val_t alignment) { return allocate_or_stop(size, base::usize(alignment)); }
void* operator new(base::usize size, const std::nothrow_t&) noexcept { return vectra::heap::allocate(size); }
void* operator new[](base::usize size, const std::nothrow_t&) noexcept { return vectra::heap::allocate(size); }
void operator delete(void* pointer) noexcept { vectra::heap::free(pointer); }
void operator delete[](void* pointer) noexcept { vectra::heap::free(pointer); }
void operator delete(void* pointer, base::usize) noexcept { vectra::heap::free(pointer); }
void operator delete[](void* pointer, base::usize) noexcept { vectra::heap::free(pointer); }
void operator delete(void* pointer, std::align_val_t) noexcept { vectra::heap::free(pointer); }
void operator delete[](void* pointer, std::align_val_t) noexcept { vectra::heap::free(pointer); }
void operator delete(void* pointer, base::usize, std::align_val_t) noexcept { vectra::heap::free(pointer); }
void operator delete[](void* pointer, base::usize, std::align_val_t) noexcept { vectra::heap::free(pointer); }
