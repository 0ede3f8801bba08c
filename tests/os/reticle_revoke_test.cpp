// In-OS tests of mappings as capabilities: a mapping made through a Bundle capability is a
// child of it in the derivation tree, so revoking that capability (or an ancestor) removes the
// mapping from the page table and the TLB — probed with the checked user copy, which walks the
// real tables (and would see a stale TLB entry) — while closing it keeps the mapping; unmap and
// the Reticle's end delete the node; and every page goes back to the grant that paid.
#include "abi/abi.h"
#include "arch/arch.h"
#include "arch/user_mode.h"
#include "kernel/capability/capability_table.h"
#include "kernel/object/bundle.h"
#include "kernel/object/reticle.h"
#include "kernel/sched/scheduler.h"
#include "kernel/test/test.h"

using namespace kernel;
namespace abi = vectra::abi;

namespace {

constexpr base::u64 kAddress = 0x40'0000'0000;  // needs page tables of its own at every level
constexpr base::u64 kPage = 4096;
constexpr base::u32 kReadWrite = abi::kProtectRead | abi::kProtectWrite;

// Whether user code running in `reticle` could read `address` now: the checked copy goes
// through the hardware's tables and TLB as user code would (SMAP/PAN let it through).
bool user_can_read(Reticle& reticle, base::u64 address) {
    const bool interrupts = arch::interrupts_enabled();
    arch::interrupts_disable();
    sched::load_address_space(reticle.root());
    base::u8 byte = 0;
    const bool read = arch::copy_from_user(&byte, address, 1);
    sched::load_address_space(0);
    if (interrupts) arch::interrupts_enable();
    return read;
}

// The same, with the address space kept loaded across `change` (so a TLB entry the first read
// made would survive a change that forgot to flush it).
template <class Change>
bool user_can_read_after(Reticle& reticle, base::u64 address, Change&& change) {
    const bool interrupts = arch::interrupts_enabled();
    arch::interrupts_disable();
    sched::load_address_space(reticle.root());
    base::u8 byte = 0;
    const bool before = arch::copy_from_user(&byte, address, 1);
    change();
    const bool after = arch::copy_from_user(&byte, address, 1);
    sched::load_address_space(0);
    if (interrupts) arch::interrupts_enable();
    return before && after;
}

}  // namespace

KERNEL_TEST(revoking_the_capability_a_mapping_was_made_through_unmaps_it_and_the_grant_balances) {
    auto root_grant = Bundle::create_root_grant(64);
    ASSERT(root_grant.is_ok());
    root_grant.value()->retain();
    auto split = root_grant.value()->split_grant(48);
    ASSERT(split.is_ok());
    Bundle& grant = *split.value();
    grant.retain();
    const base::u64 pages_before = grant.pages_left();

    Capability slots[4];
    {
        CapabilityTable table(base::Span<Capability>(slots, 4));
        auto reticle = Reticle::create(grant);
        auto bundle = Bundle::create_memory(grant, 2);
        ASSERT(reticle.is_ok() && bundle.is_ok());
        Reticle& space = *reticle.value();
        space.retain();
        const abi::Handle root = table.insert_root(*bundle.value(), abi::kRightsAll).value();
        const abi::Handle through = table.derive(root, abi::kRightRead | abi::kRightWrite | abi::kRightMap).value();
        Capability* derived = table.lookup(through, abi::ObjectKind::Bundle, 0).value();
        ASSERT(space.map(*derived, 0, kAddress, 2 * kPage, kReadWrite, kReadWrite) == abi::Status::Ok);
        EXPECT(derived->has_descendants());  // the mapping's node
        EXPECT_EQ(space.mapping_count(), 1u);
        EXPECT_EQ(bundle.value()->reference_count(), 3u);  // root, derived, mapping

        // Revoking the parent: the mapping goes, with the derived capability, in the page table
        // and in the TLB (the first read below loaded the entry; the second must miss).
        Capability* parent = table.lookup(root, abi::ObjectKind::None, 0).value();
        EXPECT(!user_can_read_after(space, kAddress, [&] { EXPECT(table.revoke(root, 256) == abi::Status::Ok); }));
        EXPECT(user_can_read(space, kAddress) == false);
        EXPECT(user_can_read(space, kAddress + kPage) == false);
        EXPECT_EQ(space.protection_at(kAddress), 0u);
        EXPECT_EQ(space.mapping_count(), 0u);
        EXPECT(space.unmap(kAddress, 2 * kPage) == abi::Status::NotFound);
        EXPECT(table.lookup(through, abi::ObjectKind::None, 0).is_error());
        EXPECT(!parent->has_descendants());
        EXPECT_EQ(bundle.value()->reference_count(), 1u);

        // unmap deletes the node: nothing is left under the capability.
        ASSERT(space.map(*parent, 0, kAddress, kPage, kReadWrite, kReadWrite) == abi::Status::Ok);
        EXPECT(user_can_read(space, kAddress));
        EXPECT(space.unmap(kAddress, kPage) == abi::Status::Ok);
        EXPECT(!parent->has_descendants());
        EXPECT_EQ(bundle.value()->reference_count(), 1u);

        // Closing (not revoking) keeps the mapping, which keeps the Bundle alive on its own.
        ASSERT(space.map(*parent, kPage, kAddress + kPage, kPage, kReadWrite, kReadWrite) == abi::Status::Ok);
        EXPECT(table.close(root) == abi::Status::Ok);
        EXPECT(user_can_read(space, kAddress + kPage));
        EXPECT_EQ(bundle.value()->reference_count(), 1u);
        EXPECT(grant.pages_left() < pages_before);

        // The Reticle's end deletes the node: the Bundle dies with it, and the grant balances.
        space.release();
        (void)reap_objects();
    }
    EXPECT_EQ(grant.pages_left(), pages_before);
    grant.release();
    root_grant.value()->release();
    (void)reap_objects();
}

KERNEL_TEST(a_revoke_reaches_mappings_in_several_reticles_within_its_budget_steps) {
    auto root_grant = Bundle::create_root_grant(96);
    ASSERT(root_grant.is_ok());
    Bundle& grant = *root_grant.value();
    grant.retain();
    const base::u64 pages_before = grant.pages_left();
    Capability slots[2];
    {
        CapabilityTable table(base::Span<Capability>(slots, 2));
        auto first = Reticle::create(grant);
        auto second = Reticle::create(grant);
        auto bundle = Bundle::create_memory(grant, 8);
        ASSERT(first.is_ok() && second.is_ok() && bundle.is_ok());
        first.value()->retain();
        second.value()->retain();
        const abi::Handle root = table.insert_root(*bundle.value(), abi::kRightsAll).value();
        Capability& capability = *table.lookup(root, abi::ObjectKind::None, 0).value();
        // Four mappings of 8 pages (cost 9 each) in two Reticles.
        for (base::u64 i = 0; i < 2; ++i) {
            ASSERT(first.value()->map(capability, 0, kAddress + i * 16 * kPage, 8 * kPage, kReadWrite, kReadWrite) ==
                   abi::Status::Ok);
            ASSERT(second.value()->map(capability, 0, kAddress + i * 16 * kPage, 8 * kPage, kReadWrite, kReadWrite) ==
                   abi::Status::Ok);
        }
        // A budget of 10 takes two mappings a step (9, then 18 >= 10).
        EXPECT(table.revoke(root, 10) == abi::Status::MoreToDo);
        EXPECT_EQ(first.value()->mapping_count() + second.value()->mapping_count(), 2u);
        EXPECT(table.revoke(root, 10) == abi::Status::Ok);
        EXPECT_EQ(first.value()->mapping_count() + second.value()->mapping_count(), 0u);
        EXPECT(!user_can_read(*first.value(), kAddress));
        EXPECT(!user_can_read(*second.value(), kAddress + 16 * kPage));
        first.value()->release();
        second.value()->release();
    }
    (void)reap_objects();
    EXPECT_EQ(grant.pages_left(), pages_before);
    grant.release();
    (void)reap_objects();
}
