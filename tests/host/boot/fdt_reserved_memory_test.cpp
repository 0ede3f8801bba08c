// Host tests of how the device tree's reservations reach the memory map: every /reserved-memory
// child and /memreserve/ entry is taken out of usable RAM, and one that cannot be decoded
// refuses the tree instead of leaving firmware memory allocatable.
#include <gtest/gtest.h>

#include <string>

#include "fdt_builder.h"
#include "kernel/boot/fdt.h"

namespace {

using kernel::Fdt;
using kernel::MemoryKind;

// RAM at [1 GiB, 1.5 GiB); /reserved-memory with the given cells and one child per reg.
std::vector<uint8_t> tree_with_reserved(uint32_t address_cells, uint32_t size_cells,
                                        const std::vector<std::vector<uint32_t>>& child_regs) {
    FdtBuilder b;
    b.begin_node("");
    b.property_cells("#address-cells", {2});
    b.property_cells("#size-cells", {2});
    b.begin_node("memory@40000000");
    b.property_string("device_type", "memory");
    b.property_cells("reg", {0, 0x4000'0000, 0, 0x2000'0000});
    b.end_node();
    b.begin_node("reserved-memory");
    b.property_cells("#address-cells", {address_cells});
    b.property_cells("#size-cells", {size_cells});
    b.property("ranges", {});
    for (std::size_t i = 0; i < child_regs.size(); ++i) {
        b.begin_node("region@" + std::to_string(i));
        b.property_cells("reg", child_regs[i]);
        b.end_node();
    }
    b.begin_node("dynamic");  // placed by the OS: only a size, no reg
    b.property_cells("size", {0, 0x10'0000});
    b.end_node();
    b.end_node();
    b.cpus({0});
    b.end_node();
    return b.finish();
}

base::Result<void> fill(const std::vector<uint8_t>& blob, kernel::BootInfo& info) {
    auto fdt = Fdt::parse(base::Span<const base::u8>(blob.data(), blob.size()));
    EXPECT_TRUE(fdt.is_ok());
    if (fdt.is_error()) return fdt.error();
    info = kernel::BootInfo();
    return kernel::fill_boot_info_from_fdt(fdt.value(), 0x4800'0000, 0, info);
}

MemoryKind kind_at(const kernel::MemoryMap& map, uint64_t address) {
    for (const auto& region : map.regions())
        if (region.base <= address && address < region.end()) return region.kind;
    return MemoryKind::Unusable;
}

TEST(FdtReservedMemory, EveryChildIsTakenOutOfUsableRam) {
    static kernel::BootInfo info;
    const auto blob = tree_with_reserved(2, 2, {{0, 0x4100'0000, 0, 0x2000}, {0, 0x5000'0000, 0, 0x10'0000}});
    ASSERT_TRUE(fill(blob, info).is_ok());
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_EQ(kind_at(info.memory, 0x4100'0000), MemoryKind::Reserved);
    EXPECT_EQ(kind_at(info.memory, 0x4100'1fff), MemoryKind::Reserved);
    EXPECT_EQ(kind_at(info.memory, 0x500f'ffff), MemoryKind::Reserved);
    EXPECT_EQ(kind_at(info.memory, 0x4100'2000), MemoryKind::Usable);
}

TEST(FdtReservedMemory, OneCellAddressesAndSizesAreDecodedToo) {
    static kernel::BootInfo info;
    ASSERT_TRUE(fill(tree_with_reserved(1, 1, {{0x4200'0000, 0x3000}}), info).is_ok());
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_EQ(kind_at(info.memory, 0x4200'2000), MemoryKind::Reserved);
}

TEST(FdtReservedMemory, AChildWhoseRegCannotBeDecodedRefusesTheTree) {
    static kernel::BootInfo info;
    // Three cells where an entry is four.
    auto result = fill(tree_with_reserved(2, 2, {{0, 0x4100'0000, 0x1000}}), info);
    ASSERT_TRUE(result.is_error());
    EXPECT_NE(std::string(result.error().message).find("reserved-memory"), std::string::npos);
    // Cells out of range.
    EXPECT_TRUE(fill(tree_with_reserved(3, 2, {{0, 0, 0x4100'0000, 0, 0x1000}}), info).is_error());
    // One good child does not excuse a bad one after it.
    EXPECT_TRUE(fill(tree_with_reserved(2, 2, {{0, 0x4100'0000, 0, 0x1000}, {0, 0x4200'0000}}), info).is_error());
}

TEST(FdtReservedMemory, AReservationThatWrapsRefusesTheTree) {
    static kernel::BootInfo info;
    EXPECT_TRUE(fill(tree_with_reserved(2, 2, {{0xffff'ffff, 0xffff'f000, 0, 0x2000}}), info).is_error());
}

}  // namespace
