// Where the BootInfo kernel_main received can be found afterwards (see boot_info.h). It lives
// in the architecture's boot code for the kernel's whole life and is never changed after boot.
#include "kernel/boot/boot_info.h"
#include "kernel/core/panic.h"

namespace kernel {
namespace {

const BootInfo* kept = nullptr;

}  // namespace

void keep_boot_information(const BootInfo& boot_info) { kept = &boot_info; }

const BootInfo& boot_information() {
    if (kept == nullptr) panic("boot information asked for before kernel_main kept it");
    return *kept;
}

}  // namespace kernel
