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
