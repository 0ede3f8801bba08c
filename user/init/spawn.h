// Starting a program from the boot bundle, the way init does it (and a shell will): check the
// program (its SHA-256 in the bundle, then its ELF completely), give it a grant of its own split
// from the starter's, an address space with its segments copied into fresh Bundles, a stack with
// a StartInfo at its top, and the capabilities listed; its faults and its ending go to
// `fault_ring`. Nothing is started when any step fails; the error says which.
#pragma once

#include "base/span.h"
#include "base/string_view.h"
#include "boot_bundle/reader.h"
#include "user/runtime/start_info.h"
#include "user/runtime/sys_result.h"

namespace init {

using vectra::abi::Handle;

struct SpawnRequest {
    base::StringView name;            // the program's name in the bundle (and the Task's name)
    base::StringView arguments;       // its command line
    vectra::abi::Handle console = vectra::abi::kNoHandle;  // a console Ring end to give
    base::Span<const Handle> extra;   // more capabilities, given in order (StartInfo::handles)
    base::u64 grant_pages = 4096;     // the program's own memory
    base::u32 priority = vectra::abi::kPriorityDefault;
};

struct Spawned {
    Handle task;  // init's capability to the new Task
    base::u64 task_id;
};

// Why spawning failed, for the console: a static phrase, and the status when a syscall refused.
struct SpawnError {
    const char* what;
    vectra::abi::Status status;
};

struct SpawnResult {
    bool ok;
    Spawned spawned;
    SpawnError error;
};

struct Starter {
    const boot_bundle::Reader* bundle;
    Handle grant;       // init's grant, split for each program
    Handle fault_ring;  // the end the kernel reports children's faults through
};

SpawnResult spawn(const Starter& starter, const SpawnRequest& request);

}  // namespace init
