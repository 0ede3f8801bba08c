// What a program receives when another Task starts it (init, later a shell): a convention
// between starters and the runtime, not a kernel rule. The starter writes a StartInfo at the
// top of the new program's stack (layout.h: just below kStackTop), passes its user address as
// the first thread's argument (rdi / x0) and the stack pointer just below it, and gives the
// program the capabilities named inside (task_give; the handles are their values in the
// program's own table).
//
// init itself is started by the kernel with the address of an abi::BootCapabilities instead;
// the runtime tells the two apart by which main the program defines (runtime.h).
#pragma once

#include "abi/abi.h"

namespace vectra {

using base::u32;

inline constexpr u32 kStartInfoMagic = 0x5645'5354;  // "VEST"
inline constexpr u32 kStartInfoVersion = 1;
inline constexpr u32 kStartMaxHandles = 8;
inline constexpr u32 kStartArgumentsMax = 256;

struct StartInfo {
    u32 magic;    // kStartInfoMagic
    u32 version;  // kStartInfoVersion
    // Each may be kNoHandle when the starter gives none.
    abi::Handle self_task;     // the program's own Task (kRightRead at least)
    abi::Handle self_reticle;  // its own address space, with kRightWrite: the heap maps here
    abi::Handle memory_grant;  // pays for the heap's Bundles (kRightAllocate)
    abi::Handle console;       // a Ring to the console driver (user/console/protocol.h)
    abi::Handle handles[kStartMaxHandles];  // more capabilities, as agreed with the starter
    u32 handle_count;                       // how many of `handles` are meaningful
    u32 arguments_length;                   // bytes in `arguments`, not counting the NUL
    char arguments[kStartArgumentsMax];     // the command line, NUL-terminated
};
static_assert(sizeof(StartInfo) == 320);
static_assert(sizeof(StartInfo) % 8 == 0);

// Where a starter puts the StartInfo and the stack pointer for a stack ending at `stack_top`:
// the StartInfo at the top (16-byte aligned), the stack pointer just below it.
constexpr base::u64 start_info_address(base::u64 stack_top) { return (stack_top - sizeof(StartInfo)) & ~base::u64(15); }
constexpr base::u64 initial_stack_pointer(base::u64 stack_top) { return start_info_address(stack_top); }

// Whether a StartInfo the program was handed is one it can trust the layout of.
constexpr bool start_info_is_valid(const StartInfo& info) {
    return info.magic == kStartInfoMagic && info.version == kStartInfoVersion && info.handle_count <= kStartMaxHandles &&
           info.arguments_length < kStartArgumentsMax && info.arguments[info.arguments_length] == '\0';
}

}  // namespace vectra
