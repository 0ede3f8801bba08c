// The Xen PVH boot protocol's start info (xen/include/public/arch-x86/hvm/start_info.h), as
// QEMU's -kernel hands it to a PVH kernel in ebx: the memory map, the command line and the
// ACPI RSDP address. Everything is validated through a PhysicalMemoryView.
#pragma once

#include "base/result.h"
#include "kernel/boot/boot_info.h"
#include "kernel/boot/physical_memory_view.h"

namespace kernel {

inline constexpr base::u32 kPvhStartInfoMagic = 0x336ec578;
inline constexpr base::u32 kPvhMaxMemoryMapEntries = 1024;
inline constexpr base::usize kPvhMaxCommandLine = 4096;

struct PvhBootDetails {
    base::u64 rsdp_physical = 0;  // 0 when the loader gave none
};

// Fills boot_info.memory (the E820-typed map, plus the start info itself as boot information)
// and boot_info.command_line. On error nothing useful is left in boot_info.
base::Result<PvhBootDetails> fill_boot_info_from_pvh(const PhysicalMemoryView& memory, base::u64 start_info_physical,
                                                     BootInfo& boot_info);

}  // namespace kernel
