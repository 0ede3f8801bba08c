// The kernel log on the PL011 UART, polled. QEMU's PL011 needs no set-up to transmit.
#include "arch/arch.h"
#include "kernel/arch/aarch64/cpu.h"
#include "kernel/mm/layout.h"

namespace aarch64 {
namespace {

u64 uart_physical = 0x0900'0000;  // QEMU virt; replaced by the device tree's value
constexpr u32 kData = 0x00, kFlags = 0x18, kTransmitFull = 1 << 5;

volatile u32& uart(u32 offset) {
    return *reinterpret_cast<volatile u32*>(kernel::layout::physical_to_virtual(uart_physical) + offset);
}

void put(char c) {
    for (int spins = 0; spins < 100000 && (uart(kFlags) & kTransmitFull); ++spins) {
    }
    uart(kData) = static_cast<base::u8>(c);
}

}  // namespace

void set_uart(u64 physical) { uart_physical = physical; }

}  // namespace aarch64

void arch::console_write(const char* text, base::usize length) {
    for (base::usize i = 0; i < length; ++i) {
        if (text[i] == '\n') aarch64::put('\r');
        aarch64::put(text[i]);
    }
}
