// The flight recorder (see trace.h).
#include "kernel/debug/trace.h"

#include "arch/arch.h"
#include "arch/smp.h"
#include "kernel/smp/cpu_local.h"

namespace kernel::trace {
namespace {

static_assert((kTraceEvents & (kTraceEvents - 1)) == 0, "the ring's size is a power of two");

struct Ring {
    base::u32 next = 0;  // events recorded so far; the slot is next % kTraceEvents
    TraceEvent events[kTraceEvents] = {};
};

// Read by host/qemu/hang_dump.py by this name.
constinit Ring trace_rings[arch::kMaxCpus];

}  // namespace

void record(Event event, base::u64 a, base::u64 b) {
    Ring& ring = trace_rings[this_cpu().index];
    const base::u32 sequence = ring.next++;
    TraceEvent& slot = ring.events[sequence & (kTraceEvents - 1)];
    slot.time = is_timed(event) ? arch::monotonic_ns() : 0;
    slot.a = a;
    slot.b = b;
    slot.event = event;
    slot.sequence = sequence;
}

}  // namespace kernel::trace
