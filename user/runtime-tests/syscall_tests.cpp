// The syscall layer itself: numbers the kernel does not know, handles that name nothing,
// arguments out of range, the clock, and Bundles read, written and mapped through the
// program's own Reticle.
#include "user/runtime/layout.h"
#include "user/runtime/runtime.h"
#include "user/runtime/syscalls.h"
#include "user/runtime/test.h"

using base::u32;
using base::u64;
using base::u8;

namespace {

using vectra::Status;
namespace sys = vectra::sys;
namespace abi = vectra::abi;

const vectra::StartInfo& start() { return *vectra::start_info(); }

}  // namespace

USER_TEST(an_unknown_syscall_number_is_refused) {
    EXPECT_EQ(vectra::status_of(sys::raw::numbered(abi::kSyscallLimit)), Status::BadSyscall);
    EXPECT_EQ(vectra::status_of(sys::raw::numbered(9)), Status::BadSyscall);  // a gap in the numbering
    EXPECT_EQ(vectra::status_of(sys::raw::numbered(~0ull)), Status::BadSyscall);
}

USER_TEST(handles_that_name_nothing_are_refused) {
    EXPECT_EQ(sys::handle_close(abi::kNoHandle).status(), Status::BadHandle);
    EXPECT_EQ(sys::handle_close(abi::make_handle(abi::kMaxCapabilitySlots - 1, 77)).status(), Status::BadHandle);
    EXPECT_EQ(vectra::status_of(sys::raw::handle_close(u64(start().self_reticle) | (1ull << 32))), Status::BadHandle);
}

USER_TEST(a_closed_handle_goes_stale) {
    ASSERT(start().memory_grant != abi::kNoHandle);
    const auto signal = sys::signal_create(start().memory_grant);
    ASSERT(signal.is_ok());
    EXPECT(sys::handle_close(signal.value()).is_ok());
    EXPECT_EQ(sys::handle_close(signal.value()).status(), Status::BadHandle);
    EXPECT_EQ(sys::signal_raise(signal.value(), 1).status(), Status::BadHandle);
}

USER_TEST(handle_info_names_the_kind_and_rights) {
    const auto info = sys::handle_info(start().self_reticle);
    ASSERT(info.is_ok());
    EXPECT_EQ(info.value().kind, u32(abi::ObjectKind::Reticle));
    EXPECT(info.value().rights & abi::kRightWrite);
    EXPECT_EQ(sys::handle_info(abi::kNoHandle).status(), Status::BadHandle);
}

USER_TEST(the_wrong_kind_of_capability_is_refused) {
    EXPECT_EQ(sys::signal_raise(start().self_reticle, 1).status(), Status::WrongKind);
    EXPECT_EQ(sys::bundle_create(start().self_reticle, 1).status(), Status::WrongKind);
}

USER_TEST(a_derived_handle_has_no_more_rights_than_asked) {
    ASSERT(start().memory_grant != abi::kNoHandle);
    const auto signal = sys::signal_create(start().memory_grant);
    ASSERT(signal.is_ok());
    const auto read_only = sys::handle_derive(signal.value(), abi::kRightRead);
    ASSERT(read_only.is_ok());
    EXPECT_EQ(sys::signal_raise(read_only.value(), 1).status(), Status::MissingRights);
    const auto info = sys::handle_info(read_only.value());
    ASSERT(info.is_ok());
    EXPECT_EQ(info.value().rights, u32(abi::kRightRead));
    // Revoking through the original takes the derived copy with it.
    EXPECT(sys::revoke_all(signal.value()).is_ok());
    EXPECT_EQ(sys::handle_info(read_only.value()).status(), Status::BadHandle);
    EXPECT(sys::handle_close(signal.value()).is_ok());
}

USER_TEST(the_clock_moves_forward) {
    const u64 first = sys::clock_now();
    for (int i = 0; i < 1000; ++i) (void)sys::task_yield();
    const u64 second = sys::clock_now();
    EXPECT(second > first);
}

USER_TEST(a_bundle_reads_back_what_was_written) {
    ASSERT(start().memory_grant != abi::kNoHandle);
    const auto bundle = sys::bundle_create(start().memory_grant, 1);
    ASSERT(bundle.is_ok());
    const auto info = sys::bundle_info(bundle.value());
    ASSERT(info.is_ok());
    EXPECT_EQ(info.value().flavour, u32(abi::BundleFlavour::Memory));
    EXPECT_EQ(info.value().size, abi::kPageSize);
    char zeros[64];
    EXPECT(sys::bundle_read(bundle.value(), 100, zeros, sizeof zeros).is_ok());
    bool all_zero = true;
    for (char c : zeros) all_zero = all_zero && c == 0;
    EXPECT(all_zero);  // a new Bundle is zeroed
    const char text[] = "vectra bundle";
    EXPECT_EQ(sys::bundle_write(bundle.value(), 4000, text, sizeof text).value_or(0), sizeof text);
    char back[sizeof text] = {};
    EXPECT(sys::bundle_read(bundle.value(), 4000, back, sizeof back).is_ok());
    EXPECT(base::StringView(back) == base::StringView(text));
    EXPECT_EQ(sys::bundle_read(bundle.value(), 4090, back, sizeof back).status(), Status::InvalidArgument);  // past the end
    EXPECT(sys::handle_close(bundle.value()).is_ok());
}

USER_TEST(kernel_and_unmapped_addresses_are_refused_not_followed) {
    ASSERT(start().memory_grant != abi::kNoHandle);
    const auto bundle = sys::bundle_create(start().memory_grant, 1);
    ASSERT(bundle.is_ok());
    EXPECT_EQ(sys::bundle_write(bundle.value(), 0, reinterpret_cast<const void*>(0xffff'8000'0000'0000ull), 8).status(), Status::BadAddress);
    EXPECT_EQ(sys::bundle_write(bundle.value(), 0, reinterpret_cast<const void*>(0x1000), 8).status(), Status::BadAddress);
    EXPECT_EQ(sys::bundle_read(bundle.value(), 0, reinterpret_cast<void*>(vectra::layout::kImageBase), 8).status(), Status::BadAddress);  // text is read-only
    EXPECT_EQ(sys::handle_info(start().self_reticle).status(), Status::Ok);
    EXPECT_EQ(vectra::status_of(sys::raw::handle_info(start().self_reticle, 0xffff'ffff'ffff'fff0ull)), Status::BadAddress);
    EXPECT(sys::handle_close(bundle.value()).is_ok());
}

USER_TEST(a_bundle_mapped_into_the_own_reticle_is_the_same_memory) {
    ASSERT(start().memory_grant != abi::kNoHandle);
    const auto bundle = sys::bundle_create(start().memory_grant, 2);
    ASSERT(bundle.is_ok());
    const u64 where = vectra::layout::kFreeBase;
    ASSERT(sys::reticle_map(start().self_reticle, bundle.value(), 0, where, 2 * abi::kPageSize, abi::kProtectRead | abi::kProtectWrite).is_ok());
    auto* memory = reinterpret_cast<volatile u8*>(where);
    memory[5000] = 0x5a;
    u8 seen = 0;
    EXPECT(sys::bundle_read(bundle.value(), 5000, &seen, 1).is_ok());
    EXPECT_EQ(seen, 0x5a);
    // The same range again overlaps; writable and executable at once is refused.
    EXPECT_EQ(sys::reticle_map(start().self_reticle, bundle.value(), 0, where, abi::kPageSize, abi::kProtectRead).status(),
              Status::AlreadyExists);
    EXPECT_EQ(sys::reticle_map(start().self_reticle, bundle.value(), 0, where + 16 * abi::kPageSize, abi::kPageSize,
                               abi::kProtectWrite | abi::kProtectExecute).status(),
              Status::InvalidArgument);
    EXPECT(sys::reticle_unmap(start().self_reticle, where, 2 * abi::kPageSize).is_ok());
    EXPECT_EQ(sys::reticle_unmap(start().self_reticle, where, 2 * abi::kPageSize).status(), Status::NotFound);
    EXPECT(sys::handle_close(bundle.value()).is_ok());
}

#if defined(__x86_64__)
// The kernel finds its per-CPU data through the GS base, swapped in on every entry: a program
// that loads its own segment selectors into GS and FS (which resets their bases) changes only
// its own view, and the kernel keeps answering.
USER_TEST(loading_gs_and_fs_selectors_does_not_disturb_the_kernel) {
    const base::u16 user_data = 0x23;
    asm volatile("movw %0, %%gs; movw %0, %%fs" ::"r"(user_data));
    for (int i = 0; i < 100; ++i) EXPECT(sys::clock_now() > 0);
    const base::u16 null_selector = 0;
    asm volatile("movw %0, %%gs" ::"r"(null_selector));
    auto signal = sys::signal_create(start().memory_grant);
    ASSERT(signal.is_ok());
    EXPECT(sys::signal_raise(signal.value(), 1).is_ok());
    EXPECT(sys::handle_close(signal.value()).is_ok());
}
#endif
