#include "kernel/core/fault_fixup.h"

// Pairs of (faulting instruction, resume address), written by the arch's assembly: the
// memory probes, and the copies to and from user memory.
extern "C" const base::u64 probe_fixups[], probe_fixups_end[];
extern "C" const base::u64 user_access_fixups[], user_access_fixups_end[];

namespace kernel {

base::u64 fault_fixup_for(base::u64 instruction) {
    for (const base::u64* entry = probe_fixups; entry < probe_fixups_end; entry += 2) {
        if (entry[0] == instruction) return entry[1];
    }
    for (const base::u64* entry = user_access_fixups; entry < user_access_fixups_end; entry += 2) {
        if (entry[0] == instruction) return entry[1];
    }
    return 0;
}

}  // namespace kernel
