// From the first instruction to main and back out: the architecture's _start (arch/*/start.S)
// aligns the stack, ends the frame-pointer chain and calls vectra_runtime_start with the
// thread's argument. See runtime.h for what happens before main.
#include "base/utility.h"
#include "user/runtime/console.h"
#include "user/runtime/heap.h"
#include "user/runtime/memory_functions.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"

// The three mains a program may define (runtime.h); the ones it does not define are null.
[[gnu::weak]] int main(const vectra::StartInfo& start);
[[gnu::weak]] int main(const vectra::abi::BootCapabilities& boot);
[[gnu::weak]] int main();

extern "C" {
extern char __bss_start[];
extern char __bss_end[];
extern void (*const __init_array_start[])();
extern void (*const __init_array_end[])();
[[noreturn]] void vectra_runtime_start(base::u64 argument);
}

namespace vectra {
namespace {

StartInfo start_copy;
bool have_start = false;
abi::BootCapabilities boot_copy;
bool have_boot = false;

constexpr base::usize kMaxExitFunctions = 32;
void (*exit_functions[kMaxExitFunctions])();
base::usize exit_function_count = 0;

// The argument names memory the program can read: inside user space, aligned, not wrapping.
bool plausible_user_pointer(base::u64 address, base::usize size) {
    return address >= abi::kUserSpaceBase && base::is_aligned(address, 8) && address <= abi::kUserSpaceEnd - size;
}

}  // namespace

const StartInfo* start_info() { return have_start ? &start_copy : nullptr; }
const abi::BootCapabilities* boot_capabilities() { return have_boot ? &boot_copy : nullptr; }

[[noreturn]] void exit(int status) {
    // Functions registered while exiting still run: the loop bound is re-read.
    while (exit_function_count > 0) exit_functions[--exit_function_count]();
    (void)console::flush(1'000'000'000);
    sys::task_exit(static_cast<base::u64>(static_cast<base::i64>(status)));
}

}  // namespace vectra

extern "C" int atexit(void (*function)()) {
    if (vectra::exit_function_count == vectra::kMaxExitFunctions) return -1;
    vectra::exit_functions[vectra::exit_function_count++] = function;
    return 0;
}

extern "C" [[noreturn]] void vectra_runtime_start(base::u64 argument) {
    using namespace vectra;
    // The loader maps .bss as zeros; zeroing it again costs little and makes that not matter.
    memory::fill(__bss_start, 0, static_cast<base::usize>(__bss_end - __bss_start));

    using BootMain = int (*)(const abi::BootCapabilities&);
    using StartMain = int (*)(const StartInfo&);
    using PlainMain = int (*)();
    const BootMain boot_main = &::main;
    const StartMain start_main = &::main;
    const PlainMain plain_main = &::main;

    if (boot_main != nullptr) {
        // init: the kernel passes its BootCapabilities; copied so init may reuse that memory.
        if (!plausible_user_pointer(argument, sizeof(abi::BootCapabilities))) sys::task_exit(kExitBadStartInfo);
        memory::copy(&boot_copy, reinterpret_cast<const void*>(argument), sizeof boot_copy);
        have_boot = true;
        heap::set_capabilities(boot_copy.self_reticle, boot_copy.memory_grant);
    } else if (argument != 0) {
        if (!plausible_user_pointer(argument, sizeof(StartInfo))) sys::task_exit(kExitBadStartInfo);
        memory::copy(&start_copy, reinterpret_cast<const void*>(argument), sizeof start_copy);
        if (!start_info_is_valid(start_copy)) sys::task_exit(kExitBadStartInfo);
        have_start = true;
        heap::set_capabilities(start_copy.self_reticle, start_copy.memory_grant);
        console::attach(start_copy.console);
    } else if (start_main != nullptr) {
        sys::task_exit(kExitBadStartInfo);  // it needs a StartInfo and was given none
    }

    for (auto* constructor = __init_array_start; constructor != __init_array_end; ++constructor) (*constructor)();

    int status = kExitNoMain;
    if (boot_main != nullptr) {
        status = boot_main(boot_copy);
    } else if (start_main != nullptr) {
        status = start_main(start_copy);
    } else if (plain_main != nullptr) {
        status = plain_main();
    } else {
        console::print_unbuffered_line("runtime: this program defines no main");
    }
    vectra::exit(status);
}
