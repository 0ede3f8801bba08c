// Host tests of where the boot bundle (QEMU -initrd) is found: the first PVH module on x86_64,
// linux,initrd-start/-end in /chosen on aarch64. A bundle that is found is recorded in BootInfo
// and reserved as BootBundle (so no frame inside it is ever handed out); one that is empty,
// wraps, lies outside RAM or over anything else the boot keeps is refused with a reason.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "fdt_builder.h"
#include "kernel/boot/fdt.h"
#include "kernel/boot/pvh.h"

namespace {

using base::u64;
using kernel::MemoryKind;

MemoryKind kind_at(const kernel::MemoryMap& map, u64 address) {
    for (const auto& region : map.regions())
        if (region.base <= address && address < region.end()) return region.kind;
    return MemoryKind::Unusable;
}

// Every page of [base, base + size) is BootBundle in the normalized map.
void expect_reserved_as_bundle(kernel::BootInfo& info, u64 base, u64 size) {
    ASSERT_TRUE(info.memory.normalize().is_ok());
    for (u64 page = base & ~u64(0xfff); page < base + size; page += 0x1000)
        EXPECT_EQ(kind_at(info.memory, page), MemoryKind::BootBundle) << std::hex << page;
    EXPECT_NE(kind_at(info.memory, (base & ~u64(0xfff)) - 1), MemoryKind::BootBundle);
    EXPECT_NE(kind_at(info.memory, ((base + size + 0xfff) & ~u64(0xfff))), MemoryKind::BootBundle);
}

// --- PVH: 1 MiB of physical memory; start info at 0x1000, memory map at 0x2000 (usable
// [0, 0x9fc00), reserved [0xf0000, 0x100000)), module list at 0x4000.
struct PvhMemory {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(0x10'0000, 0);
    void put32(size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }
    void put64(size_t at, uint64_t v) { std::memcpy(&bytes[at], &v, 8); }
    kernel::PhysicalMemoryView view() const { return kernel::PhysicalMemoryView(0, {bytes.data(), bytes.size()}); }

    explicit PvhMemory(uint32_t modules = 0) {
        put32(0x1000, kernel::kPvhStartInfoMagic);
        put32(0x1004, 1);
        put32(0x1000 + 12, modules);
        put64(0x1000 + 16, 0x4000);
        put64(0x1000 + 40, 0x2000);
        put32(0x1000 + 48, 2);
        put64(0x2000, 0);
        put64(0x2008, 0x9fc00);
        put32(0x2010, 1);
        put64(0x2018, 0xf0000);
        put64(0x2020, 0x10000);
        put32(0x2028, 2);
    }
    void module(int index, u64 base, u64 size) {
        put64(0x4000 + index * 32, base);
        put64(0x4000 + index * 32 + 8, size);
    }
};

base::Result<kernel::PvhBootDetails> fill(const PvhMemory& memory, kernel::BootInfo& info) {
    info = kernel::BootInfo();
    return kernel::fill_boot_info_from_pvh(memory.view(), 0x1000, info);
}

std::string pvh_error(const PvhMemory& memory) {
    static kernel::BootInfo info;
    const auto result = fill(memory, info);
    return result.is_error() ? result.error().message : "";
}

TEST(BootBundleFromPvh, TheFirstModuleIsTheBundleAndIsReserved) {
    PvhMemory memory(2);
    memory.module(0, 0x8000, 0x1'2345);
    memory.module(1, 0x30000, 0x1000);  // further modules are not the bundle
    static kernel::BootInfo info;
    ASSERT_TRUE(fill(memory, info).is_ok());
    EXPECT_EQ(info.boot_bundle.physical_base, 0x8000u);
    EXPECT_EQ(info.boot_bundle.size, 0x1'2345u);
    // Recorded as boot data: start info, memory map, module list, bundle.
    ASSERT_EQ(info.boot_data.size(), 4u);
    EXPECT_EQ(info.boot_data[2].base, 0x4000u);
    EXPECT_EQ(info.boot_data[2].kind, MemoryKind::BootInformation);
    EXPECT_EQ(info.boot_data[3].kind, MemoryKind::BootBundle);
    expect_reserved_as_bundle(info, 0x8000, 0x1'2345);
    EXPECT_EQ(kind_at(info.memory, 0x4000), MemoryKind::BootInformation);
}

TEST(BootBundleFromPvh, NoModuleMeansNoBundle) {
    static kernel::BootInfo info;
    ASSERT_TRUE(fill(PvhMemory(0), info).is_ok());
    EXPECT_EQ(info.boot_bundle.size, 0u);
    EXPECT_EQ(info.boot_bundle.physical_base, 0u);
    ASSERT_TRUE(info.memory.normalize().is_ok());
    for (const auto& region : info.memory.regions()) EXPECT_NE(region.kind, MemoryKind::BootBundle);
}

TEST(BootBundleFromPvh, ABadModuleIsRefusedWithAReason) {
    PvhMemory memory(1);
    memory.module(0, 0x8000, 0);
    EXPECT_NE(pvh_error(memory).find("empty"), std::string::npos);
    memory.module(0, ~u64(0) - 0xfff, 0x2000);
    EXPECT_NE(pvh_error(memory).find("wraps"), std::string::npos);
    memory.module(0, 0x8000, 0x200'0000);  // runs past the memory the boot code can read
    EXPECT_NE(pvh_error(memory).find("outside"), std::string::npos);
    memory.module(0, 0xa0000, 0x1000);  // not RAM: the hole below the BIOS area
    EXPECT_NE(pvh_error(memory).find("not in free RAM"), std::string::npos);
    memory.module(0, 0xf8000, 0x1000);  // a firmware-reserved area
    EXPECT_NE(pvh_error(memory).find("not in free RAM"), std::string::npos);
    memory.module(0, 0x9f000, 0x1000);  // RAM ends at 0x9fc00, inside this page
    EXPECT_NE(pvh_error(memory).find("not in free RAM"), std::string::npos);
    memory.module(0, 0x1800, 0x100);  // shares a page with the start info
    EXPECT_NE(pvh_error(memory).find("not in free RAM"), std::string::npos);
    memory.module(0, 0x3f00, 0x200);  // shares a page with the module list itself
    EXPECT_NE(pvh_error(memory).find("not in free RAM"), std::string::npos);
    PvhMemory many(17);
    EXPECT_NE(pvh_error(many).find("too many modules"), std::string::npos);
    PvhMemory list_outside(1);
    list_outside.put64(0x1000 + 16, 0xffff0);
    list_outside.module(0, 0x8000, 0x1000);
    EXPECT_NE(pvh_error(list_outside).find("outside"), std::string::npos);
}

// --- Device tree: RAM [1 GiB, 1.5 GiB), a /reserved-memory child at 0x5000_0000, and the given
// /chosen initrd properties (cells of 1 or 2 words; empty: none).
std::vector<uint8_t> tree(const std::vector<uint32_t>& start, const std::vector<uint32_t>& end) {
    FdtBuilder b;
    b.begin_node("");
    b.property_cells("#address-cells", {2});
    b.property_cells("#size-cells", {2});
    b.begin_node("chosen");
    if (!start.empty()) b.property_cells("linux,initrd-start", start);
    if (!end.empty()) b.property_cells("linux,initrd-end", end);
    b.end_node();
    b.begin_node("memory@40000000");
    b.property_string("device_type", "memory");
    b.property_cells("reg", {0, 0x4000'0000, 0, 0x2000'0000});
    b.end_node();
    b.begin_node("reserved-memory");
    b.property_cells("#address-cells", {2});
    b.property_cells("#size-cells", {2});
    b.begin_node("firmware@50000000");
    b.property_cells("reg", {0, 0x5000'0000, 0, 0x10'0000});
    b.end_node();
    b.end_node();
    b.cpus({0});
    b.end_node();
    return b.finish();
}

base::Result<void> fill(const std::vector<uint8_t>& blob, kernel::BootInfo& info) {
    auto fdt = kernel::Fdt::parse({blob.data(), blob.size()});
    if (fdt.is_error()) return fdt.error();
    info = kernel::BootInfo();
    return kernel::fill_boot_info_from_fdt(fdt.value(), 0x4400'0000, 0, info);
}

std::string fdt_error(const std::vector<uint8_t>& blob) {
    static kernel::BootInfo info;
    const auto result = fill(blob, info);
    return result.is_error() ? result.error().message : "";
}

TEST(BootBundleFromDeviceTree, InitrdStartAndEndGiveTheBundleInEitherCellSize) {
    static kernel::BootInfo info;
    ASSERT_TRUE(fill(tree({0x4800'0000}, {0x4812'3457}), info).is_ok());
    EXPECT_EQ(info.boot_bundle.physical_base, 0x4800'0000u);
    EXPECT_EQ(info.boot_bundle.size, 0x12'3457u);
    expect_reserved_as_bundle(info, 0x4800'0000, 0x12'3457);

    ASSERT_TRUE(fill(tree({0, 0x4900'0000}, {0, 0x4900'1000}), info).is_ok());
    EXPECT_EQ(info.boot_bundle.physical_base, 0x4900'0000u);
    EXPECT_EQ(info.boot_bundle.size, 0x1000u);
    // Recorded as boot data: the tree itself, then the bundle.
    ASSERT_EQ(info.boot_data.size(), 2u);
    EXPECT_EQ(info.boot_data[0].kind, MemoryKind::DeviceTree);
    EXPECT_EQ(info.boot_data[1].base, 0x4900'0000u);
}

TEST(BootBundleFromDeviceTree, NoInitrdMeansNoBundle) {
    static kernel::BootInfo info;
    ASSERT_TRUE(fill(tree({}, {}), info).is_ok());
    EXPECT_EQ(info.boot_bundle.size, 0u);
}

TEST(BootBundleFromDeviceTree, ABadInitrdIsRefusedWithAReason) {
    EXPECT_NE(fdt_error(tree({0x4800'0000}, {})).find("only one"), std::string::npos);
    EXPECT_NE(fdt_error(tree({}, {0x4800'0000})).find("only one"), std::string::npos);
    EXPECT_NE(fdt_error(tree({0x4800'1000}, {0x4800'1000})).find("bad linux,initrd"), std::string::npos);  // empty
    EXPECT_NE(fdt_error(tree({0x4800'1000}, {0x4800'0000})).find("bad linux,initrd"), std::string::npos);  // backwards
    EXPECT_NE(fdt_error(tree({0, 0, 0x4800'0000}, {0x4900'0000})).find("bad linux,initrd"), std::string::npos);  // 3 cells
    EXPECT_NE(fdt_error(tree({0x3000'0000}, {0x3010'0000})).find("not in free RAM"), std::string::npos);  // below RAM
    EXPECT_NE(fdt_error(tree({0x5ff0'0000}, {0x6010'0000})).find("not in free RAM"), std::string::npos);  // past its end
    EXPECT_NE(fdt_error(tree({0x4ff0'0000}, {0x5000'1000})).find("not in free RAM"), std::string::npos);  // over /reserved-memory
    EXPECT_NE(fdt_error(tree({0x4400'0000}, {0x4400'1000})).find("not in free RAM"), std::string::npos);  // over the tree
}

}  // namespace
