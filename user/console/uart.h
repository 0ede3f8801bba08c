// The two UARTs the console driver knows, behind one small interface: a 16550 reached through
// an I/O-port Bundle (x86_64's COM1) and a PL011 whose registers are mapped from a device
// Bundle (aarch64 virt). Receive interrupts only; transmission polls the FIFO.
#pragma once

#include "abi/abi.h"
#include "base/types.h"

namespace console {

class Uart {
public:
    // `registers`: the Ports or Device Bundle; `reticle`: where to map a Device Bundle.
    bool init(bool is_16550, vectra::abi::Handle registers, vectra::abi::Handle reticle);
    void write_byte(base::u8 byte);
    // A received byte, if any.
    bool read_byte(base::u8& byte);
    // Clears the device's receive interrupt (before the Mask is acknowledged).
    void clear_receive_interrupt();

private:
    bool is_16550_ = true;
    vectra::abi::Handle ports_ = vectra::abi::kNoHandle;
    volatile base::u32* mmio_ = nullptr;
};

}  // namespace console
