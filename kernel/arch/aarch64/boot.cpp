// aarch64 boot in C++: vectors first (so any fault from here on is a readable dump), then
// the device tree is validated and read into BootInfo — memory, reservations, command line,
// CPUs — and the devices the kernel drives (PL011, GICv2, the virtual timer's interrupt) are
// found in it. A malformed tree is a clear fatal message, never a wild read.
#include "arch/arch.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/boot/fdt.h"
#include "kernel/core/log.h"
#include "kernel/mm/layout.h"

extern "C" char __kernel_start[], __kernel_end[];

namespace {

using base::u32;
using base::u64;

constinit kernel::BootInfo boot_info;
constexpr u64 kMaxDeviceTreeSize = 2 << 20;

[[noreturn]] void fatal_boot_error(const char* what, const char* message) {
    kernel::log("VectraOS cannot boot: {}: {}", what, message);
    arch::exit_emulator(arch::ExitCode::Panicked);
}

// The first reg entry of the first node compatible with one of `names`.
bool first_reg(const kernel::Fdt& fdt, kernel::Fdt::Node node, u64& base, u64& size, int index = 0) {
    int seen = 0;
    bool found = false;
    (void)fdt.for_each_reg(node, [&](u64 address, u64 length) {
        if (seen++ == index) {
            base = address;
            size = length;
            found = true;
        }
    });
    return found;
}

void find_devices(const kernel::Fdt& fdt) {
    u64 base = 0, size = 0;
    const auto uart = fdt.find_compatible("arm,pl011");
    if (!uart.has_value() || !first_reg(fdt, *uart, base, size)) fatal_boot_error("device tree", "no PL011 UART");
    aarch64::set_uart(base);
    (void)boot_info.kernel_devices.try_append({base, size});
    // The same UART goes to userland's console driver, with its interrupt: interrupts =
    // <type number flags>, type 0 being a shared peripheral interrupt (GIC id 32 + number).
    boot_info.console = {base, size};
    if (const auto interrupts = fdt.property(*uart, "interrupts"); interrupts.has_value() && interrupts->size() >= 12) {
        const u32 type = kernel::Fdt::read_be32(interrupts->data());
        const u32 number = kernel::Fdt::read_be32(interrupts->data() + 4);
        if (type == 0 && number < 988) boot_info.console_interrupt = 32 + number;
    }

    auto gic = fdt.find_compatible("arm,cortex-a15-gic");
    if (!gic.has_value()) gic = fdt.find_compatible("arm,gic-400");
    u64 distributor = 0, distributor_size = 0, cpu_interface = 0, cpu_interface_size = 0;
    if (!gic.has_value() || !first_reg(fdt, *gic, distributor, distributor_size, 0) ||
        !first_reg(fdt, *gic, cpu_interface, cpu_interface_size, 1))
        fatal_boot_error("device tree", "no GICv2 interrupt controller (run QEMU with gic-version=2)");
    (void)boot_info.kernel_devices.try_append({distributor, distributor_size});
    (void)boot_info.kernel_devices.try_append({cpu_interface, cpu_interface_size});
    aarch64::gic_init(distributor, cpu_interface);

    // interrupts = <type number flags> × {secure phys, non-secure phys, virtual, hypervisor}.
    const auto timer = fdt.find_compatible("arm,armv8-timer");
    if (timer.has_value()) {
        const auto interrupts = fdt.property(*timer, "interrupts");
        if (interrupts.has_value() && interrupts->size() >= 36) {
            const u32 type = kernel::Fdt::read_be32(interrupts->data() + 24);
            const u32 number = kernel::Fdt::read_be32(interrupts->data() + 28);
            if (type == 1 && number < 16) aarch64::set_timer_interrupt(16 + number);  // a PPI
        }
    }
}

}  // namespace

extern "C" [[noreturn]] void arch_aarch64_start(u64 device_tree_physical) {
    aarch64::configure_this_cpu();  // vectors first: any fault from here on is a readable dump

    // The boot tables map [0, 4 GiB) at the direct map; the tree must lie inside it.
    if (device_tree_physical == 0 || device_tree_physical >= (u64(4) << 30) - kernel::Fdt::kHeaderSize)
        fatal_boot_error("device tree", "no device tree in the first 4 GiB (x0 at entry)");
    const auto* blob = kernel::layout::physical_to_pointer<const base::u8>(device_tree_physical);
    const u64 declared = kernel::Fdt::read_be32(blob + 4);
    const u64 window = base::min(kMaxDeviceTreeSize, (u64(4) << 30) - device_tree_physical);
    auto fdt = kernel::Fdt::parse(base::Span<const base::u8>(blob, static_cast<base::usize>(base::min(declared, window))));
    if (fdt.is_error()) fatal_boot_error("device tree", fdt.error().message);

    const u64 boot_cpu_id = AARCH64_READ_SYSREG(mpidr_el1) & kernel::kMpidrAffinityMask;
    auto filled = kernel::fill_boot_info_from_fdt(fdt.value(), device_tree_physical, boot_cpu_id, boot_info);
    if (filled.is_error()) fatal_boot_error("device tree", filled.error().message);
    boot_info.kernel_physical_start = reinterpret_cast<u64>(__kernel_start) - aarch64::kKernelVirtualOffset + aarch64::kRamBase;
    boot_info.kernel_physical_end = reinterpret_cast<u64>(__kernel_end) - aarch64::kKernelVirtualOffset + aarch64::kRamBase;
    auto reserved = boot_info.memory.reserve(boot_info.kernel_physical_start,
                                             boot_info.kernel_physical_end - boot_info.kernel_physical_start,
                                             kernel::MemoryKind::KernelImage);
    if (reserved.is_error()) fatal_boot_error("memory map", reserved.error().message);
    find_devices(fdt.value());

    kernel::kernel_main(boot_info);
}
