// The UARTs (see uart.h). 16550 registers: 0 data, 1 interrupt enable, 2 FIFO control,
// 3 line control, 4 modem control, 5 line status (bit 0 data ready, bit 5 transmitter empty).
// PL011 registers (word offsets): DR 0x00, FR 0x18 (bit 4 RXFE, bit 5 TXFF), IMSC 0x38
// (bit 4 RXIM, bit 6 RTIM), ICR 0x44.
#include "user/console/uart.h"

#include "user/runtime/port_io.h"
#include "user/runtime/syscalls.h"

namespace console {

namespace abi = vectra::abi;
namespace sys = vectra::sys;

namespace {

constexpr base::u64 kRegistersAddress = 0x40'0000'0000;  // the layout's free range
constexpr base::u32 kPl011Data = 0x00 / 4, kPl011Flags = 0x18 / 4, kPl011InterruptMask = 0x38 / 4, kPl011InterruptClear = 0x44 / 4;

}  // namespace

bool Uart::init(bool is_16550, abi::Handle registers, abi::Handle reticle) {
    is_16550_ = is_16550;
    if (is_16550_) {
        ports_ = registers;
        // Enable the receive-data interrupt, and OUT2 so the interrupt reaches the PIC.
        return vectra::ports::write8(ports_, 1, 0x01).is_ok() && vectra::ports::write8(ports_, 4, 0x0b).is_ok();
    }
    auto info = sys::bundle_info(registers);
    if (info.is_error()) return false;
    const base::u64 size = (info.value().size + abi::kPageSize - 1) & ~(abi::kPageSize - 1);
    if (sys::reticle_map(reticle, registers, 0, kRegistersAddress, size, abi::kProtectRead | abi::kProtectWrite).is_error())
        return false;
    mmio_ = reinterpret_cast<volatile base::u32*>(kRegistersAddress);
    mmio_[kPl011InterruptMask] = (1u << 4) | (1u << 6);
    return true;
}

void Uart::write_byte(base::u8 byte) {
    if (is_16550_) {
        // Bound: a working UART drains its FIFO in microseconds; give up rather than spin for ever.
        for (int i = 0; i < 100000; ++i) {
            auto status = vectra::ports::read8(ports_, 5);
            if (status.is_error() || (status.value() & 0x20)) break;
        }
        (void)vectra::ports::write8(ports_, 0, byte);
        return;
    }
    for (int i = 0; i < 100000 && (mmio_[kPl011Flags] & (1u << 5)); ++i) {}
    mmio_[kPl011Data] = byte;
}

bool Uart::read_byte(base::u8& byte) {
    if (is_16550_) {
        auto status = vectra::ports::read8(ports_, 5);
        if (status.is_error() || !(status.value() & 0x01)) return false;
        auto data = vectra::ports::read8(ports_, 0);
        if (data.is_error()) return false;
        byte = data.value();
        return true;
    }
    if (mmio_[kPl011Flags] & (1u << 4)) return false;
    byte = static_cast<base::u8>(mmio_[kPl011Data] & 0xff);
    return true;
}

void Uart::clear_receive_interrupt() {
    if (!is_16550_) mmio_[kPl011InterruptClear] = (1u << 4) | (1u << 6);
}

}  // namespace console
