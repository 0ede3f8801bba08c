// In-OS tests of the kernel's page tables: mapping and unmapping really change what the CPU
// sees, W^X is enforced by the hardware, and stacks have guard pages.
#include "arch/arch.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

extern "C" char __text_start[];

namespace {

using namespace kernel;
using base::u64;
using base::u8;

const MappingFlags kReadWrite{.writable = true, .executable = false};

volatile u8 writable_data_byte = 0x5a;
const u8 read_only_data_byte = 0xa5;

}  // namespace

KERNEL_TEST(a_mapped_page_is_readable_and_writable_through_its_new_address) {
    const auto frame = mm::frame_allocator().allocate();
    ASSERT(frame.has_value());
    const u64 where = layout::kScratchBase;
    ASSERT(mm::kernel_page_table().map(where, *frame, layout::kPageSize, kReadWrite).is_ok());
    arch::tlb_flush_page(where);

    auto* through_mapping = reinterpret_cast<volatile u64*>(where);
    auto* through_direct_map = layout::physical_to_pointer<volatile u64>(*frame);
    *through_mapping = 0x1234'5678'9abc'def0;
    EXPECT_EQ(*through_direct_map, 0x1234'5678'9abc'def0ull);  // same frame, two addresses
    *through_direct_map = 42;
    EXPECT_EQ(*through_mapping, 42ull);

    const auto translation = mm::kernel_page_table().translate(where);
    ASSERT(translation.has_value());
    EXPECT_EQ(translation->physical, *frame);

    ASSERT(mm::kernel_page_table().unmap(where, layout::kPageSize).is_ok());
    arch::tlb_flush_page(where);
    u8 byte = 0;
    EXPECT(!arch::probe_read_u8(reinterpret_cast<const volatile u8*>(where), &byte));
    EXPECT(!mm::kernel_page_table().translate(where).has_value());
    EXPECT(mm::frame_allocator().free(*frame).is_ok());
}

KERNEL_TEST(mapping_over_an_existing_mapping_is_refused) {
    const auto frame = mm::frame_allocator().allocate();
    ASSERT(frame.has_value());
    const u64 where = layout::kScratchBase + 16 * layout::kPageSize;
    ASSERT(mm::kernel_page_table().map(where, *frame, layout::kPageSize, kReadWrite).is_ok());
    EXPECT(mm::kernel_page_table().map(where, *frame, layout::kPageSize, kReadWrite).is_error());
    ASSERT(mm::kernel_page_table().unmap(where, layout::kPageSize).is_ok());
    arch::tlb_flush_page(where);
    EXPECT(mm::frame_allocator().free(*frame).is_ok());
}

KERNEL_TEST(writing_to_kernel_text_faults_and_changes_nothing) {
    auto* text = reinterpret_cast<volatile u8*>(__text_start + 64);
    const u8 before = *text;
    EXPECT(!arch::probe_write_u8(text, static_cast<u8>(before ^ 0xff)));
    EXPECT_EQ(*text, before);
}

KERNEL_TEST(writing_to_read_only_data_faults) {
    auto* rodata = const_cast<volatile u8*>(&read_only_data_byte);
    EXPECT(!arch::probe_write_u8(rodata, 0));
    EXPECT_EQ(*rodata, 0xa5);
}

KERNEL_TEST(writing_to_kernel_data_works_through_the_same_probe) {
    // The control for the two tests above: the probe itself can write.
    EXPECT(arch::probe_write_u8(&writable_data_byte, 0x33));
    EXPECT_EQ(writable_data_byte, 0x33);
}

KERNEL_TEST(the_page_below_a_kernel_stack_is_an_unmapped_guard) {
    const auto stack = mm::allocate_kernel_stack_with_bounds();
    ASSERT(stack.is_ok());
    u8 byte = 0;
    EXPECT(arch::probe_read_u8(reinterpret_cast<const volatile u8*>(stack.value().bottom), &byte));
    EXPECT(!arch::probe_read_u8(reinterpret_cast<const volatile u8*>(stack.value().bottom - 1), &byte));
    EXPECT(!arch::probe_write_u8(reinterpret_cast<volatile u8*>(stack.value().bottom - layout::kPageSize), 1));
}
