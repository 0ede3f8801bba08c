// libFuzzer target: arbitrary bytes as a device tree. parse() must refuse or accept without
// any out-of-bounds read, and every query the kernel makes must be safe on what it accepts.
#include <cstddef>
#include <cstdint>

#include "kernel/boot/fdt.h"
#include "tests/fuzz/memory_map_invariants.h"

namespace {

// What the kernel's CPU bring-up relies on: the boot CPU first, between 1 and kMaxCpus CPUs,
// each a distinct MPIDR affinity value.
void check_cpus(const kernel::BootInfo& info, base::u64 boot_cpu) {
    if (info.cpu_count < 1 || info.cpu_count > kernel::BootInfo::kMaxCpus) __builtin_trap();
    if (info.cpu_ids[0] != boot_cpu) __builtin_trap();
    for (base::u32 i = 0; i < info.cpu_count; ++i) {
        if ((info.cpu_ids[i] & ~kernel::kMpidrAffinityMask) != 0) __builtin_trap();
        for (base::u32 j = 0; j < i; ++j)
            if (info.cpu_ids[i] == info.cpu_ids[j]) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    auto fdt = kernel::Fdt::parse(base::Span<const base::u8>(data, size));
    if (fdt.is_error()) return 0;
    const kernel::Fdt& tree = fdt.value();
    (void)tree.find_node("/chosen");
    (void)tree.find_node("/memory");
    (void)tree.find_node("/cpus/cpu@0");
    (void)tree.find_compatible("arm,pl011");
    tree.for_each_node([&](kernel::Fdt::Node node, kernel::Fdt::Node) {
        (void)tree.node_name(node);
        (void)tree.string_property(node, "compatible");
        (void)tree.u32_property(node, "#address-cells");
        (void)tree.for_each_reg(node, [](base::u64, base::u64) {});
    });
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    // The tree at the start of RAM, where QEMU's virt machine puts it.
    // The boot CPU is QEMU's first (affinity 0); the tree decides whether it is listed.
    constexpr base::u64 kBootCpu = 0;
    if (kernel::fill_boot_info_from_fdt(tree, 0x4000'0000, kBootCpu, info).is_ok()) {
        check_cpus(info, kBootCpu);
        if (info.memory.normalize().is_ok()) {
            kernel::fuzz::check_normalized(info.memory);
            kernel::fuzz::check_boot_bundle(info);
        }
    }
    return 0;
}
