// In-OS tests of W^X as the hardware enforces it. Every kernel mapping is walked — each page of
// each image section, the whole direct map, the stacks window, the devices — and none is both
// writable and executable; only the text executes. Then the hardware is asked: a write to every
// page of text and rodata faults, through the image address and through the direct-map alias;
// executing data, bss, rodata, the direct map or a stack faults.
#include "arch/arch.h"
#include "kernel/core/execute_probe.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

extern "C" char __kernel_start[], __text_start[], __text_end[], __rodata_start[], __rodata_end[], __data_start[],
    __kernel_end[];

namespace {

using namespace kernel;
using base::u64;
using base::u8;

u64 address_of(const void* pointer) { return reinterpret_cast<u64>(pointer); }

// Where the kernel's own tables put an image address (0 if unmapped, which no test expects).
u64 physical_of(const void* image_address) {
    const auto translation = mm::kernel_page_table().translate(address_of(image_address));
    return translation.has_value() ? translation->physical : 0;
}

bool overlaps(u64 start, u64 end, u64 other_start, u64 other_end) { return start < other_end && other_start < end; }

alignas(16) u8 code_in_data[16] = {1};  // initialised, so in .data
alignas(16) u8 code_in_bss[16];

void copy_return_code(volatile u8* to) {
    for (int i = 0; i < 16; ++i) to[i] = execute_probe_return_code[i];
}

}  // namespace

KERNEL_TEST(no_kernel_mapping_is_writable_and_executable_and_only_text_executes) {
    const u64 text_start = address_of(__text_start), text_end = address_of(__text_end);
    // Physical pages of the image that must never be writable through any alias.
    const u64 protected_start = physical_of(__kernel_start);
    const u64 protected_end = physical_of(__rodata_end - 1) + 1;
    const u64 direct_start = layout::kDirectMapBase, direct_end = layout::kDirectMapBase + layout::kDirectMapSize;
    u64 leaves = 0, executable_bytes = 0, direct_bytes = 0;
    u64 first_writable_executable = 0, first_user = 0, first_not_global = 0, first_executable_outside_text = 0,
        first_writable_alias = 0, first_executable_direct = 0;
    mm::kernel_page_table().for_each_mapping([&](u64 virt, const Translation& translation) {
        ++leaves;
        const u64 end = virt + translation.page_size;
        const MappingFlags& flags = translation.flags;
        if (flags.writable && flags.executable && first_writable_executable == 0) first_writable_executable = virt;
        if (flags.user && first_user == 0) first_user = virt;
        if (!flags.global && first_not_global == 0) first_not_global = virt;
        if (flags.executable) {
            executable_bytes += translation.page_size;
            if ((virt < text_start || end > text_end) && first_executable_outside_text == 0) first_executable_outside_text = virt;
        }
        if (overlaps(translation.physical, translation.physical + translation.page_size, protected_start, protected_end) &&
            flags.writable && first_writable_alias == 0)
            first_writable_alias = virt;
        if (virt >= direct_start && end <= direct_end) {
            direct_bytes += translation.page_size;
            if (flags.executable && first_executable_direct == 0) first_executable_direct = virt;
        }
    });
    EXPECT_EQ(first_writable_executable, 0ull);
    EXPECT_EQ(first_user, 0ull);
    EXPECT_EQ(first_not_global, 0ull);
    EXPECT_EQ(first_executable_outside_text, 0ull);
    EXPECT_EQ(first_writable_alias, 0ull);
    EXPECT_EQ(first_executable_direct, 0ull);
    EXPECT_EQ(executable_bytes, text_end - text_start);  // all of the text, and nothing else
    EXPECT(direct_bytes >= mm::frame_allocator().total_frames() * layout::kPageSize);  // all RAM is there
    EXPECT(leaves > 0);
}

KERNEL_TEST(every_page_of_every_image_section_has_its_rights) {
    struct Section {
        const char* start;
        const char* end;
        bool writable, executable;
    };
    const Section sections[] = {
        {__kernel_start, __text_start, false, false},
        {__text_start, __text_end, false, true},
        {__rodata_start, __rodata_end, false, false},
        {__data_start, __kernel_end, true, false},
    };
    const u64 image_physical = physical_of(__kernel_start);
    u64 pages = 0, wrong_rights = 0, wrong_frame = 0;
    for (const Section& section : sections) {
        for (u64 page = address_of(section.start); page < address_of(section.end); page += layout::kPageSize) {
            const auto translation = mm::kernel_page_table().translate(page);
            ++pages;
            if (!translation.has_value() || translation->flags.writable != section.writable ||
                translation->flags.executable != section.executable) {
                if (wrong_rights++ == 0) EXPECT_EQ(page, 0ull);  // names the first one
                continue;
            }
            // The image is one physically contiguous block.
            if (translation->physical != image_physical + (page - address_of(__kernel_start)) && wrong_frame++ == 0)
                EXPECT_EQ(page, 0ull);
        }
    }
    EXPECT_EQ(wrong_rights, 0ull);
    EXPECT_EQ(wrong_frame, 0ull);
    EXPECT_EQ(pages * layout::kPageSize, address_of(__text_end) - address_of(__kernel_start) +
                                             address_of(__rodata_end) - address_of(__rodata_start) +
                                             address_of(__kernel_end) - address_of(__data_start));
}

KERNEL_TEST(writing_any_page_of_text_or_rodata_faults_through_the_image_and_the_direct_map) {
    u64 pages = 0, written_image = 0, written_alias = 0;
    const char* const ranges[][2] = {{__kernel_start, __text_end}, {__rodata_start, __rodata_end}};
    for (const auto& range : ranges) {
        for (u64 page = address_of(range[0]); page < address_of(range[1]); page += layout::kPageSize) {
            ++pages;
            // A different offset in each page; the byte written is the byte there, so a write
            // that wrongly succeeds changes nothing.
            const u64 offset = (pages * 8) % layout::kPageSize;
            auto* through_image = reinterpret_cast<volatile u8*>(page + offset);
            auto* through_alias = layout::physical_to_pointer<volatile u8>(physical_of(reinterpret_cast<void*>(page)) + offset);
            const u8 byte = *through_image;
            if (arch::probe_write_u8(through_image, byte) && written_image++ == 0) EXPECT_EQ(page, 0ull);
            if (arch::probe_write_u8(through_alias, byte) && written_alias++ == 0) EXPECT_EQ(page, 0ull);
        }
    }
    EXPECT_EQ(written_image, 0ull);
    EXPECT_EQ(written_alias, 0ull);
    EXPECT(pages > 1);
}

KERNEL_TEST(text_executes_through_the_probe) {
    // The control for the tests below: the probe runs code that is allowed to run.
    EXPECT(arch::probe_execute(address_of(execute_probe_return_code)));
}

KERNEL_TEST(executing_data_bss_rodata_the_direct_map_or_a_stack_faults) {
    copy_return_code(code_in_data);
    EXPECT(!arch::probe_execute(address_of(code_in_data)));
    copy_return_code(code_in_bss);
    EXPECT(!arch::probe_execute(address_of(code_in_bss)));
    EXPECT(!arch::probe_execute(address_of(execute_probe_return_code_in_rodata)));

    // The direct-map alias of the text itself, and of a frame holding the code.
    EXPECT(!arch::probe_execute(layout::physical_to_virtual(physical_of(execute_probe_return_code))));
    const auto frame = mm::frame_allocator().allocate();
    ASSERT(frame.has_value());
    copy_return_code(layout::physical_to_pointer<volatile u8>(*frame));
    EXPECT(!arch::probe_execute(layout::physical_to_virtual(*frame)));
    EXPECT(mm::frame_allocator().free(*frame).is_ok());

    alignas(16) volatile u8 code_on_stack[16];
    copy_return_code(code_on_stack);
    EXPECT(!arch::probe_execute(address_of(const_cast<u8*>(code_on_stack))));
}
