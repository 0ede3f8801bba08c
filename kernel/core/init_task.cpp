// Loads and starts init (see init_task.h). init's table gets, in this order (so at slots 0, 1,
// 2, ... with generation 1, the handles BootCapabilities names): its Task, its Reticle, the
// root memory grant, the boot bundle (read-only), the console's registers or ports, and the
// console's interrupt line.
#include "kernel/core/init_task.h"

#include "abi/abi.h"
#include "boot_bundle/reader.h"
#include "elf/load_plan.h"
#include "kernel/core/log.h"
#include "kernel/mm/kernel_address_space.h"
#include "kernel/mm/layout.h"
#include "kernel/object/bundle.h"
#include "kernel/object/mask.h"
#include "kernel/object/reticle.h"
#include "kernel/object/task.h"

namespace kernel {

namespace abi = vectra::abi;
using abi::Status;

namespace {

// Frames the kernel keeps out of the root grant: its own boot-time objects and the stacks of
// kernel threads, which no grant pays for.
constexpr base::u64 kKernelReserveFrames = 1024;
constexpr base::u64 kInitMaxImage = 64ull << 20;

#if defined(__x86_64__)
constexpr elf::Machine kMachine = elf::Machine::x86_64;
#else
constexpr elf::Machine kMachine = elf::Machine::aarch64;
#endif


// Copies a segment into fresh frames and maps it.
Status load_segment(Bundle& grant, Reticle& reticle, base::Span<const base::u8> file, const elf::LoadSegment& segment) {
    const base::u64 start = segment.page_start(layout::kPageSize), end = segment.page_end(layout::kPageSize);
    const base::u64 pages = (end - start) / layout::kPageSize;
    Bundle* bundle = TRY(Bundle::create_memory(grant, pages));
    bundle->retain();
    auto* memory = layout::physical_to_pointer<base::u8>(bundle->physical());
    const base::u64 offset = segment.virtual_address - start;
    for (base::u64 i = 0; i < segment.file_size; ++i) memory[offset + i] = file[segment.file_offset + i];
    const base::u32 protection = (segment.readable ? abi::kProtectRead : 0) | (segment.writable ? abi::kProtectWrite : 0) |
                                 (segment.executable ? abi::kProtectExecute : 0);
    const Status mapped = reticle.map(*bundle, 0, start, end - start, protection == 0 ? abi::kProtectRead : protection,
                                      abi::kProtectRead | abi::kProtectWrite | abi::kProtectExecute);
    bundle->release();  // the mapping keeps it
    return mapped;
}

Status insert(Task& task, Object* object, base::u32 rights, base::u32& handle) {
    if (object == nullptr) {
        handle = abi::kNoHandle;
        return Status::Ok;
    }
    auto inserted = task.table().insert_root(*object, rights);
    if (inserted.is_error()) return inserted.error();
    handle = inserted.value();
    return Status::Ok;
}

}  // namespace

bool start_init(const BootInfo& boot_info) {
    if (boot_info.boot_bundle.size == 0) {
        log("no boot bundle (QEMU -initrd): no userland to start");
        return false;
    }
    if (boot_info.boot_bundle.physical_base % layout::kPageSize != 0) {
        log("boot bundle refused: it does not start on a page boundary, so its programs cannot be read in place");
        return false;
    }
    const base::Span<const base::u8> bundle_bytes(layout::physical_to_pointer<const base::u8>(boot_info.boot_bundle.physical_base),
                                                  boot_info.boot_bundle.size);
    auto reader = boot_bundle::Reader::open(bundle_bytes);
    if (reader.is_error()) {
        log("boot bundle refused: {}", reader.error().message);
        return false;
    }
    auto program = reader.value().verified_program(base::StringView("init"));
    if (program.is_error()) {
        log("boot bundle: init refused: {}", program.error().message);
        return false;
    }
    const elf::LoadLimits limits{abi::kUserSpaceBase, abi::kInitStackTop - abi::kInitStackSize - layout::kPageSize, kInitMaxImage};
    auto plan = elf::plan_load(program.value(), kMachine, limits);
    if (plan.is_error()) {
        log("boot bundle: init refused: {}", plan.error().message);
        return false;
    }

    const base::u64 free = mm::frame_allocator().free_frames();
    auto grant = Bundle::create_root_grant(free > 2 * kKernelReserveFrames ? free - kKernelReserveFrames : free / 2);
    if (grant.is_error()) return false;
    Bundle& root_grant = *grant.value();
    root_grant.retain();  // the kernel's reference until init's table holds one

    auto reticle = Reticle::create(root_grant);
    if (reticle.is_error()) return false;
    reticle.value()->retain();
    for (const elf::LoadSegment& segment : plan.value().load_segments()) {
        const Status loaded = load_segment(root_grant, *reticle.value(), program.value(), segment);
        if (loaded != Status::Ok) {
            log("init: cannot load a segment: {}", abi::status_name(loaded));
            return false;
        }
    }

    // The stack, with BootCapabilities at its top.
    auto stack = Bundle::create_memory(root_grant, abi::kInitStackSize / layout::kPageSize);
    if (stack.is_error()) return false;
    stack.value()->retain();
    const base::u64 stack_bottom = abi::kInitStackTop - abi::kInitStackSize;
    const base::u32 rw = abi::kProtectRead | abi::kProtectWrite;
    if (reticle.value()->map(*stack.value(), 0, stack_bottom, abi::kInitStackSize, rw, rw) != Status::Ok) return false;

    auto task = Task::create(root_grant, *reticle.value(), base::StringView("init"));
    if (task.is_error()) return false;
    Task& init = *task.value();

    auto boot_memory = Bundle::create_boot_memory(boot_info.boot_bundle.physical_base, base::align_up(boot_info.boot_bundle.size, layout::kPageSize));
    StatusOr<Bundle*> console = boot_info.console_is_ports
                                    ? Bundle::create_ports(static_cast<base::u16>(boot_info.console.physical_base),
                                                           static_cast<base::u16>(boot_info.console.size))
                                    : Bundle::create_device(boot_info.console.physical_base,
                                                            base::align_up(boot_info.console.size, layout::kPageSize));
    auto mask = Mask::create(boot_info.console_interrupt);

    abi::BootCapabilities capabilities{};
    const base::u32 read_only = abi::kRightRead | abi::kRightMap | abi::kRightTransfer | abi::kRightDerive | abi::kRightRevoke;
    Status inserted = insert(init, &init, abi::kRightsAll, capabilities.self_task);
    if (inserted == Status::Ok) inserted = insert(init, reticle.value(), abi::kRightsAll, capabilities.self_reticle);
    if (inserted == Status::Ok) inserted = insert(init, &root_grant, abi::kRightsAll, capabilities.memory_grant);
    if (inserted == Status::Ok)
        inserted = insert(init, boot_memory.is_ok() ? boot_memory.value() : nullptr, read_only, capabilities.boot_bundle);
    if (inserted == Status::Ok)
        inserted = insert(init, console.is_ok() ? console.value() : nullptr, abi::kRightsAll & ~abi::kRightExecute,
                          capabilities.console_bundle);
    if (inserted == Status::Ok) inserted = insert(init, mask.is_ok() ? mask.value() : nullptr, abi::kRightsAll, capabilities.console_mask);
    if (inserted != Status::Ok) return false;
    capabilities.boot_bundle_size = boot_info.boot_bundle.size;
    capabilities.console_kind = boot_info.console_is_ports ? 0 : 1;
    for (base::usize i = 0; i < boot_info.command_line.size() && i + 1 < sizeof capabilities.command_line; ++i)
        capabilities.command_line[i] = boot_info.command_line[i];

    const base::u64 capabilities_address = (abi::kInitStackTop - sizeof capabilities) & ~base::u64(15);
    auto* stack_memory = layout::physical_to_pointer<base::u8>(stack.value()->physical());
    const auto* source = reinterpret_cast<const base::u8*>(&capabilities);
    for (base::usize i = 0; i < sizeof capabilities; ++i) stack_memory[capabilities_address - stack_bottom + i] = source[i];

    // The table and the mapping hold what they need now.
    stack.value()->release();
    reticle.value()->release();
    root_grant.release();
    const Status started = init.start(plan.value().entry, capabilities_address, capabilities_address);
    if (started != Status::Ok) {
        log("init: cannot start: {}", abi::status_name(started));
        return false;
    }
    log("init started ({} KiB image, {} pages in its grant)", plan.value().total_memory >> 10, root_grant.pages_left());
    return true;
}

}  // namespace kernel
