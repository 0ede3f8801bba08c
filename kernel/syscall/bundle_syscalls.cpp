// bundle_create, bundle_info, bundle_read, bundle_write, bundle_port_io, grant_split.
#include "kernel/mm/layout.h"
#include "kernel/object/bundle.h"
#include "kernel/syscall/syscall.h"

namespace kernel::syscall {

namespace abi = vectra::abi;
using abi::Status;
using abi::Syscall;

namespace {

Result port_io(Bundle& bundle, base::u64 offset, base::u64 mode, base::u64 value) {
#if defined(__x86_64__)
    constexpr base::u64 kPortWrite = abi::kPortAccessWrite;
    const base::u64 width = mode & 0xff;
    if (width != 1 && width != 2 && width != 4) return fail(Status::InvalidArgument);
    if ((mode & ~(0xffull | kPortWrite)) != 0) return fail(Status::InvalidArgument);
    // The whole access must lie inside the Bundle's port range.
    if (offset >= bundle.size() || width > bundle.size() - offset) return fail(Status::InvalidArgument);
    const auto port = static_cast<base::u16>(bundle.physical() + offset);
    if (mode & kPortWrite) {
        if (width == 1) asm volatile("outb %b0, %w1" ::"a"(value), "Nd"(port));
        if (width == 2) asm volatile("outw %w0, %w1" ::"a"(value), "Nd"(port));
        if (width == 4) asm volatile("outl %k0, %w1" ::"a"(value), "Nd"(port));
        return ok();
    }
    base::u32 in = 0;
    if (width == 1) { base::u8 v; asm volatile("inb %w1, %b0" : "=a"(v) : "Nd"(port)); in = v; }
    if (width == 2) { base::u16 v; asm volatile("inw %w1, %w0" : "=a"(v) : "Nd"(port)); in = v; }
    if (width == 4) asm volatile("inl %w1, %k0" : "=a"(in) : "Nd"(port));
    return ok(in);
#else
    (void)bundle, (void)offset, (void)mode, (void)value;
    return fail(Status::Unsupported);
#endif
}

}  // namespace

Result bundle_syscalls(Task& task, Syscall number, const Arguments& arguments) {
    switch (number) {
        case Syscall::bundle_create: {
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            if (!task.table().has_free_slots(1)) return fail(Status::TableFull);
            Bundle* bundle = TRY_SYSCALL(Bundle::create_memory(*grant, arguments[1]));
            return ok(task.table().insert_root(*bundle, abi::kRightsAll & ~abi::kRightAllocate).value());
        }
        case Syscall::grant_split: {
            Bundle* grant = TRY_SYSCALL(lookup_grant(task, arguments[0]));
            if (!task.table().has_free_slots(1)) return fail(Status::TableFull);
            Bundle* child = TRY_SYSCALL(grant->split_grant(arguments[1]));
            return ok(task.table().insert_root(*child, abi::kRightsAll).value());
        }
        case Syscall::bundle_info: {
            auto capability = task.table().lookup(static_cast<abi::Handle>(arguments[0] & 0xffff'ffff), abi::ObjectKind::Bundle, 0);
            if (arguments[0] > 0xffff'ffff) return fail(Status::BadHandle);
            if (capability.is_error()) return fail(capability.error());
            auto& bundle = *static_cast<Bundle*>(capability.value()->object());
            const bool physical = capability.value()->has_rights(abi::kRightPhysical);
            const abi::BundleInfo info{static_cast<base::u32>(bundle.flavour()), 0,
                                       bundle.flavour() == abi::BundleFlavour::Grant ? bundle.pages_left() * layout::kPageSize : bundle.size(),
                                       physical && bundle.flavour() != abi::BundleFlavour::Grant ? bundle.physical() : 0};
            if (!arch::copy_to_user(arguments[1], &info, sizeof info)) return fail(Status::BadAddress);
            return ok();
        }
        case Syscall::bundle_read:
        case Syscall::bundle_write: {
            // (bundle, offset, user buffer, length): RAM bundles only, through the direct map.
            const bool write = number == Syscall::bundle_write;
            Bundle* bundle = TRY_SYSCALL(lookup<Bundle>(task, arguments[0], write ? abi::kRightWrite : abi::kRightRead));
            if (bundle->flavour() != abi::BundleFlavour::Memory) return fail(Status::WrongKind);
            const base::u64 offset = arguments[1], length = arguments[3];
            if (offset > bundle->size() || length > bundle->size() - offset) return fail(Status::InvalidArgument);
            auto* memory = layout::physical_to_pointer<base::u8>(bundle->physical() + offset);
            const bool copied = write ? arch::copy_from_user(memory, arguments[2], length) : arch::copy_to_user(arguments[2], memory, length);
            return copied ? ok(length) : fail(Status::BadAddress);
        }
        case Syscall::bundle_port_io: {
            Bundle* bundle = TRY_SYSCALL(lookup<Bundle>(task, arguments[0], abi::kRightRead | abi::kRightWrite));
            if (bundle->flavour() != abi::BundleFlavour::Ports) return fail(Status::WrongKind);
            return port_io(*bundle, arguments[1], arguments[2], arguments[3]);
        }
        default: return fail(Status::BadSyscall);
    }
}

}  // namespace kernel::syscall
