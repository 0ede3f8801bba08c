// PVH start info parsing. Layout (all little-endian):
//   0 magic u32, 4 version u32, 8 flags u32, 12 nr_modules u32, 16 modlist_paddr u64,
//   24 cmdline_paddr u64, 32 rsdp_paddr u64, 40 memmap_paddr u64 (v1), 48 memmap_entries u32 (v1)
// memory map entries: addr u64, size u64, type u32 (E820), reserved u32.
#include "kernel/boot/pvh.h"

namespace kernel {
namespace {

using base::u32;
using base::u64;
using base::u8;

constexpr base::usize kStartInfoSize = 56;
constexpr base::usize kMemoryMapEntrySize = 24;
constexpr base::usize kModuleEntrySize = 32;  // paddr u64, size u64, cmdline_paddr u64, reserved u64
constexpr u32 kMaxModules = 16;

MemoryKind kind_from_e820(u32 type) {
    switch (type) {
        case 1: return MemoryKind::Usable;
        case 3: return MemoryKind::AcpiReclaimable;
        case 4: return MemoryKind::AcpiNvs;
        case 5: return MemoryKind::Unusable;
        default: return MemoryKind::Reserved;  // 2 and anything unknown: never touch it
    }
}

base::Result<void> copy_command_line(const PhysicalMemoryView& memory, u64 physical, BootInfo& boot_info) {
    boot_info.command_line_storage[0] = '\0';
    boot_info.command_line = base::StringView(boot_info.command_line_storage, 0);
    if (physical == 0) return {};
    // Read byte by byte up to the bound: the string may end just before the window does.
    base::usize length = 0;
    for (;; ++length) {
        if (length == kPvhMaxCommandLine)
            return base::make_error(base::ErrorCode::Malformed, "pvh: command line is not terminated within 4 KiB");
        const auto byte = TRY(memory.read(physical + length, 1));
        if (byte[0] == 0) break;
    }
    const auto text = TRY(memory.read(physical, length));
    const base::usize kept = length < sizeof boot_info.command_line_storage - 1 ? length : sizeof boot_info.command_line_storage - 1;
    for (base::usize i = 0; i < kept; ++i) {
        const char c = static_cast<char>(text[i]);
        boot_info.command_line_storage[i] = (c >= 0x20 && c < 0x7f) ? c : ' ';  // printable only
    }
    boot_info.command_line_storage[kept] = '\0';
    boot_info.command_line = base::StringView(boot_info.command_line_storage, kept);
    return {};
}

}  // namespace

base::Result<PvhBootDetails> fill_boot_info_from_pvh(const PhysicalMemoryView& memory, u64 start_info_physical,
                                                     BootInfo& boot_info) {
    const auto header = TRY(memory.read(start_info_physical, kStartInfoSize));
    const u8* at = header.data();
    if (read_le32(at) != kPvhStartInfoMagic) return base::make_error(base::ErrorCode::Malformed, "pvh: bad start info magic");
    if (read_le32(at + 4) < 1)
        return base::make_error(base::ErrorCode::Unsupported, "pvh: start info version 0 has no memory map");
    const u64 command_line = read_le64(at + 24);
    const u64 rsdp = read_le64(at + 32);
    const u64 map_physical = read_le64(at + 40);
    const u32 map_entries = read_le32(at + 48);
    if (map_entries == 0) return base::make_error(base::ErrorCode::Malformed, "pvh: the memory map is empty");
    if (map_entries > kPvhMaxMemoryMapEntries) return base::make_error(base::ErrorCode::Malformed, "pvh: too many memory map entries");

    const auto map = TRY(memory.read(map_physical, map_entries * kMemoryMapEntrySize));
    bool any_usable = false;
    for (u32 i = 0; i < map_entries; ++i) {
        const u8* entry = map.data() + i * kMemoryMapEntrySize;
        const u64 base = read_le64(entry), size = read_le64(entry + 8);
        const MemoryKind kind = kind_from_e820(read_le32(entry + 16));
        if (size == 0) continue;  // firmware does report empty entries; they mean nothing
        u64 end = 0;
        if (!base::checked_add(base, size, &end)) return base::make_error(base::ErrorCode::Malformed, "pvh: memory map entry wraps around");
        TRY(boot_info.memory.add(MemoryRegion{base, size, kind}));
        any_usable = any_usable || kind == MemoryKind::Usable;
    }
    if (!any_usable) return base::make_error(base::ErrorCode::Malformed, "pvh: the memory map has no usable RAM");

    TRY(reserve_boot_data(boot_info, start_info_physical, kStartInfoSize, MemoryKind::BootInformation));
    TRY(reserve_boot_data(boot_info, map_physical, map_entries * kMemoryMapEntrySize, MemoryKind::BootInformation));
    TRY(copy_command_line(memory, command_line, boot_info));

    // The first module is the boot bundle (QEMU -initrd). The kernel maps it as RAM and init
    // reads it in place, so all of it must be free RAM the firmware reported — not a device,
    // not a firmware area, not the boot information — and inside the window read at boot.
    const u32 module_count = read_le32(at + 12);
    if (module_count > kMaxModules) return base::make_error(base::ErrorCode::Malformed, "pvh: too many modules");
    if (module_count > 0) {
        const u64 list = read_le64(at + 16);
        (void)TRY(memory.read(list, module_count * kModuleEntrySize));
        const auto entry = TRY(memory.read(list, kModuleEntrySize));
        const u64 module_base = read_le64(entry.data()), module_size = read_le64(entry.data() + 8);
        u64 module_end = 0;
        if (module_size == 0 || !base::checked_add(module_base, module_size, &module_end))
            return base::make_error(base::ErrorCode::Malformed, "pvh: the boot bundle module is empty or wraps around");
        if (memory.read(module_base, module_size).is_error())
            return base::make_error(base::ErrorCode::OutOfRange, "pvh: the boot bundle module lies outside the memory read at boot");
        TRY(reserve_boot_data(boot_info, list, module_count * kModuleEntrySize, MemoryKind::BootInformation));
        if (!boot_info.memory.is_free_ram(module_base, module_size))
            return base::make_error(base::ErrorCode::Malformed, "pvh: the boot bundle module is not in free RAM");
        TRY(reserve_boot_data(boot_info, module_base, module_size, MemoryKind::BootBundle));
        boot_info.boot_bundle = DeviceRange{module_base, module_size};
    }
    return PvhBootDetails{rsdp};
}

}  // namespace kernel
