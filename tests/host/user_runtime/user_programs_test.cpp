// Every program the userland build produced (<build>/user/<arch>/bin/*) is accepted by lib/elf's
// load plan for its own architecture, inside the user address space, and laid out as
// user/runtime/user.ld promises: text R+X at 0x400000 with the entry at its start, then R, then
// R+W, each on pages of its own.
#include "abi/abi.h"
#include "elf/load_plan.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::vector<std::string> architectures() {
    std::istringstream list(VECTRA_ARCHITECTURES);
    std::vector<std::string> result;
    for (std::string arch; std::getline(list, arch, ',');) result.push_back(arch);
    return result;
}

std::vector<uint8_t> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

TEST(UserPrograms, EachIsAValidStaticExecutableWithTheRuntimesLayout) {
    size_t checked = 0;
    for (const std::string& arch : architectures()) {
        const std::filesystem::path bin = std::filesystem::path(VECTRA_USER_BUILD) / arch / "bin";
        ASSERT_TRUE(std::filesystem::is_directory(bin)) << bin << " missing: is the userland built?";
        const elf::Machine machine = arch == "x86_64" ? elf::Machine::x86_64 : elf::Machine::aarch64;
        const elf::Machine other = arch == "x86_64" ? elf::Machine::aarch64 : elf::Machine::x86_64;
        const elf::LoadLimits limits{.user_low = vectra::abi::kUserSpaceBase, .user_high = vectra::abi::kUserSpaceEnd,
                                     .max_total_memory = 1ull << 30};
        for (const auto& entry : std::filesystem::directory_iterator(bin)) {
            SCOPED_TRACE(entry.path().string());
            const auto file = read_file(entry.path());
            const auto plan = elf::plan_load(base::Span<const uint8_t>(file.data(), file.size()), machine, limits);
            ASSERT_TRUE(plan.is_ok()) << plan.error().message;
            const auto segments = plan.value().load_segments();
            ASSERT_EQ(segments.size(), 3u);
            EXPECT_EQ(segments[0].virtual_address, 0x400000u);
            EXPECT_EQ(plan.value().entry, 0x400000u);  // _start leads .text
            EXPECT_TRUE(segments[0].readable && segments[0].executable && !segments[0].writable);
            EXPECT_TRUE(segments[1].readable && !segments[1].executable && !segments[1].writable);
            EXPECT_TRUE(segments[2].readable && segments[2].writable && !segments[2].executable);
            for (const auto& segment : segments) {
                EXPECT_EQ(segment.virtual_address % 4096, 0u);
                EXPECT_EQ(segment.file_offset % 4096, 0u);
            }
            EXPECT_FALSE(plan.value().tls.has_value());
            EXPECT_TRUE(elf::plan_load(base::Span<const uint8_t>(file.data(), file.size()), other, limits).is_error());
            ++checked;
        }
    }
    EXPECT_GE(checked, 2u);  // at least hello, for each architecture
}

}  // namespace
