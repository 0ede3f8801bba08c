// Spawning programs (see spawn.h).
#include "user/init/spawn.h"

#include "elf/load_plan.h"
#include "user/runtime/layout.h"
#include "user/runtime/syscalls.h"

namespace init {

namespace abi = vectra::abi;
namespace sys = vectra::sys;
using abi::Status;

namespace {

#if defined(__x86_64__)
constexpr elf::Machine kMachine = elf::Machine::x86_64;
#else
constexpr elf::Machine kMachine = elf::Machine::aarch64;
#endif

constexpr base::u64 kPage = abi::kPageSize;
constexpr base::u32 kRightsForChildReticle = abi::kRightRead | abi::kRightWrite | abi::kRightMap;
constexpr base::u32 kRightsForChildGrant = abi::kRightRead | abi::kRightAllocate | abi::kRightTransfer | abi::kRightDerive;
constexpr base::u32 kRightsForChildTask = abi::kRightRead | abi::kRightWrite;
constexpr base::u32 kRightsForConsole = abi::kRightRead | abi::kRightWrite | abi::kRightTransfer | abi::kRightDerive;

SpawnResult failure(const char* what, Status status = Status::Ok) { return SpawnResult{false, {}, {what, status}}; }

// Copies one segment into a new Bundle and maps it into the child.
Status load_segment(Handle grant, Handle reticle, base::Span<const base::u8> file, const elf::LoadSegment& segment) {
    const base::u64 start = segment.page_start(kPage), end = segment.page_end(kPage);
    auto bundle = sys::bundle_create(grant, (end - start) / kPage);
    if (bundle.is_error()) return bundle.error();
    Status status = Status::Ok;
    if (segment.file_size != 0) {
        auto written = sys::bundle_write(bundle.value(), segment.virtual_address - start, file.data() + segment.file_offset,
                                         segment.file_size);
        status = written.status();
    }
    const base::u32 protection = (segment.readable ? abi::kProtectRead : 0) | (segment.writable ? abi::kProtectWrite : 0) |
                                 (segment.executable ? abi::kProtectExecute : 0);
    if (status == Status::Ok)
        status = sys::reticle_map(reticle, bundle.value(), 0, start, end - start, protection == 0 ? abi::kProtectRead : protection)
                     .status();
    (void)sys::handle_close(bundle.value());  // the mapping keeps the Bundle
    return status;
}

}  // namespace

SpawnResult spawn(const Starter& starter, const SpawnRequest& request) {
    // Decode: the program's bytes match its hash, and its ELF is sound.
    auto program = starter.bundle->verified_program(request.name);
    if (program.is_error()) return failure(program.error().message);
    const elf::LoadLimits limits{vectra::layout::kImageBase, vectra::layout::kImageLimit, vectra::layout::kImageLimit - vectra::layout::kImageBase};
    auto plan = elf::plan_load(program.value(), kMachine, limits);
    if (plan.is_error()) return failure(plan.error().message);
    if (request.extra.size() > vectra::kStartMaxHandles || request.arguments.size() >= vectra::kStartArgumentsMax)
        return failure("too many capabilities or too long a command line", Status::TooLarge);

    auto grant = sys::grant_split(starter.grant, request.grant_pages);
    if (grant.is_error()) return failure("cannot split a memory grant", grant.error());
    // From here on, closing the child's grant handle would not free what it paid for while the
    // objects live; on failure we close what we made, and the objects die with their handles.
    auto reticle = sys::reticle_create(grant.value());
    if (reticle.is_error()) return failure("cannot create an address space", reticle.error());
    for (const elf::LoadSegment& segment : plan.value().load_segments()) {
        const Status loaded = load_segment(grant.value(), reticle.value(), program.value(), segment);
        if (loaded != Status::Ok) return failure("cannot load a segment", loaded);
    }
    auto stack = sys::bundle_create(grant.value(), vectra::layout::kStackSize / kPage);
    if (stack.is_error()) return failure("cannot allocate a stack", stack.error());
    const base::u64 stack_bottom = vectra::layout::kStackTop - vectra::layout::kStackSize;
    auto mapped = sys::reticle_map(reticle.value(), stack.value(), 0, stack_bottom, vectra::layout::kStackSize,
                                   abi::kProtectRead | abi::kProtectWrite);
    if (mapped.is_error()) return failure("cannot map the stack", mapped.error());

    auto task = sys::task_create(grant.value(), reticle.value(), request.name);
    if (task.is_error()) return failure("cannot create the Task", task.error());
    vectra::StartInfo info{};
    info.magic = vectra::kStartInfoMagic;
    info.version = vectra::kStartInfoVersion;
    auto give = [&](Handle handle, base::u32 rights) -> Handle {
        if (handle == abi::kNoHandle) return abi::kNoHandle;
        auto given = sys::task_give(task.value(), handle, rights);
        return given.is_error() ? abi::kNoHandle : given.value();
    };
    info.self_task = give(task.value(), kRightsForChildTask);
    info.self_reticle = give(reticle.value(), kRightsForChildReticle);
    info.memory_grant = give(grant.value(), kRightsForChildGrant);
    info.console = give(request.console, kRightsForConsole);
    for (base::usize i = 0; i < request.extra.size(); ++i) info.handles[i] = give(request.extra[i], abi::kRightsAll);
    info.handle_count = static_cast<base::u32>(request.extra.size());
    for (base::usize i = 0; i < request.arguments.size(); ++i) info.arguments[i] = request.arguments[i];
    info.arguments_length = static_cast<base::u32>(request.arguments.size());

    const base::u64 info_address = vectra::start_info_address(vectra::layout::kStackTop);
    auto written = sys::bundle_write(stack.value(), info_address - stack_bottom, &info, sizeof info);
    if (written.is_error()) return failure("cannot write the StartInfo", written.error());
    auto faults = sys::task_set_fault_ring(task.value(), starter.fault_ring);
    if (faults.is_error()) return failure("cannot set the fault Ring", faults.error());
    if (request.priority != abi::kPriorityDefault) (void)sys::task_set_priority(task.value(), request.priority);
    auto info_of_task = sys::handle_info(task.value());
    auto started = sys::task_start(task.value(), plan.value().entry, vectra::initial_stack_pointer(vectra::layout::kStackTop), info_address);
    if (started.is_error()) return failure("cannot start the Task", started.error());

    // init keeps only the Task: the child's table and mappings hold the rest.
    (void)sys::handle_close(stack.value());
    (void)sys::handle_close(reticle.value());
    (void)sys::handle_close(grant.value());
    return SpawnResult{true, {task.value(), info_of_task.is_error() ? 0 : info_of_task.value().object_id}, {}};
}

}  // namespace init
