// The kernel's own address space: built once at boot from the memory map, replacing the boot
// page tables. It maps the kernel image with W^X (text read+execute, rodata read-only, data and
// bss read+write, never execute), every RAM region at the direct map (large pages where
// alignment allows; never executable; the image's text and rodata read-only there too), the
// kernel's devices uncached, and kernel stacks with a guard page below.
#pragma once

#include "arch/page_table_format.h"
#include "base/result.h"
#include "kernel/boot/boot_info.h"
#include "kernel/mm/frame_allocator.h"
#include "kernel/mm/page_table.h"

namespace kernel::mm {

using KernelPageTable = PageTable<arch::PageTableFormat>;

// Takes over physical memory (the frame allocator) and switches to the kernel's page tables.
base::Result<void> build_kernel_address_space(const BootInfo& boot_info);

FrameAllocator& frame_allocator();
KernelPageTable& kernel_page_table();

struct KernelStack {
    base::uptr bottom;  // lowest mapped byte; the page below is the unmapped guard
    base::uptr top;     // initial stack pointer (exclusive end)
};

// Maps a new kernel stack in the stacks window, with an unmapped guard page below it.
base::Result<KernelStack> allocate_kernel_stack_with_bounds();
// The same, returning only the top (what switch_stack_and_call wants).
base::Result<base::uptr> allocate_kernel_stack();
// The guard page of the kernel stack slot holding `address` (an address in the stacks window).
base::u64 kernel_stack_guard_page(base::uptr address);

}  // namespace kernel::mm
