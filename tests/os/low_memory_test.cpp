// In-OS tests that nothing below the kernel's half of the address space reaches memory once the
// kernel runs on its own tables: null and the first pages fault for reads, writes and execution,
// and so does the lower-half alias of the kernel's own physical pages (which the boot tables
// identity-mapped). The probes touch the hardware; the tables are also asked.
#include "arch/arch.h"
#include "kernel/core/execute_probe.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

extern "C" char __kernel_start[], __data_start[];

namespace {

using namespace kernel;
using base::u64;
using base::u8;

u64 physical_of(const void* image_address) {
    const auto translation = mm::kernel_page_table().translate(reinterpret_cast<u64>(image_address));
    return translation.has_value() ? translation->physical : 0;
}

// Reading and writing (the byte `value`, so a write that wrongly succeeds changes nothing) at
// `address` both fault.
bool unreachable(u64 address, u8 value) {
    u8 byte = 0;
    const bool read = arch::probe_read_u8(reinterpret_cast<const volatile u8*>(address), &byte);
    const bool written = arch::probe_write_u8(reinterpret_cast<volatile u8*>(address), value);
    return !read && !written;
}

}  // namespace

KERNEL_TEST(null_and_the_lowest_pages_fault_for_reads_writes_and_execution) {
    const u64 addresses[] = {0, 1, 8, 0xff8, 0x1000, 0x2000, 0x7000, 0xf000, 0x10'0000 - 8};
    for (const u64 address : addresses) {
        if (!unreachable(address, 0)) EXPECT_EQ(address, ~0ull);  // names the address
        EXPECT(!mm::kernel_page_table().translate(address).has_value());
    }
    EXPECT(!arch::probe_execute(0));  // a call through a null function pointer
}

KERNEL_TEST(the_lower_half_alias_of_the_kernels_own_pages_reaches_nothing) {
    // The boot tables mapped physical memory at its own address; none of that may survive.
    // Execution is only tried where a wrong success would just return.
    const u64 image = physical_of(__kernel_start);
    const u64 data = physical_of(__data_start);
    const u64 code = physical_of(execute_probe_return_code);
    ASSERT(image != 0 && code != 0 && data != 0);
    EXPECT(unreachable(image, *reinterpret_cast<volatile u8*>(__kernel_start)));
    EXPECT(unreachable(data, *reinterpret_cast<volatile u8*>(__data_start)));
    EXPECT(!arch::probe_execute(code));
    // And a frame of ordinary RAM holding the same code, through its physical address.
    const auto frame = mm::frame_allocator().allocate();
    ASSERT(frame.has_value());
    auto* frame_bytes = layout::physical_to_pointer<volatile u8>(*frame);
    for (int i = 0; i < 16; ++i) frame_bytes[i] = execute_probe_return_code[i];
    EXPECT(unreachable(*frame, frame_bytes[0]));
    EXPECT(!arch::probe_execute(*frame));
    EXPECT(mm::frame_allocator().free(*frame).is_ok());
}
