// Starting userland: the kernel's last job at boot. It finds `init` in the boot bundle, checks
// its SHA-256 and its ELF completely, builds its Reticle, stack and capability table, and
// starts it. Everything else — drivers, services, programs — init starts itself.
#pragma once

#include "kernel/boot/boot_info.h"

namespace kernel {

// True when init was started (the scheduler then runs it); false with a logged reason when
// there is no boot bundle or init cannot be loaded (the kernel then idles).
bool start_init(const BootInfo& boot_info);

}  // namespace kernel
