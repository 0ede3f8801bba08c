// Local APIC register access in either mode; see local_apic.h.
#include "kernel/arch/x86_64/local_apic.h"

#include "kernel/arch/x86_64/cpu.h"
#include "kernel/mm/layout.h"

namespace x86_64::local_apic {
namespace {

constexpr u32 kApicBaseMsr = 0x1b;
constexpr u64 kApicBaseGlobalEnable = 1ull << 11;
constexpr u64 kApicBaseX2apicMode = 1ull << 10;
constexpr u64 kApicBaseAddressMask = 0x000f'ffff'ffff'f000ull;
constexpr u32 kX2apicMsrBase = 0x800;
constexpr u32 kSpuriousSoftwareEnable = 1u << 8;
constexpr u32 kInterruptCommandLow = 0x300, kInterruptCommandHigh = 0x310;
constexpr u32 kDeliveryPending = 1u << 12;
constexpr u64 kDeliveryPolls = 1'000'000;  // far longer than any APIC takes to accept an IPI

// Written once by detect() on the boot CPU, before interrupts exist; read-only afterwards.
constinit u64 mmio_physical = 0xfee0'0000;
constinit bool x2apic_mode = false;

volatile u32& mmio_register(u32 offset) {
    return *reinterpret_cast<volatile u32*>(kernel::layout::physical_to_virtual(mmio_physical) + offset);
}

}  // namespace

u64 detect() {
    u64 base = read_msr(kApicBaseMsr);
    if (!(base & kApicBaseGlobalEnable)) {
        base |= kApicBaseGlobalEnable;
        write_msr(kApicBaseMsr, base);
    }
    x2apic_mode = base & kApicBaseX2apicMode;
    mmio_physical = base & kApicBaseAddressMask;
    return x2apic_mode ? 0 : mmio_physical;
}

void match_boot_cpu_mode() {
    u64 base = read_msr(kApicBaseMsr) | kApicBaseGlobalEnable;
    write_msr(kApicBaseMsr, base);  // xAPIC first: x2APIC may only be entered from it
    if (x2apic_mode && !(base & kApicBaseX2apicMode)) write_msr(kApicBaseMsr, base | kApicBaseX2apicMode);
}

u32 id() { return x2apic_mode ? read(kId) : read(kId) >> 24; }

bool send_ipi(u32 destination, u32 command) {
    if (x2apic_mode) {
        // One MSR write sends it (x2APIC ICR: destination in the high half). Writes to the
        // x2APIC MSRs are not serializing: the fence orders what the target is to see first.
        asm volatile("mfence; lfence" ::: "memory");
        write_msr(kX2apicMsrBase + kInterruptCommandLow / 16, u64(destination) << 32 | command);
        return true;
    }
    write(kInterruptCommandHigh, destination << 24);
    write(kInterruptCommandLow, command);  // this write sends it
    for (u64 polls = 0; polls < kDeliveryPolls; ++polls)
        if (!(read(kInterruptCommandLow) & kDeliveryPending)) return true;
    return false;
}

void enable(u8 spurious_vector) { write(kSpuriousInterrupt, kSpuriousSoftwareEnable | spurious_vector); }

u32 read(u32 offset) {
    if (x2apic_mode) return static_cast<u32>(read_msr(kX2apicMsrBase + offset / 16));
    return mmio_register(offset);
}

void write(u32 offset, u32 value) {
    if (x2apic_mode) write_msr(kX2apicMsrBase + offset / 16, value);
    else mmio_register(offset) = value;
}

}  // namespace x86_64::local_apic
