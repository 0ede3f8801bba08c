// The user half of every address space, as the ABI defines it: the one check that a user
// pointer and length lie inside it (no wrap, nothing in kernel space, nothing in the low 64 KiB
// that stays unmapped so null pointers fault).
#pragma once

#include "abi/abi.h"
#include "base/types.h"

namespace kernel {

constexpr bool user_range_valid(base::u64 address, base::u64 length) {
    if (address < vectra::abi::kUserSpaceBase || address >= vectra::abi::kUserSpaceEnd) return false;
    return length <= vectra::abi::kUserSpaceEnd - address;
}

}  // namespace kernel
