// Host tests of what the device tree says about CPUs: every /cpus cpu node's id (its MPIDR
// affinity) into BootInfo::cpu_ids with the boot CPU first, at most kMaxCpus of them, and how
// PSCI is called. A malformed CPU list is refused with a message, never half-read.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <string>

#include "fdt_builder.h"
#include "kernel/boot/fdt.h"

namespace {

using kernel::BootInfo;
using kernel::Fdt;
using Psci = BootInfo::PsciMethod;

std::vector<uint8_t> read_file(const std::string& name) {
    std::ifstream file(std::string(VECTRA_TEST_DATA) + "/" + name, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(file), {});
}

// What a tree needs besides its CPUs; `cpus` writes the /cpus node (and anything else).
template <class Cpus>
std::vector<uint8_t> tree_with(Cpus cpus) {
    FdtBuilder b;
    b.begin_node("");
    b.property_cells("#address-cells", {2});
    b.property_cells("#size-cells", {2});
    b.begin_node("memory@40000000");
    b.property_string("device_type", "memory");
    b.property_cells("reg", {0, 0x4000'0000, 0, 0x2000'0000});
    b.end_node();
    cpus(b);
    b.end_node();
    return b.finish();
}

std::vector<uint8_t> tree_with_cpu_ids(const std::vector<uint32_t>& ids) {
    return tree_with([&](FdtBuilder& b) { b.cpus(ids); });
}

// A PSCI node as QEMU writes it, with the given compatible strings and method bytes.
void psci_node(FdtBuilder& b, const std::vector<std::string>& compatibles, const std::vector<uint8_t>& method) {
    b.begin_node("psci");
    std::vector<uint8_t> list;
    for (const auto& name : compatibles) list.insert(list.end(), name.c_str(), name.c_str() + name.size() + 1);
    b.property("compatible", list);
    b.property("method", method);
    b.end_node();
}

std::vector<uint8_t> bytes_of(const std::string& text) {
    std::vector<uint8_t> bytes(text.begin(), text.end());
    bytes.push_back(0);
    return bytes;
}

// Fills a fresh BootInfo from `blob` as the kernel would, the boot CPU's affinity being `boot`.
base::Result<void> fill(const std::vector<uint8_t>& blob, base::u64 boot, BootInfo& info) {
    auto fdt = Fdt::parse(base::Span<const base::u8>(blob.data(), blob.size()));
    EXPECT_TRUE(fdt.is_ok());
    if (fdt.is_error()) return fdt.error();
    info = BootInfo();
    return kernel::fill_boot_info_from_fdt(fdt.value(), 0x4800'0000, boot, info);
}

std::vector<base::u64> ids_of(const BootInfo& info) { return {info.cpu_ids, info.cpu_ids + info.cpu_count}; }

// Expects `blob` refused with a message containing `expected`.
void expect_refused(const std::vector<uint8_t>& blob, const std::string& expected, base::u64 boot = 0) {
    static BootInfo info;
    const auto result = fill(blob, boot, info);
    ASSERT_TRUE(result.is_error()) << "accepted a tree that should fail with: " << expected;
    EXPECT_NE(std::string(result.error().message).find(expected), std::string::npos) << result.error().message;
}

TEST(FdtCpus, QemuVirtTreesListEveryCpuBootFirstAndCallPsciByHvc) {
    static BootInfo info;
    ASSERT_TRUE(fill(read_file("qemu-virt-512m-2cpu.dtb"), 0, info).is_ok());
    EXPECT_EQ(ids_of(info), (std::vector<base::u64>{0, 1}));
    EXPECT_EQ(info.psci_method, Psci::Hvc);
    ASSERT_TRUE(fill(read_file("qemu-virt-1g-4cpu.dtb"), 0, info).is_ok());
    EXPECT_EQ(ids_of(info), (std::vector<base::u64>{0, 1, 2, 3}));
    EXPECT_EQ(info.psci_method, Psci::Hvc);
}

TEST(FdtCpus, TheBootCpuComesFirstWhereverTheTreeListsIt) {
    static BootInfo info;
    ASSERT_TRUE(fill(tree_with_cpu_ids({0, 1, 0x100, 0x101}), 0x100, info).is_ok());
    EXPECT_EQ(ids_of(info), (std::vector<base::u64>{0x100, 0, 1, 0x101}));
    ASSERT_TRUE(fill(tree_with_cpu_ids({0, 1, 0x100, 0x101}), 0x101, info).is_ok());
    EXPECT_EQ(ids_of(info), (std::vector<base::u64>{0x101, 0, 1, 0x100}));
}

TEST(FdtCpus, TwoAddressCellsCarryAff3InTheUpperCell) {
    const auto blob = tree_with([](FdtBuilder& b) {
        b.begin_node("cpus");
        b.property_cells("#address-cells", {2});
        b.property_cells("#size-cells", {0});
        for (uint32_t low : {0x000u, 0x203u}) {
            b.begin_node("cpu");
            b.property_string("device_type", "cpu");
            b.property_cells("reg", {low == 0 ? 0u : 1u, low});
            b.end_node();
        }
        b.begin_node("cpu-map");  // no device_type: not a CPU
        b.end_node();
        b.end_node();
    });
    static BootInfo info;
    ASSERT_TRUE(fill(blob, 0, info).is_ok());
    EXPECT_EQ(ids_of(info), (std::vector<base::u64>{0, 0x1'0000'0203}));
}

TEST(FdtCpus, MoreCpusThanTheKernelKeepsAreCutToKMaxCpusWithTheBootCpuKept) {
    std::vector<uint32_t> ids;
    for (uint32_t i = 0; i < 20; ++i) ids.push_back(i);
    static BootInfo info;
    ASSERT_TRUE(fill(tree_with_cpu_ids(ids), 18, info).is_ok());
    ASSERT_EQ(info.cpu_count, BootInfo::kMaxCpus);
    EXPECT_EQ(info.cpu_ids[0], 18u);
    for (uint32_t i = 1; i < BootInfo::kMaxCpus; ++i) EXPECT_EQ(info.cpu_ids[i], i - 1);
}

TEST(FdtCpus, AMalformedCpuListIsRefused) {
    expect_refused(tree_with([](FdtBuilder&) {}), "no /cpus node");
    expect_refused(tree_with_cpu_ids({}), "not among the /cpus cpu nodes");
    expect_refused(tree_with_cpu_ids({1, 2}), "not among the /cpus cpu nodes", 0);
    expect_refused(tree_with_cpu_ids({0, 1, 1}), "same id");
    expect_refused(tree_with_cpu_ids({0, 0}), "same id");
    expect_refused(tree_with_cpu_ids({0, 0x0100'0000}), "outside the MPIDR affinity");  // MT bit
    // A cpu node without reg, with two ids, with a size, with three address cells.
    auto cpus_node = [](uint32_t address_cells, uint32_t size_cells, const std::vector<uint32_t>& reg, bool with_reg) {
        return tree_with([=](FdtBuilder& b) {
            b.begin_node("cpus");
            b.property_cells("#address-cells", {address_cells});
            b.property_cells("#size-cells", {size_cells});
            b.begin_node("cpu@0");
            b.property_string("device_type", "cpu");
            if (with_reg) b.property_cells("reg", reg);
            b.end_node();
            b.end_node();
        });
    };
    expect_refused(cpus_node(1, 0, {}, false), "reg cannot be decoded");
    expect_refused(cpus_node(1, 0, {0, 1}, true), "not exactly one CPU id");
    expect_refused(cpus_node(1, 0, {}, true), "not exactly one CPU id");
    expect_refused(cpus_node(1, 1, {0, 0}, true), "#size-cells is not 0");
    expect_refused(cpus_node(3, 0, {0, 0, 0}, true), "reg cannot be decoded");
    expect_refused(cpus_node(2, 0, {0, 0, 0}, true), "reg cannot be decoded");  // not whole entries
    // #size-cells absent means 1: refused too.
    expect_refused(tree_with([](FdtBuilder& b) {
        b.begin_node("cpus");
        b.begin_node("cpu@0");
        b.property_string("device_type", "cpu");
        b.property_cells("reg", {0, 0});
        b.end_node();
        b.end_node();
    }), "#size-cells is not 0");
}

TEST(FdtCpus, ThePsciMethodIsHvcOrSmcAndAbsentMeansNone) {
    static BootInfo info;
    for (auto [word, method] : {std::pair{"hvc", Psci::Hvc}, std::pair{"smc", Psci::Smc}}) {
        const auto blob = tree_with([&](FdtBuilder& b) {
            b.cpus({0, 1});
            psci_node(b, {"arm,psci-1.0", "arm,psci-0.2", "arm,psci"}, bytes_of(word));
        });
        ASSERT_TRUE(fill(blob, 0, info).is_ok());
        EXPECT_EQ(info.psci_method, method) << word;
    }
    ASSERT_TRUE(fill(tree_with_cpu_ids({0, 1}), 0, info).is_ok());
    EXPECT_EQ(info.psci_method, Psci::None);
    // PSCI 0.2 alone is enough; 0.1 alone names its own function ids, which the kernel does not use.
    ASSERT_TRUE(fill(tree_with([](FdtBuilder& b) {
        b.cpus({0});
        psci_node(b, {"arm,psci-0.2"}, bytes_of("smc"));
    }), 0, info).is_ok());
    EXPECT_EQ(info.psci_method, Psci::Smc);
    ASSERT_TRUE(fill(tree_with([](FdtBuilder& b) {
        b.cpus({0});
        psci_node(b, {"arm,psci"}, bytes_of("smc"));
    }), 0, info).is_ok());
    EXPECT_EQ(info.psci_method, Psci::None);
}

TEST(FdtCpus, AMalformedPsciMethodIsRefused) {
    auto with_method = [](const std::vector<uint8_t>& method) {
        return tree_with([=](FdtBuilder& b) {
            b.cpus({0});
            psci_node(b, {"arm,psci-1.0"}, method);
        });
    };
    expect_refused(with_method(bytes_of("svc")), "neither");
    expect_refused(with_method(bytes_of("")), "neither");
    expect_refused(with_method(bytes_of("hvcx")), "neither");
    expect_refused(with_method({'h', 'v', 'c'}), "no method string");  // not NUL-terminated
    expect_refused(with_method({}), "no method string");
}

}  // namespace
