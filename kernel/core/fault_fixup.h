// Expected faults: each architecture's memory probes (arch::probe_read_u8 / probe_write_u8)
// list, in the table probe_fixups .. probe_fixups_end, the address of each instruction that
// may fault and the address to resume at. A trap handler asks here before panicking.
#pragma once

#include "base/types.h"

namespace kernel {

// The resume address for a fault at `instruction`, or 0 when the fault was not expected.
base::u64 fault_fixup_for(base::u64 instruction);

}  // namespace kernel
