// The heap over real Bundles: many sizes keep their contents, large blocks map and unmap,
// new/delete run constructors and destructors, and memory comes back.
#include "user/runtime/heap.h"
#include "user/runtime/memory_functions.h"
#include "user/runtime/runtime.h"
#include "user/runtime/test.h"

extern "C" void* malloc(base::usize);
extern "C" void free(void*);
extern "C" void* calloc(base::usize, base::usize);
extern "C" void* realloc(void*, base::usize);

namespace {

int live_objects = 0;
struct Counted {
    Counted() { ++live_objects; }
    ~Counted() { --live_objects; }
    base::u64 payload[5] = {1, 2, 3, 4, 5};
};

}  // namespace

USER_TEST(the_heap_keeps_every_blocks_contents) {
    ASSERT(vectra::start_info()->memory_grant != vectra::abi::kNoHandle);
    constexpr int kBlocks = 300;
    base::u8* blocks[kBlocks];
    for (int i = 0; i < kBlocks; ++i) {
        const base::usize size = base::usize(i) * 37 + 1;
        blocks[i] = static_cast<base::u8*>(malloc(size));
        ASSERT(blocks[i] != nullptr);
        vectra::memory::fill(blocks[i], base::u8(i), size);
    }
    bool intact = true;
    for (int i = 0; i < kBlocks; ++i)
        for (base::usize j = 0; j < base::usize(i) * 37 + 1; ++j) intact = intact && blocks[i][j] == base::u8(i);
    EXPECT(intact);
    for (auto* block : blocks) free(block);
    EXPECT_EQ(vectra::heap::statistics().live_blocks, 0u);
}

USER_TEST(a_large_block_is_mapped_and_given_back) {
    const auto before = vectra::heap::statistics();
    auto* block = static_cast<base::u8*>(malloc(3 << 20));
    ASSERT(block != nullptr);
    block[0] = 1;
    block[(3 << 20) - 1] = 2;  // the whole block is mapped
    EXPECT(vectra::heap::statistics().large_bytes > before.large_bytes);
    free(block);
    EXPECT_EQ(vectra::heap::statistics().large_bytes, before.large_bytes);
}

USER_TEST(calloc_zeroes_and_realloc_keeps_contents) {
    auto* zeroed = static_cast<base::u8*>(calloc(100, 10));
    ASSERT(zeroed != nullptr);
    bool all_zero = true;
    for (int i = 0; i < 1000; ++i) all_zero = all_zero && zeroed[i] == 0;
    EXPECT(all_zero);
    for (int i = 0; i < 1000; ++i) zeroed[i] = base::u8(i);
    auto* grown = static_cast<base::u8*>(realloc(zeroed, 100000));
    ASSERT(grown != nullptr);
    bool kept = true;
    for (int i = 0; i < 1000; ++i) kept = kept && grown[i] == base::u8(i);
    EXPECT(kept);
    free(grown);
    EXPECT(calloc(~base::usize(0) / 2, 4) == nullptr);  // the product overflows
}

USER_TEST(new_and_delete_run_constructors_and_destructors) {
    auto* one = new Counted;
    auto* many = new Counted[10];
    EXPECT_EQ(live_objects, 11);
    EXPECT_EQ(one->payload[4], 5u);
    delete one;
    delete[] many;
    EXPECT_EQ(live_objects, 0);
}
