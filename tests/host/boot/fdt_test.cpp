// Host tests of the device-tree parser: real QEMU trees, a built tree with every part the
// kernel reads, and malformed blobs, each of which must be refused with a message, never read
// out of bounds (these tests also run under ASan in the fuzz build of the same parser).
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "fdt_builder.h"
#include "kernel/boot/fdt.h"

namespace {

using kernel::Fdt;

std::vector<uint8_t> read_file(const std::string& name) {
    std::ifstream file(std::string(VECTRA_TEST_DATA) + "/" + name, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

base::Span<const base::u8> span_of(const std::vector<uint8_t>& bytes) { return {bytes.data(), bytes.size()}; }

std::vector<uint8_t> sample_tree() {
    FdtBuilder b;
    b.reservation(0x4800'0000, 0x1000);
    b.begin_node("");
    b.property_cells("#address-cells", {2});
    b.property_cells("#size-cells", {2});
    b.begin_node("chosen");
    b.property_string("bootargs", "test=timer quiet");
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
    b.cpus({0, 1, 2});
    b.begin_node("pl011@9000000");
    std::vector<uint8_t> compatible;
    for (const char* name : {"arm,pl011", "arm,primecell"}) {
        compatible.insert(compatible.end(), name, name + strlen(name) + 1);
    }
    b.property("compatible", compatible);
    b.property_cells("reg", {0, 0x0900'0000, 0, 0x1000});
    b.end_node();
    b.end_node();
    return b.finish();
}

TEST(Fdt, QemuVirtTreeGivesMemoryCpusAndDevices) {
    const auto blob = read_file("qemu-virt-512m-2cpu.dtb");
    ASSERT_FALSE(blob.empty());
    auto fdt = Fdt::parse(span_of(blob));
    ASSERT_TRUE(fdt.is_ok()) << fdt.error().message;
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    ASSERT_TRUE(kernel::fill_boot_info_from_fdt(fdt.value(), 0x4800'0000, 0, info).is_ok());
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_EQ(info.cpu_count, 2u);
    EXPECT_EQ(info.memory.total_ram_bytes(), 512ull << 20);
    EXPECT_TRUE(fdt.value().find_compatible("arm,pl011").has_value());
    EXPECT_TRUE(fdt.value().find_compatible("arm,cortex-a15-gic").has_value());
    EXPECT_TRUE(fdt.value().find_compatible("arm,armv8-timer").has_value());
}

TEST(Fdt, QemuVirtTreeWithFourCpusAndOneGibibyte) {
    const auto blob = read_file("qemu-virt-1g-4cpu.dtb");
    auto fdt = Fdt::parse(span_of(blob));
    ASSERT_TRUE(fdt.is_ok()) << fdt.error().message;
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    ASSERT_TRUE(kernel::fill_boot_info_from_fdt(fdt.value(), 0x4800'0000, 0, info).is_ok());
    EXPECT_EQ(info.cpu_count, 4u);
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_EQ(info.memory.total_ram_bytes(), 1ull << 30);
}

TEST(Fdt, BuiltTreeAnswersEveryQueryTheKernelMakes) {
    const auto blob = sample_tree();
    auto parsed = Fdt::parse(span_of(blob));
    ASSERT_TRUE(parsed.is_ok()) << parsed.error().message;
    const Fdt& fdt = parsed.value();
    const auto memory = fdt.find_node("/memory");
    ASSERT_TRUE(memory.has_value());
    EXPECT_TRUE(fdt.node_name(*memory) == base::StringView("memory@40000000"));
    EXPECT_TRUE(fdt.find_node("/memory@40000000").has_value());
    EXPECT_FALSE(fdt.find_node("/memory@1").has_value());
    EXPECT_FALSE(fdt.find_node("/nothing").has_value());
    EXPECT_TRUE(fdt.find_compatible("arm,primecell").has_value());  // the second string of a list

    static kernel::BootInfo info;
    info = kernel::BootInfo();
    ASSERT_TRUE(kernel::fill_boot_info_from_fdt(fdt, 0x4700'0000, 0, info).is_ok());
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_EQ(info.cpu_count, 3u);
    EXPECT_TRUE(info.command_line == base::StringView("test=timer quiet"));
    bool reservation_seen = false, firmware_seen = false, tree_seen = false;
    for (const auto& region : info.memory.regions()) {
        if (region.base == 0x4800'0000 && region.kind == kernel::MemoryKind::Reserved) reservation_seen = true;
        if (region.base == 0x5000'0000 && region.kind == kernel::MemoryKind::Reserved) firmware_seen = true;
        if (region.base == 0x4700'0000 && region.kind == kernel::MemoryKind::DeviceTree) tree_seen = true;
    }
    EXPECT_TRUE(reservation_seen);
    EXPECT_TRUE(firmware_seen);
    EXPECT_TRUE(tree_seen);
}

// Expects parse() to refuse `blob` with a message containing `expected`.
void expect_refused(const std::vector<uint8_t>& blob, const std::string& expected) {
    auto result = Fdt::parse(span_of(blob));
    ASSERT_TRUE(result.is_error()) << "accepted a blob that should fail with: " << expected;
    EXPECT_NE(std::string(result.error().message).find(expected), std::string::npos) << result.error().message;
}

TEST(Fdt, EveryTruncationIsRefused) {
    const auto blob = sample_tree();
    for (size_t length = 0; length < blob.size(); ++length) {
        std::vector<uint8_t> cut(blob.begin(), blob.begin() + length);
        EXPECT_TRUE(Fdt::parse(span_of(cut)).is_error()) << "accepted a blob cut to " << length << " bytes";
    }
}

TEST(Fdt, BadHeadersAreRefused) {
    auto blob = sample_tree();
    auto bad = blob;
    FdtBuilder::put32(bad, 0, 0xdeadbeef);
    expect_refused(bad, "bad magic");
    bad = blob;
    FdtBuilder::put32(bad, 20, 15);
    expect_refused(bad, "version");
    bad = blob;
    FdtBuilder::put32(bad, 8, FdtBuilder::get32(blob, 4));  // structure offset at the end
    expect_refused(bad, "structure block out of bounds");
    bad = blob;
    FdtBuilder::put32(bad, 12, 0xffff'fff0);
    expect_refused(bad, "strings block out of bounds");
    bad = blob;
    FdtBuilder::put32(bad, 8, FdtBuilder::get32(blob, 8) + 2);
    expect_refused(bad, "misaligned");
    bad = blob;
    FdtBuilder::put32(bad, 12, FdtBuilder::get32(blob, 8));  // strings inside the structure
    expect_refused(bad, "overlap");
}

TEST(Fdt, AStringOffsetPastTheStringsBlockIsRefused) {
    auto blob = sample_tree();
    const uint32_t structure = FdtBuilder::get32(blob, 8);
    // The root's first property: BEGIN_NODE(4) + name "" padded (4), then PROP, len, nameoff.
    FdtBuilder::put32(blob, structure + 16, 0x10000);
    expect_refused(blob, "string offset past end of strings block");
}

TEST(Fdt, AnUnterminatedPropertyNameIsRefused) {
    auto blob = sample_tree();
    // Overwrite the strings block's final NUL.
    const uint32_t strings = FdtBuilder::get32(blob, 12), size = FdtBuilder::get32(blob, 32);
    blob[strings + size - 1] = 'x';
    expect_refused(blob, "not terminated");
}

TEST(Fdt, AnUnterminatedNodeNameIsRefused) {
    FdtBuilder b;
    b.begin_node("");
    b.end_node();
    auto blob = b.finish();
    // Replace the structure block by BEGIN_NODE followed by name bytes with no NUL.
    const uint32_t structure = FdtBuilder::get32(blob, 8), size = FdtBuilder::get32(blob, 36);
    for (uint32_t i = 4; i < size; ++i) blob[structure + i] = 'a';
    expect_refused(blob, "not terminated");
}

TEST(Fdt, AbsurdNestingIsRefused) {
    FdtBuilder b;
    b.begin_node("");
    for (int i = 0; i < 40; ++i) b.begin_node("n");
    for (int i = 0; i < 40; ++i) b.end_node();
    b.end_node();
    expect_refused(b.finish(), "nested too deeply");
}

TEST(Fdt, MissingEndAndUnbalancedNodesAreRefused) {
    FdtBuilder b;
    b.begin_node("");
    b.begin_node("child");
    b.end_node();
    auto blob = b.finish();  // the root is never closed
    expect_refused(blob, "END token inside an open node");

    FdtBuilder extra;
    extra.begin_node("");
    extra.end_node();
    extra.end_node();
    expect_refused(extra.finish(), "END_NODE without a node");
}

TEST(Fdt, APropertyLengthPastTheEndIsRefused) {
    auto blob = sample_tree();
    const uint32_t structure = FdtBuilder::get32(blob, 8);
    FdtBuilder::put32(blob, structure + 12, 0x00ff'ffff);
    expect_refused(blob, "runs past the structure block");
}

TEST(Fdt, AnUnterminatedReservationBlockIsRefused) {
    auto blob = sample_tree();
    // Fill the reservation terminator with a nonzero entry.
    blob[40 + 16 + 7] = 1;
    expect_refused(blob, "reservation");
}

TEST(Fdt, UnknownTokensAreRefused) {
    auto blob = sample_tree();
    const uint32_t structure = FdtBuilder::get32(blob, 8);
    FdtBuilder::put32(blob, structure + 8, 0x77);
    expect_refused(blob, "unknown token");
}

TEST(Fdt, BadRegLengthIsAnErrorNotARead) {
    FdtBuilder b;
    b.begin_node("");
    b.begin_node("memory@0");
    b.property_string("device_type", "memory");
    b.property_cells("reg", {0, 0x4000'0000, 0});  // 3 cells: not a whole (2 + 1) entry... but 2+1=3
    b.end_node();
    b.cpus({0});
    b.end_node();
    auto blob = b.finish();
    auto fdt = Fdt::parse(span_of(blob));
    ASSERT_TRUE(fdt.is_ok());
    // Default cells are 2 + 1, so 3 cells is one entry of size 0: no memory at all.
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    EXPECT_TRUE(kernel::fill_boot_info_from_fdt(fdt.value(), 0, 0, info).is_error());

    FdtBuilder odd;
    odd.begin_node("");
    odd.begin_node("memory@0");
    odd.property_string("device_type", "memory");
    odd.property_cells("reg", {0, 0x4000'0000, 0, 1});  // 4 cells with 2 + 1 per entry
    odd.end_node();
    odd.end_node();
    auto odd_blob = odd.finish();
    auto odd_fdt = Fdt::parse(span_of(odd_blob));
    ASSERT_TRUE(odd_fdt.is_ok());
    info = kernel::BootInfo();
    const auto result = kernel::fill_boot_info_from_fdt(odd_fdt.value(), 0, 0, info);
    ASSERT_TRUE(result.is_error());
    EXPECT_NE(std::string(result.error().message).find("reg length"), std::string::npos);
}

}  // namespace
