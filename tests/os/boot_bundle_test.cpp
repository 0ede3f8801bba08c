// In-OS test of where the boot bundle (QEMU -initrd) landed: BootInfo's range is checked against
// the bytes of a fake bundle whose every byte is a function of its offset (booted with
// fake-boot-bundle=SIZE, see fake_boot_bundle.py), so a range off by a page or a byte shows;
// every page it touches is BootBundle in the memory map. Without a fake bundle the answer must
// at least be consistent.
#include "kernel/boot/boot_info.h"
#include "kernel/core/command_line.h"
#include "kernel/mm/layout.h"
#include "kernel/test/test.h"

namespace {

using namespace kernel;
using base::u64;
using base::u8;

// The fake bundle's byte at `offset` (fake_boot_bundle.py writes the same).
u8 fake_bundle_byte(u64 offset) { return static_cast<u8>((offset * 0x9e37'79b9'7f4a'7c15ull) >> 56); }

base::Optional<u64> decimal(base::StringView text) {
    if (text.empty() || text.size() > 12) return base::none;
    u64 value = 0;
    for (base::usize i = 0; i < text.size(); ++i) {
        if (text[i] < '0' || text[i] > '9') return base::none;
        value = value * 10 + u64(text[i] - '0');
    }
    return value;
}

// How many pages touching [base, base + size) are not BootBundle in the map.
u64 pages_not_reserved_as_bundle(const MemoryMap& memory, u64 base, u64 size) {
    u64 missing = 0;
    for (u64 page = base & ~(layout::kPageSize - 1); page < base + size; page += layout::kPageSize) {
        bool bundle = false;
        for (const MemoryRegion& region : memory.regions())
            if (region.base <= page && page + layout::kPageSize <= region.end()) bundle = region.kind == MemoryKind::BootBundle;
        if (!bundle) ++missing;
    }
    return missing;
}

}  // namespace

KERNEL_TEST(the_boot_bundle_range_is_where_the_loader_put_it) {
    const BootInfo& info = boot_information();
    const DeviceRange bundle = info.boot_bundle;
    const auto expected = CommandLine(info.command_line).value_of("fake-boot-bundle");
    if (!expected.has_value()) {
        if (bundle.size == 0) {
            EXPECT_EQ(bundle.physical_base, 0ull);
            for (const MemoryRegion& region : info.memory.regions()) EXPECT(region.kind != MemoryKind::BootBundle);
        } else {
            EXPECT_EQ(pages_not_reserved_as_bundle(info.memory, bundle.physical_base, bundle.size), 0ull);
        }
        return;
    }
    const auto size = decimal(*expected);
    ASSERT(size.has_value());
    EXPECT_EQ(bundle.size, *size);
    ASSERT(bundle.size != 0);
    const auto* bytes = layout::physical_to_pointer<const volatile u8>(bundle.physical_base);
    u64 wrong = 0, first_wrong = ~0ull;
    for (u64 offset = 0; offset < bundle.size; ++offset) {
        if (bytes[offset] != fake_bundle_byte(offset) && wrong++ == 0) first_wrong = offset;
    }
    EXPECT_EQ(wrong, 0ull);
    EXPECT_EQ(first_wrong, ~0ull);
    EXPECT_EQ(pages_not_reserved_as_bundle(info.memory, bundle.physical_base, bundle.size), 0ull);
}
