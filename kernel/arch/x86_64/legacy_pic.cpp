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

void set_masked(base::u32 line, bool masked) {
    const u16 port = line < 8 ? kPrimaryData : kSecondaryData;
    const u8 bit = static_cast<u8>(1u << (line % 8));
    const u8 current = inb(port);
    outb(port, masked ? (current | bit) : (current & ~bit));
    if (line >= 8 && !masked) set_masked(2, false);  // the cascade line
}

void end_of_interrupt(base::u32 line) {
    if (line >= 8) outb(kSecondaryCommand, 0x20);
    outb(kPrimaryCommand, 0x20);
}

}  // namespace x86_64::legacy_pic
