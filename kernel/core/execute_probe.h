// The execution probe behind arch::probe_execute: the probe records the address it is about
// to call, and a trap handler that sees an instruction fetch fault at exactly that address
// asks here where to resume (the probe's own return path). Tests use it to prove that data,
// rodata, stacks and the direct map cannot be executed. One probe at a time, on one CPU.
#pragma once

#include "base/types.h"

// 16 bytes of kernel text that only return (then trap): what tests copy into memory that must
// not execute, so that a probe which wrongly succeeds returns instead of running garbage.
extern "C" const base::u8 execute_probe_return_code[16];
// The same 16 bytes in .rodata.
extern "C" const base::u8 execute_probe_return_code_in_rodata[16];

namespace kernel {

// The resume address for an instruction fetch fault at `faulting_pc`, or 0 when no probe is
// waiting for a fault there.
base::u64 execute_probe_resume(base::u64 faulting_pc);

}  // namespace kernel
