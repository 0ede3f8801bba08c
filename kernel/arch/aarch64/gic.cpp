// GICv2 (ARM IHI 0048B): the distributor routes and enables interrupts, each CPU's interface
// (the same address, banked per CPU) delivers them. The boot CPU takes the timer and every
// device interrupt; the others only SGIs (the reschedule IPI) so far. SGIs and PPIs (ids below
// 32) have their enable and priority registers banked per CPU in the distributor too, so each
// CPU sets up its own.
#include "arch/smp.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/mm/layout.h"

namespace aarch64 {
namespace {

u64 distributor = 0, cpu_interface = 0;  // virtual addresses (direct map)

constexpr u32 kDistributorControl = 0x000, kSetEnable = 0x100, kClearEnable = 0x180, kPriority = 0x400, kTargets = 0x800,
              kSoftwareInterrupt = 0xf00, kClearPendingSgi = 0xf10;
constexpr u32 kCpuControl = 0x00, kPriorityMask = 0x04, kAcknowledge = 0x0c, kEndOfInterrupt = 0x10, kRunningPriority = 0x14;
constexpr u32 kIdlePriority = 0xff;  // GICC_RPR with no interrupt active

// Each CPU's interface as a GICD_ITARGETSR / GICD_SGIR target bit, by kernel CPU index: the
// GIC numbers interfaces its own way (not by MPIDR), so each CPU reads its bit from the
// banked GICD_ITARGETSR0 when it sets up its interface. 0: not set up (yet).
constinit u8 interface_bit[arch::kMaxCpus] = {};

volatile u32& distributor_register(u32 offset) { return *reinterpret_cast<volatile u32*>(distributor + offset); }
volatile u32& cpu_register(u32 offset) { return *reinterpret_cast<volatile u32*>(cpu_interface + offset); }
volatile u8& distributor_byte(u32 offset) { return *reinterpret_cast<volatile u8*>(distributor + offset); }

}  // namespace

void gic_init(u64 distributor_physical, u64 cpu_interface_physical) {
    distributor = kernel::layout::physical_to_virtual(distributor_physical);
    cpu_interface = kernel::layout::physical_to_virtual(cpu_interface_physical);
    distributor_register(kDistributorControl) = 1;
    gic_init_this_cpu(0);
}

void gic_init_this_cpu(unsigned cpu_index) {
    if (cpu_index >= arch::kMaxCpus) return;
    // Reading any byte of ITARGETSR0-7 gives the reading CPU's own interface bit.
    __atomic_store_n(&interface_bit[cpu_index], distributor_byte(kTargets), __ATOMIC_RELEASE);
    gic_enable_interrupt(kRescheduleSgi);
    gic_enable_interrupt(kLockWakeSgi);
    cpu_register(kPriorityMask) = 0xf0;  // let every priority above the lowest through
    cpu_register(kCpuControl) = 1;
}

void gic_enable_interrupt(u32 interrupt_id) {
    distributor_byte(kPriority + interrupt_id) = 0xa0;
    distributor_register(kSetEnable + 4 * (interrupt_id / 32)) = 1u << (interrupt_id % 32);
}

void gic_disable_interrupt(u32 interrupt_id) {
    distributor_register(kClearEnable + 4 * (interrupt_id / 32)) = 1u << (interrupt_id % 32);
}

void gic_route_to_boot_cpu(u32 interrupt_id) { distributor_byte(kTargets + interrupt_id) = interface_bit[0]; }

bool gic_send_sgi(unsigned cpu_index, u32 sgi) {
    if (cpu_index >= arch::kMaxCpus || sgi > 15) return false;
    const u32 target = __atomic_load_n(&interface_bit[cpu_index], __ATOMIC_ACQUIRE);
    if (target == 0) return false;
    // Whatever this CPU wrote before must be visible to the target when it takes the SGI.
    asm volatile("dsb ishst" ::: "memory");
    // TargetListFilter 0 (the list), CPUTargetList, SGIINTID.
    distributor_register(kSoftwareInterrupt) = (target << 16) | sgi;
    return true;
}

void gic_clear_pending_sgi(u32 sgi) {
    if (sgi <= 15) distributor_byte(kClearPendingSgi + sgi) = 0xff;  // GICD_CPENDSGIRn: a bit per sender
}

bool gic_no_interrupt_active() { return (cpu_register(kRunningPriority) & 0xff) == kIdlePriority; }

u32 gic_acknowledge() { return cpu_register(kAcknowledge); }
void gic_end_of_interrupt(u32 acknowledged) { cpu_register(kEndOfInterrupt) = acknowledged; }

}  // namespace aarch64
