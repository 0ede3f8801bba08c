// The program's heap: allocator.h's rules over memory the program pays for itself — Memory
// Bundles created from its memory grant and mapped through its own Reticle (both from the
// StartInfo or, for init, the BootCapabilities), at the addresses layout.h reserves. malloc,
// free, calloc, realloc, aligned_alloc and C++ new/delete all come here. Safe to call from
// several threads of one Task (one lock).
#pragma once

#include "user/runtime/allocator.h"
#include "user/runtime/sys_result.h"

namespace vectra::heap {

// The capabilities the heap maps with. The runtime sets them at start; a program may set them
// itself (before its first allocation) if it obtained them another way.
void set_capabilities(abi::Handle reticle, abi::Handle memory_grant);

// Null when out of memory (the grant is spent, the heap range is full, or no capabilities).
void* allocate(usize size, usize alignment = 16);
void free(void* pointer);  // traps, after saying so on the console, on a pointer it never gave out
void* reallocate(void* pointer, usize size);

Statistics statistics();
// Why the last mapping attempt failed (Ok if none has).
Status last_failure();

}  // namespace vectra::heap
