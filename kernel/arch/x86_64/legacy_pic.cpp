// Remapping and masking the 8259 PICs (the ICW1-ICW4 initialisation sequence, then OCW1).
#include "kernel/arch/x86_64/legacy_pic.h"

#include "kernel/arch/x86_64/cpu.h"

namespace x86_64::legacy_pic {
namespace {

constexpr u16 kPrimaryCommand = 0x20, kPrimaryData = 0x21;
constexpr u16 kSecondaryCommand = 0xa0, kSecondaryData = 0xa1;

}  // namespace

void remap_and_mask() {
    outb(kPrimaryCommand, 0x11);  // ICW1: initialise, ICW4 follows
    outb(kSecondaryCommand, 0x11);
    outb(kPrimaryData, static_cast<u8>(kFirstVector));  // ICW2: vector base
    outb(kSecondaryData, static_cast<u8>(kFirstVector + 8));
    outb(kPrimaryData, 0x04);  // ICW3: secondary on the primary's IRQ 2
    outb(kSecondaryData, 0x02);
    outb(kPrimaryData, 0x01);  // ICW4: 8086 mode
    outb(kSecondaryData, 0x01);
    outb(kPrimaryData, 0xff);  // OCW1: every line masked
    outb(kSecondaryData, 0xff);
}

}  // namespace x86_64::legacy_pic
