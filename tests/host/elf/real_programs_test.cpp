// elf::plan_load on real static executables that clang-19 and lld build for both architectures
// (programs/tiny.c, built with the tests; lld's default layout, -z separate-code, and the user
// toolchain's): each is accepted for its own machine with the plan
// llvm-readelf describes, and refused for the other; the static-pie variant is refused.
#include "elf/load_plan.h"

#include <gtest/gtest.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace {

using elf::Machine;

constexpr elf::LoadLimits limits{.user_low = 0x10000, .user_high = 0x0000'8000'0000'0000, .max_total_memory = 64 << 20};

std::vector<uint8_t> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::string program(const std::string& variant, const std::string& arch) {
    return std::string(VECTRA_ELF_PROGRAMS) + "/tiny-" + variant + "-" + arch + ".elf";
}

// A PT_LOAD or PT_TLS line of `llvm-readelf --program-headers --wide`.
struct ReadelfSegment {
    std::string type;
    uint64_t offset, vaddr, filesz, memsz;
    std::string flags;
};

struct Readelf {
    uint64_t entry = 0;
    std::vector<ReadelfSegment> segments;
};

Readelf readelf(const std::string& path) {
    std::ifstream in(path + ".headers");
    Readelf result;
    std::string line;
    while (std::getline(in, line)) {
        if (line.find("Entry point address:") != std::string::npos) result.entry = std::stoull(line.substr(line.find("0x")), nullptr, 16);
        std::istringstream fields(line);
        ReadelfSegment segment;
        std::string offset, vaddr, paddr, filesz, memsz;
        if (!(fields >> segment.type) || (segment.type != "LOAD" && segment.type != "TLS")) continue;
        fields >> offset >> vaddr >> paddr >> filesz >> memsz;
        segment.offset = std::stoull(offset, nullptr, 16);
        segment.vaddr = std::stoull(vaddr, nullptr, 16);
        segment.filesz = std::stoull(filesz, nullptr, 16);
        segment.memsz = std::stoull(memsz, nullptr, 16);
        // The flags column is the rest up to the alignment: "R E", "RW", "R".
        std::string rest, word;
        while (fields >> word)
            if (word.rfind("0x", 0) != 0) rest += word;
        segment.flags = rest;
        result.segments.push_back(segment);
    }
    return result;
}

class RealPrograms : public testing::TestWithParam<std::tuple<std::string, std::string>> {};

TEST_P(RealPrograms, AreAcceptedWithThePlanReadelfDescribes) {
    const auto& [variant, arch] = GetParam();
    const std::string path = program(variant, arch);
    const auto bytes = read_file(path);
    ASSERT_FALSE(bytes.empty()) << path;
    const Machine machine = arch == "x86_64" ? Machine::x86_64 : Machine::aarch64;
    auto result = elf::plan_load({bytes.data(), bytes.size()}, machine, limits);
    ASSERT_TRUE(result.is_ok()) << path << ": " << result.error().message;
    const elf::LoadPlan& plan = result.value();

    const Readelf expected = readelf(path);
    EXPECT_EQ(plan.entry, expected.entry);
    std::vector<ReadelfSegment> loads;
    const ReadelfSegment* tls = nullptr;
    for (const auto& segment : expected.segments) {
        if (segment.type == "LOAD" && segment.memsz > 0) loads.push_back(segment);
        if (segment.type == "TLS") tls = &segment;
    }
    ASSERT_EQ(plan.segment_count, loads.size());
    bool saw_code = false, saw_data = false;
    for (size_t i = 0; i < loads.size(); ++i) {
        const elf::LoadSegment& segment = plan.segments[i];
        SCOPED_TRACE("segment " + std::to_string(i));
        EXPECT_EQ(segment.virtual_address, loads[i].vaddr);
        EXPECT_EQ(segment.file_offset, loads[i].offset);
        EXPECT_EQ(segment.file_size, loads[i].filesz);
        EXPECT_EQ(segment.memory_size, loads[i].memsz);
        EXPECT_EQ(segment.readable, loads[i].flags.find('R') != std::string::npos);
        EXPECT_EQ(segment.writable, loads[i].flags.find('W') != std::string::npos);
        EXPECT_EQ(segment.executable, loads[i].flags.find('E') != std::string::npos);
        saw_code |= segment.executable;
        saw_data |= segment.writable;
    }
    EXPECT_TRUE(saw_code && saw_data);
    ASSERT_NE(tls, nullptr);
    ASSERT_TRUE(plan.tls.has_value());
    EXPECT_EQ(plan.tls->virtual_address, tls->vaddr);
    EXPECT_EQ(plan.tls->file_size, 4u);  // thread_value's initial value
    EXPECT_EQ(plan.tls->memory_size, tls->memsz);
    EXPECT_LE(plan.total_memory, 1u << 20);
}

TEST_P(RealPrograms, AreRefusedForTheOtherArchitecture) {
    const auto& [variant, arch] = GetParam();
    const auto bytes = read_file(program(variant, arch));
    const Machine other = arch == "x86_64" ? Machine::aarch64 : Machine::x86_64;
    auto result = elf::plan_load({bytes.data(), bytes.size()}, other, limits);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::Unsupported);
    EXPECT_NE(std::string(result.error().message).find("wrong machine"), std::string::npos);
}

TEST_P(RealPrograms, AreRefusedWhenTheUserRangeExcludesThem) {
    const auto& [variant, arch] = GetParam();
    const auto bytes = read_file(program(variant, arch));
    elf::LoadLimits high = limits;
    high.user_low = 0x1000'0000;  // above lld's default image base
    auto result = elf::plan_load({bytes.data(), bytes.size()}, arch == "x86_64" ? Machine::x86_64 : Machine::aarch64, high);
    ASSERT_TRUE(result.is_error());
    EXPECT_EQ(result.error().code, base::ErrorCode::OutOfRange);
}

INSTANTIATE_TEST_SUITE_P(BothArchitectures, RealPrograms,
                         testing::Combine(testing::Values("plain", "separate-code", "vectra"), testing::Values("x86_64", "aarch64")),
                         [](const auto& info) {
                             std::string name = std::get<0>(info.param) + "_" + std::get<1>(info.param);
                             for (char& c : name)
                                 if (c == '-') c = '_';
                             return name;
                         });

TEST(RealPrograms, StaticPieIsRefusedAsEtDyn) {
    for (const std::string arch : {"x86_64", "aarch64"}) {
        const auto bytes = read_file(program("pie", arch));
        ASSERT_FALSE(bytes.empty());
        auto result = elf::plan_load({bytes.data(), bytes.size()}, arch == "x86_64" ? Machine::x86_64 : Machine::aarch64, limits);
        ASSERT_TRUE(result.is_error()) << arch;
        EXPECT_EQ(result.error().code, base::ErrorCode::Unsupported);
        EXPECT_NE(std::string(result.error().message).find("ET_DYN"), std::string::npos);
    }
}

// Every single-byte change to the header or program header table of a real file is either
// refused or still yields a plan that obeys the limits (ASan watches every read).
TEST(RealPrograms, SurviveEverySingleByteChangeToTheirHeaders) {
    for (const std::string arch : {"x86_64", "aarch64"}) {
        const auto original = read_file(program("plain", arch));
        const Machine machine = arch == "x86_64" ? Machine::x86_64 : Machine::aarch64;
        const size_t headers_end = std::min<size_t>(original.size(), 64 + 16 * 56);
        for (size_t at = 0; at < headers_end; ++at)
            for (uint8_t flip : {0x01, 0x80, 0xff}) {
                auto bytes = original;
                bytes[at] ^= flip;
                auto result = elf::plan_load({bytes.data(), bytes.size()}, machine, limits);
                if (result.is_error()) continue;
                const elf::LoadPlan& plan = result.value();
                ASSERT_LE(plan.total_memory, limits.max_total_memory);
                for (const auto& segment : plan.load_segments()) {
                    ASSERT_GE(segment.page_start(plan.page_size), limits.user_low);
                    ASSERT_LE(segment.page_end(plan.page_size), limits.user_high);
                    ASSERT_LE(segment.file_offset + segment.file_size, bytes.size());
                    ASSERT_FALSE(segment.writable && segment.executable);
                }
            }
    }
}

}  // namespace
