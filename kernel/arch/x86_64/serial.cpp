// The kernel log on the 16550 UART at COM1 (I/O port 0x3f8), polled: 115200 8N1, FIFOs on.
#include "arch/arch.h"
#include "kernel/arch/x86_64/cpu.h"

namespace x86_64 {
namespace {

constexpr u16 kCom1 = 0x3f8;
constexpr u8 kLineStatusTransmitEmpty = 1 << 5;

void put(char c) {
    // Bounded wait: a missing UART must not hang the kernel forever.
    for (int spins = 0; spins < 100000 && !(inb(kCom1 + 5) & kLineStatusTransmitEmpty); ++spins) {
    }
    outb(kCom1, static_cast<u8>(c));
}

}  // namespace

void serial_init() {
    outb(kCom1 + 1, 0x00);  // no UART interrupts
    outb(kCom1 + 3, 0x80);  // divisor latch access
    outb(kCom1 + 0, 0x01);  // divisor 1: 115200 baud
    outb(kCom1 + 1, 0x00);
    outb(kCom1 + 3, 0x03);  // 8 bits, no parity, 1 stop bit
    outb(kCom1 + 2, 0xc7);  // FIFOs on and cleared
    outb(kCom1 + 4, 0x03);  // DTR, RTS
}

}  // namespace x86_64

void arch::console_write(const char* text, base::usize length) {
    for (base::usize i = 0; i < length; ++i) {
        if (text[i] == '\n') x86_64::put('\r');
        x86_64::put(text[i]);
    }
}
