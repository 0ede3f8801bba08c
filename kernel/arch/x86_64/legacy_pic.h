// The two 8259 PICs of the PC: VectraOS never uses them, but they exist on q35 and a stray
// or spurious IRQ from them must not look like a CPU exception.
#pragma once

#include "base/types.h"

namespace x86_64::legacy_pic {

// Where the PICs deliver after remap_and_mask(): IRQ 0-15 at vectors 0x20-0x2f.
inline constexpr base::u64 kFirstVector = 0x20;
inline constexpr base::u64 kLastVector = 0x2f;

// Moves the PICs' vectors off the exception range, then masks every line.
void remap_and_mask();
// Device lines handed to userland through Masks (COM1 is line 4).
void set_masked(base::u32 line, bool masked);
void end_of_interrupt(base::u32 line);

}  // namespace x86_64::legacy_pic
