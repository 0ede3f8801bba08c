// Host tests of the PVH start-info parser over a fake physical memory: a valid structure, and
// each kind of damage refused with a message. (ACPI has its own suite in tests/host/acpi.)
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "kernel/boot/pvh.h"

namespace {

using base::u64;

struct FakeMemory {
    std::vector<uint8_t> bytes = std::vector<uint8_t>(0x10000, 0);
    void put32(size_t at, uint32_t v) { std::memcpy(&bytes[at], &v, 4); }
    void put64(size_t at, uint64_t v) { std::memcpy(&bytes[at], &v, 8); }
    kernel::PhysicalMemoryView view() const { return kernel::PhysicalMemoryView(0, {bytes.data(), bytes.size()}); }
};

// A start info at 0x1000, memory map at 0x2000, command line at 0x3000.
FakeMemory pvh_memory(const char* command_line = "test") {
    FakeMemory m;
    m.put32(0x1000, kernel::kPvhStartInfoMagic);
    m.put32(0x1004, 1);
    m.put64(0x1000 + 24, 0x3000);
    m.put64(0x1000 + 32, 0x4000);
    m.put64(0x1000 + 40, 0x2000);
    m.put32(0x1000 + 48, 3);
    const uint64_t map[3][3] = {{0, 0x9fc00, 1}, {0xf0000, 0x10000, 2}, {0x100000, 0x1ff00000, 1}};
    for (int i = 0; i < 3; ++i) {
        m.put64(0x2000 + i * 24, map[i][0]);
        m.put64(0x2000 + i * 24 + 8, map[i][1]);
        m.put32(0x2000 + i * 24 + 16, static_cast<uint32_t>(map[i][2]));
    }
    std::strcpy(reinterpret_cast<char*>(&m.bytes[0x3000]), command_line);
    return m;
}

TEST(Pvh, StartInfoGivesMemoryCommandLineAndRsdp) {
    const auto memory = pvh_memory("test=timer");
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    auto details = kernel::fill_boot_info_from_pvh(memory.view(), 0x1000, info);
    ASSERT_TRUE(details.is_ok()) << details.error().message;
    EXPECT_EQ(details.value().rsdp_physical, 0x4000u);
    EXPECT_TRUE(info.command_line == base::StringView("test=timer"));
    ASSERT_TRUE(info.memory.normalize().is_ok());
    EXPECT_GT(info.memory.usable_bytes(), 500ull << 20);
}

std::string pvh_error(const FakeMemory& memory, u64 at = 0x1000) {
    static kernel::BootInfo info;
    info = kernel::BootInfo();
    auto result = kernel::fill_boot_info_from_pvh(memory.view(), at, info);
    return result.is_error() ? result.error().message : "";
}

TEST(Pvh, DamagedStartInfosAreRefusedWithAReason) {
    auto m = pvh_memory();
    m.put32(0x1000, 0x12345678);
    EXPECT_NE(pvh_error(m).find("magic"), std::string::npos);
    m = pvh_memory();
    m.put32(0x1004, 0);
    EXPECT_NE(pvh_error(m).find("version"), std::string::npos);
    m = pvh_memory();
    m.put32(0x1000 + 48, 100000);
    EXPECT_NE(pvh_error(m).find("too many"), std::string::npos);
    m = pvh_memory();
    m.put64(0x1000 + 40, 0xfff0);  // the map runs off the end of memory
    EXPECT_NE(pvh_error(m).find("outside"), std::string::npos);
    m = pvh_memory();
    EXPECT_NE(pvh_error(m, 0xfffff0).find("outside"), std::string::npos);
    m = pvh_memory();
    std::memset(&m.bytes[0x3000], 'a', m.bytes.size() - 0x3000);  // unterminated command line
    EXPECT_FALSE(pvh_error(m).empty());
    m = pvh_memory();
    m.put64(0x2000 + 24 + 8, ~0ull);  // wraps around
    EXPECT_NE(pvh_error(m).find("wraps"), std::string::npos);
}

}  // namespace
