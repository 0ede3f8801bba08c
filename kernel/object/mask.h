// Mask: one hardware interrupt line handed to a userland driver. Bound to a Signal bit, the
// line's interrupt masks the line at the controller and raises the bit; the driver handles its
// device and calls mask_acknowledge, which unmasks the line. So the kernel needs no device
// driver: only the interrupt controller. Masks are made at boot, one per line the kernel gives
// init, and live for ever (their records are not paid by any grant).
#pragma once

#include "kernel/capability/status_or.h"
#include "kernel/object/object.h"

namespace kernel {

class Signal;

class Mask final : public Object {
public:
    static constexpr base::u32 kMaxLines = 256;

    static StatusOr<Mask*> create(base::u32 line);

    base::u32 line() const { return line_; }
    vectra::abi::Status bind(Signal& signal, base::u64 bits);
    vectra::abi::Status acknowledge();
    // Interrupt context: the line fired.
    void fired();

protected:
    void destroy() override;

private:
    explicit Mask(base::u32 line) : Object(vectra::abi::ObjectKind::Mask), line_(line) {}

    base::u32 line_;
    Signal* signal_ = nullptr;  // retained while bound
    base::u64 bits_ = 0;
    bool waiting_for_acknowledge_ = false;
};

// Called by the architecture for an interrupt on a device line.
void device_interrupt(base::u32 line);

}  // namespace kernel
