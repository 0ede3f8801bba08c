// GICv2 (ARM IHI 0048B): the distributor routes and enables interrupts, the CPU interface
// delivers them. Only the boot CPU's private timer interrupt is used so far.
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/mm/layout.h"

namespace aarch64 {
namespace {

u64 distributor = 0, cpu_interface = 0;  // virtual addresses (direct map)

constexpr u32 kDistributorControl = 0x000, kSetEnable = 0x100, kClearEnable = 0x180, kPriority = 0x400, kTargets = 0x800;
constexpr u32 kCpuControl = 0x00, kPriorityMask = 0x04, kAcknowledge = 0x0c, kEndOfInterrupt = 0x10;

volatile u32& distributor_register(u32 offset) { return *reinterpret_cast<volatile u32*>(distributor + offset); }
volatile u32& cpu_register(u32 offset) { return *reinterpret_cast<volatile u32*>(cpu_interface + offset); }

}  // namespace

void gic_init(u64 distributor_physical, u64 cpu_interface_physical) {
    distributor = kernel::layout::physical_to_virtual(distributor_physical);
    cpu_interface = kernel::layout::physical_to_virtual(cpu_interface_physical);
    distributor_register(kDistributorControl) = 1;
    cpu_register(kPriorityMask) = 0xf0;  // let every priority above the lowest through
    cpu_register(kCpuControl) = 1;
}

void gic_enable_interrupt(u32 interrupt_id) {
    *reinterpret_cast<volatile base::u8*>(distributor + kPriority + interrupt_id) = 0xa0;
    distributor_register(kSetEnable + 4 * (interrupt_id / 32)) = 1u << (interrupt_id % 32);
}

void gic_disable_interrupt(u32 interrupt_id) {
    distributor_register(kClearEnable + 4 * (interrupt_id / 32)) = 1u << (interrupt_id % 32);
}

void gic_route_to_boot_cpu(u32 interrupt_id) {
    *reinterpret_cast<volatile base::u8*>(distributor + kTargets + interrupt_id) = 1;
}

u32 gic_acknowledge() { return cpu_register(kAcknowledge) & 0x3ff; }
void gic_end_of_interrupt(u32 interrupt_id) { cpu_register(kEndOfInterrupt) = interrupt_id; }

}  // namespace aarch64
