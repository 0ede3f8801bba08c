// The runtime as a program sees it. A program defines exactly one of
//     int main(const vectra::StartInfo& start);             // started by init or another Task
//     int main(const vectra::abi::BootCapabilities& boot);  // init, started by the kernel
//     int main();                                           // needs nothing from its starter
// (-ffreestanding makes main an ordinary function, so these are overloads the start code tells
// apart). Before main: .bss is zeroed, the heap and console get their capabilities from the
// StartInfo (or BootCapabilities: heap only, init attaches a console itself), and constructors
// of globals run. main's return value goes to exit().
#pragma once

#include "abi/abi.h"
#include "user/runtime/start_info.h"

namespace vectra {

#if defined(__x86_64__)
inline constexpr const char* kArchitectureName = "x86_64";
#elif defined(__aarch64__)
inline constexpr const char* kArchitectureName = "aarch64";
#endif

// Exit statuses of the runtime's own: the start code could not run main.
inline constexpr int kExitBadStartInfo = 126;  // the argument was not a valid StartInfo
inline constexpr int kExitNoMain = 127;        // the program defines none of the three mains

// The program's own start information: null in init (see boot_capabilities()) and when the
// starter passed none.
const StartInfo* start_info();
// init's BootCapabilities (a copy); null in every other program.
const abi::BootCapabilities* boot_capabilities();

// The stack pointer to start another Task's thread with (task_start) on the stack
// [stack, stack + size): the top, 16-byte aligned, as the architecture's calling convention
// has it at a function's first instruction (x86_64: as if a call had pushed a return address).
inline base::u64 initial_stack_pointer(void* stack, base::u64 size) {
    const base::u64 top = (reinterpret_cast<base::u64>(stack) + size) & ~base::u64(15);
#if defined(__x86_64__)
    return top - 8;
#else
    return top;
#endif
}

// Runs atexit functions (last registered first), flushes the console (waiting at most a
// second for the driver) and ends the Task with `status` (sign-extended to 64 bits).
[[noreturn]] void exit(int status);

}  // namespace vectra

// Registers a function for exit() to run (also how the compiler registers destructors of
// globals, with -fno-use-cxa-atexit). At most 32; returns nonzero when full.
extern "C" int atexit(void (*function)());
