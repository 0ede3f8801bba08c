// Where things sit in a program's address space: a convention between the runtime, init and
// anyone else who starts programs, not a kernel rule (the kernel only enforces
// [kUserSpaceBase, kUserSpaceEnd) from lib/abi/abi.h). Each range is page-aligned.
#pragma once

#include "abi/abi.h"

namespace vectra::layout {

using base::u64;

// The program image (user/runtime/user.ld links text at kImageBase; the image must end below
// kImageLimit, which the linker script asserts).
inline constexpr u64 kImageBase = 0x40'0000;
inline constexpr u64 kImageLimit = 0x4000'0000;  // 1 GiB

// The heap: the runtime maps Bundles here, upwards from kHeapBase, never past kHeapLimit.
inline constexpr u64 kHeapBase = 0x10'0000'0000;   // 64 GiB
inline constexpr u64 kHeapLimit = 0x20'0000'0000;  // 128 GiB

// Large allocations (one Bundle each), upwards from kLargeBase.
inline constexpr u64 kLargeBase = 0x20'0000'0000;
inline constexpr u64 kLargeLimit = 0x40'0000'0000;

// Free for the program's own mappings (device registers, shared Bundles, ...).
inline constexpr u64 kFreeBase = 0x40'0000'0000;
inline constexpr u64 kFreeLimit = 0x7000'0000'0000;

// The first thread's stack: whoever starts the program maps kStackSize bytes ending at
// kStackTop, with an unmapped guard page below, and passes a stack pointer at or below
// kStackTop (the start information sits at the very top, see start_info.h).
inline constexpr u64 kStackTop = 0x7fff'0000'0000;
inline constexpr u64 kStackSize = 256 * 1024;

static_assert(kImageBase >= abi::kUserSpaceBase);
static_assert(kImageLimit <= kHeapBase && kHeapLimit <= kLargeBase && kLargeLimit <= kFreeBase);
static_assert(kFreeLimit <= kStackTop - kStackSize - abi::kPageSize);
static_assert(kStackTop <= abi::kUserSpaceEnd);
// init's stack, which the kernel places, sits where every other program's does.
static_assert(kStackTop == abi::kInitStackTop && kStackSize == abi::kInitStackSize);

}  // namespace vectra::layout
