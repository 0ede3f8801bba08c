// elf::plan_load on hand-built files: the default program is accepted with the plan it should
// get, then each refusal the loader promises, one defect at a time, with its reason.
#include "elf/load_plan.h"

#include <gtest/gtest.h>

#include <string>

#include "elf_builder.h"

namespace {

using base::ErrorCode;
using elf::LoadLimits;
using elf::Machine;
using elf_test::ElfBuilder;
using elf_test::ProgramHeader;
using namespace elf_test;

constexpr LoadLimits limits{.user_low = 0x10000, .user_high = 0x0000'8000'0000'0000, .max_total_memory = 64 << 20};

base::Result<elf::LoadPlan> plan(const ElfBuilder& builder, Machine machine = Machine::x86_64, const LoadLimits& with = limits) {
    const std::vector<uint8_t> bytes = builder.build();
    return elf::plan_load({bytes.data(), bytes.size()}, machine, with);
}

// Expects a refusal with `code` whose message contains `reason`.
void expect_refused(const base::Result<elf::LoadPlan>& result, ErrorCode code, const std::string& reason) {
    ASSERT_TRUE(result.is_error()) << "accepted, expected: " << reason;
    EXPECT_EQ(result.error().code, code) << result.error().message;
    EXPECT_NE(std::string(result.error().message).find(reason), std::string::npos)
        << "message \"" << result.error().message << "\" does not name \"" << reason << "\"";
    EXPECT_EQ(std::string(result.error().message).rfind("elf: ", 0), 0u);
}

TEST(ElfLoadPlan, AcceptsAValidProgramAndDescribesItsSegments) {
    auto result = plan(ElfBuilder());
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    const elf::LoadPlan& p = result.value();
    EXPECT_EQ(p.entry, 0x400100u);
    ASSERT_EQ(p.segment_count, 2u);
    const elf::LoadSegment& text = p.segments[0];
    EXPECT_EQ(text.virtual_address, 0x400000u);
    EXPECT_EQ(text.memory_size, 0x1000u);
    EXPECT_EQ(text.file_offset, 0u);
    EXPECT_EQ(text.file_size, 0x1000u);
    EXPECT_TRUE(text.readable && text.executable && !text.writable);
    const elf::LoadSegment& data = p.segments[1];
    EXPECT_EQ(data.virtual_address, 0x401000u);
    EXPECT_EQ(data.memory_size, 0x2000u);
    EXPECT_EQ(data.file_offset, 0x1000u);
    EXPECT_EQ(data.file_size, 0x100u);
    EXPECT_TRUE(data.readable && data.writable && !data.executable);
    EXPECT_EQ(p.total_memory, 0x3000u);
    EXPECT_FALSE(p.tls.has_value());
    ASSERT_TRUE(p.program_headers_address.has_value());
    EXPECT_EQ(*p.program_headers_address, 0x400040u);
    EXPECT_EQ(p.program_header_count, 3u);
}

TEST(ElfLoadPlan, AcceptsTheSameProgramForAArch64) {
    ElfBuilder b;
    b.machine = 183;
    EXPECT_TRUE(plan(b, Machine::aarch64).is_ok());
}

// --- Is it an ELF file of the kind we load? ---

TEST(ElfLoadPlan, RefusesAFileThatIsNotElf) {
    ElfBuilder b;
    b.ident[1] = 'X';
    expect_refused(plan(b), ErrorCode::Malformed, "not an ELF file");
    const uint8_t tiny[2] = {0x7f, 'E'};
    expect_refused(elf::plan_load({tiny, 2}, Machine::x86_64, limits), ErrorCode::Malformed, "not an ELF file");
    expect_refused(elf::plan_load({}, Machine::x86_64, limits), ErrorCode::Malformed, "not an ELF file");
}

TEST(ElfLoadPlan, RefusesATruncatedHeader) {
    const auto bytes = ElfBuilder().build();
    for (size_t size = 4; size < 64; ++size)
        expect_refused(elf::plan_load({bytes.data(), size}, Machine::x86_64, limits), ErrorCode::Malformed, "truncated ELF header");
}

TEST(ElfLoadPlan, RefusesTheWrongClass) {
    ElfBuilder b;
    b.ident[4] = 1;  // ELFCLASS32
    expect_refused(plan(b), ErrorCode::Unsupported, "wrong class");
}

TEST(ElfLoadPlan, RefusesTheWrongEndianness) {
    ElfBuilder b;
    b.ident[5] = 2;  // ELFDATA2MSB
    expect_refused(plan(b), ErrorCode::Unsupported, "wrong endianness");
}

TEST(ElfLoadPlan, RefusesAnUnknownVersion) {
    ElfBuilder b;
    b.ident[6] = 2;
    expect_refused(plan(b), ErrorCode::Unsupported, "unknown ELF version");
    ElfBuilder c;
    c.version = 0;
    expect_refused(plan(c), ErrorCode::Unsupported, "unknown ELF version");
}

TEST(ElfLoadPlan, RefusesAnotherOsAbi) {
    ElfBuilder b;
    b.ident[7] = 3;  // ELFOSABI_GNU
    expect_refused(plan(b), ErrorCode::Unsupported, "OS ABI");
}

TEST(ElfLoadPlan, RefusesTheWrongMachine) {
    expect_refused(plan(ElfBuilder(), Machine::aarch64), ErrorCode::Unsupported, "wrong machine");
    ElfBuilder b;
    b.machine = 3;  // EM_386
    expect_refused(plan(b), ErrorCode::Unsupported, "wrong machine");
}

TEST(ElfLoadPlan, RefusesPositionIndependentExecutablesClearly) {
    ElfBuilder b;
    b.type = 3;  // ET_DYN
    expect_refused(plan(b), ErrorCode::Unsupported, "ET_DYN");
}

TEST(ElfLoadPlan, RefusesFilesThatAreNotExecutables) {
    for (uint16_t type : {0, 1, 4, 0xfe00}) {  // none, relocatable, core, OS-specific
        ElfBuilder b;
        b.type = type;
        expect_refused(plan(b), ErrorCode::Unsupported, "not an executable");
    }
}

TEST(ElfLoadPlan, RefusesAWrongHeaderSize) {
    ElfBuilder b;
    b.ehsize = 52;
    expect_refused(plan(b), ErrorCode::Malformed, "header size");
}

// --- Are the program headers there? ---

TEST(ElfLoadPlan, RefusesAWrongProgramHeaderEntrySize) {
    for (uint16_t size : {0, 32, 55, 57, 64}) {
        ElfBuilder b;
        b.phentsize = size;
        expect_refused(plan(b), ErrorCode::Malformed, "e_phentsize");
    }
}

TEST(ElfLoadPlan, RefusesTruncatedProgramHeaders) {
    ElfBuilder b;
    b.file_size = 64 + 2 * 56 + 10;  // the third header is cut short
    expect_refused(plan(b), ErrorCode::Malformed, "truncated program headers");
    ElfBuilder far;
    far.phoff = 0x100000;
    expect_refused(plan(far), ErrorCode::Malformed, "truncated program headers");
    ElfBuilder wrapping;
    wrapping.phoff = ~uint64_t(0) - 60;
    wrapping.file_size = 0x1100;
    expect_refused(plan(wrapping), ErrorCode::Malformed, "truncated program headers");
}

TEST(ElfLoadPlan, RefusesTooManyProgramHeaders) {
    ElfBuilder b;
    b.phnum_override = 0xffff;  // PN_XNUM too
    expect_refused(plan(b), ErrorCode::Unsupported, "too many program headers");
    ElfBuilder c;
    c.phnum_override = 65;
    expect_refused(plan(c), ErrorCode::Unsupported, "too many program headers");
}

TEST(ElfLoadPlan, RefusesAFileWithNoLoadableSegment) {
    ElfBuilder none;
    none.headers.clear();
    expect_refused(plan(none), ErrorCode::Malformed, "no loadable segment");
    ElfBuilder only_notes;
    only_notes.headers = {{PT_NOTE, PF_R, 0x100, 0x400100, 0, 0x10, 0x10, 4}};
    expect_refused(plan(only_notes), ErrorCode::Malformed, "no loadable segment");
    ElfBuilder only_empty;
    only_empty.headers = {{PT_LOAD, PF_R | PF_X, 0, 0x400000, 0, 0, 0, 0x1000}};
    expect_refused(plan(only_empty), ErrorCode::Malformed, "no loadable segment");
}

TEST(ElfLoadPlan, RefusesTooManyLoadSegments) {
    ElfBuilder b;
    b.headers.resize(1);  // keep the text segment
    b.file_size = 0x20000;
    for (uint64_t i = 1; i <= 16; ++i) b.headers.push_back({PT_LOAD, PF_R, i * 0x1000, 0x400000 + i * 0x1000, 0, 0x10, 0x10, 0x1000});
    expect_refused(plan(b), ErrorCode::Unsupported, "too many load segments");
    b.headers.pop_back();  // 16 in all is the limit
    EXPECT_TRUE(plan(b).is_ok());
}

// --- Is each segment sane? ---

TEST(ElfLoadPlan, RefusesFileSizeLargerThanMemorySize) {
    ElfBuilder b;
    b.headers[1].filesz = 0x2001;
    b.file_size = 0x4000;
    expect_refused(plan(b), ErrorCode::Malformed, "file size is larger than its memory size");
}

TEST(ElfLoadPlan, RefusesASegmentWhoseFileRangeIsOutsideTheFile) {
    ElfBuilder past_end;
    past_end.headers[1].filesz = 0x101;  // one byte past the 0x1100-byte file
    expect_refused(plan(past_end), ErrorCode::Malformed, "file range is outside the file");
    ElfBuilder wrapping;
    wrapping.headers[1].offset = ~uint64_t(0) - 0x7f;  // offset + filesz wraps to a small number
    expect_refused(plan(wrapping), ErrorCode::Malformed, "file range is outside the file");
}

TEST(ElfLoadPlan, RefusesUnalignedSegments) {
    ElfBuilder b;
    b.headers[1].vaddr = 0x401008;  // offset 0x1000: not congruent modulo the page size
    expect_refused(plan(b), ErrorCode::Malformed, "unaligned");
    ElfBuilder big_align;
    big_align.headers[1].align = 0x10000;  // congruent modulo 4 KiB, not modulo p_align
    big_align.headers[1].vaddr = 0x402000;
    expect_refused(plan(big_align), ErrorCode::Malformed, "unaligned");
    ElfBuilder bad_align;
    bad_align.headers[1].align = 0x1800;
    expect_refused(plan(bad_align), ErrorCode::Malformed, "not a power of two");
}

TEST(ElfLoadPlan, RefusesWritableAndExecutableSegments) {
    ElfBuilder b;
    b.headers[0].flags = PF_R | PF_W | PF_X;
    expect_refused(plan(b), ErrorCode::PermissionDenied, "W+X");
    ElfBuilder wx;
    wx.headers[1].flags = PF_W | PF_X;
    expect_refused(plan(wx), ErrorCode::PermissionDenied, "W+X");
}

TEST(ElfLoadPlan, RefusesUnknownOrNoSegmentFlags) {
    ElfBuilder unknown;
    unknown.headers[1].flags = PF_R | PF_W | 0x00100000;
    expect_refused(plan(unknown), ErrorCode::Malformed, "unknown flag bits");
    ElfBuilder none;
    none.headers[1].flags = 0;
    expect_refused(plan(none), ErrorCode::Malformed, "grants no access");
}

TEST(ElfLoadPlan, RefusesSegmentsOutsideTheUserRange) {
    ElfBuilder low;
    low.headers[0].vaddr = 0x1000;
    low.entry = 0x1100;
    expect_refused(plan(low), ErrorCode::OutOfRange, "outside the user address range");
    ElfBuilder null_page;
    null_page.headers[0].vaddr = 0;
    null_page.entry = 0x100;
    expect_refused(plan(null_page), ErrorCode::OutOfRange, "outside the user address range");
    ElfBuilder high;
    high.headers[1].vaddr = 0x0000'7fff'ffff'f000;  // its bss runs past user_high
    high.headers[1].offset = 0x1000;
    expect_refused(plan(high), ErrorCode::OutOfRange, "outside the user address range");
    ElfBuilder kernel;
    kernel.headers[1].vaddr = 0xffff'8000'0000'1000;
    expect_refused(plan(kernel), ErrorCode::OutOfRange, "outside the user address range");
    // The same file is fine when the caller's range covers it, and refused when the range
    // starts one page too late.
    LoadLimits tight = limits;
    tight.user_low = 0x400000;
    tight.user_high = 0x403000;
    EXPECT_TRUE(plan(ElfBuilder(), Machine::x86_64, tight).is_ok());
    tight.user_high = 0x402000;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, tight), ErrorCode::OutOfRange, "outside the user address range");
    tight.user_low = 0x401000;
    tight.user_high = 0x403000;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, tight), ErrorCode::OutOfRange, "outside the user address range");
}

TEST(ElfLoadPlan, RefusesSegmentsThatWrapTheAddressSpace) {
    ElfBuilder b;
    b.headers[1].vaddr = 0xffff'ffff'ffff'f000;
    b.headers[1].memsz = 0x2000;
    expect_refused(plan(b), ErrorCode::OutOfRange, "wraps");
    ElfBuilder rounding;  // the end itself fits; rounding it up to a page does not
    rounding.headers[1].vaddr = 0xffff'ffff'ffff'f000;
    rounding.headers[1].memsz = 0xfff;
    rounding.headers[1].filesz = 0x100;
    expect_refused(plan(rounding), ErrorCode::OutOfRange, "wraps");
}

TEST(ElfLoadPlan, RefusesAbsurdSizes) {
    ElfBuilder huge;
    huge.headers[1].memsz = 0x0000'4000'0000'0000;  // inside the range, but 64 TiB
    expect_refused(plan(huge), ErrorCode::OutOfRange, "exceeds the limit");
    // Each segment under the cap, together over it.
    LoadLimits small = limits;
    small.max_total_memory = 0x2000;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, small), ErrorCode::OutOfRange, "exceeds the limit");
    small.max_total_memory = 0x3000;  // exactly the page-rounded total
    EXPECT_TRUE(plan(ElfBuilder(), Machine::x86_64, small).is_ok());
}

TEST(ElfLoadPlan, RefusesTotalsThatWouldWrapEvenWithoutACap) {
    // Two overlapping 2^63-byte segments: their sum is 2^64, which must not wrap to 0.
    LoadLimits everything{.user_low = 0x10000, .user_high = ~uint64_t(0xfff), .max_total_memory = ~uint64_t(0)};
    ElfBuilder b;
    b.headers[0].memsz = uint64_t(1) << 63;
    b.headers[1].vaddr = 0x401000;
    b.headers[1].memsz = uint64_t(1) << 63;
    expect_refused(plan(b, Machine::x86_64, everything), ErrorCode::OutOfRange, "exceeds the limit");
}

// --- Do the segments fit together? ---

TEST(ElfLoadPlan, RefusesOverlappingSegments) {
    ElfBuilder b;
    b.headers[1].vaddr = 0x400800;  // inside the text segment
    b.headers[1].offset = 0x800;
    b.headers[1].filesz = 0x100;
    expect_refused(plan(b), ErrorCode::Malformed, "overlap");
}

TEST(ElfLoadPlan, RefusesSegmentsThatShareAPageAfterRounding) {
    ElfBuilder b;  // text ends at 0x400800; data starts in the same page at 0x400f00
    b.headers[0].filesz = b.headers[0].memsz = 0x800;
    b.headers[1].vaddr = 0x400f00;
    b.headers[1].offset = 0xf00;
    b.headers[1].filesz = 0x100;
    expect_refused(plan(b), ErrorCode::Malformed, "overlap");
}

TEST(ElfLoadPlan, RefusesSegmentsOutOfAscendingOrder) {
    ElfBuilder b;
    std::swap(b.headers[0], b.headers[1]);
    expect_refused(plan(b), ErrorCode::Malformed, "ascending");
}

TEST(ElfLoadPlan, RefusesAnEntryPointOutsideExecutableCode) {
    ElfBuilder in_data;
    in_data.entry = 0x401010;
    expect_refused(plan(in_data), ErrorCode::Malformed, "entry point");
    ElfBuilder unmapped;
    unmapped.entry = 0x500000;
    expect_refused(plan(unmapped), ErrorCode::Malformed, "entry point");
    ElfBuilder zero;
    zero.entry = 0;
    expect_refused(plan(zero), ErrorCode::Malformed, "entry point");
    ElfBuilder in_bss;  // executable, but past the bytes the file provides
    in_bss.headers[0].filesz = 0x800;
    in_bss.entry = 0x400900;
    expect_refused(plan(in_bss), ErrorCode::Malformed, "entry point");
    ElfBuilder at_end;
    at_end.entry = 0x401000;  // one past the text
    expect_refused(plan(at_end), ErrorCode::Malformed, "entry point");
}

// --- The other program header types, each handled deliberately ---

TEST(ElfLoadPlan, RefusesDynamicLinking) {
    ElfBuilder interp;
    interp.headers.push_back({PT_INTERP, PF_R, 0x200, 0x400200, 0, 0x10, 0x10, 1});
    expect_refused(plan(interp), ErrorCode::Unsupported, "dynamic linking");
    ElfBuilder dynamic;
    dynamic.headers.push_back({PT_DYNAMIC, PF_R | PF_W, 0x1000, 0x401000, 0, 0x10, 0x10, 8});
    expect_refused(plan(dynamic), ErrorCode::Unsupported, "dynamic linking");
}

TEST(ElfLoadPlan, RefusesAnExecutableStack) {
    ElfBuilder b;
    b.headers[2].flags = PF_R | PF_W | PF_X;
    expect_refused(plan(b), ErrorCode::PermissionDenied, "executable stack");
}

TEST(ElfLoadPlan, RefusesUnknownGenericSegmentTypes) {
    for (uint32_t type : {PT_SHLIB, 8u, 0x5fffffffu}) {
        ElfBuilder b;
        b.headers.push_back({type, PF_R, 0, 0, 0, 0, 0, 0});
        expect_refused(plan(b), ErrorCode::Malformed, "unknown program header type");
    }
}

TEST(ElfLoadPlan, IgnoresNotesAndOsOrProcessorSpecificHeaders) {
    ElfBuilder b;
    b.headers.push_back({0, 0, 0, 0, 0, 0, 0, 0});  // PT_NULL
    b.headers.push_back({PT_NOTE, PF_R, 0x200, 0x400200, 0, 0x20, 0x20, 4});
    b.headers.push_back({PT_GNU_EH_FRAME, PF_R, 0x300, 0x400300, 0, 0x20, 0x20, 4});
    b.headers.push_back({PT_GNU_RELRO, PF_R, 0x1000, 0x401000, 0, 0x10, 0x1000, 1});
    b.headers.push_back({0x70000001, PF_R, 0x300, 0x400300, 0, 0x20, 0x20, 4});  // processor-specific
    b.headers.push_back({0x6fffffff, 0xffffffff, ~0ull, ~0ull, 0, ~0ull, 0, 3});  // OS-specific, garbage
    auto result = plan(b);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_EQ(result.value().segment_count, 2u);
}

TEST(ElfLoadPlan, SkipsEmptyLoadSegments) {
    ElfBuilder b;
    b.headers.insert(b.headers.begin() + 1, {PT_LOAD, PF_R, 0x1000, 0x7000'0000, 0, 0, 0, 0x1000});
    auto result = plan(b);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_EQ(result.value().segment_count, 2u);
}

TEST(ElfLoadPlan, ReportsAValidTlsTemplate) {
    ElfBuilder b;
    b.headers.push_back({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x20, 0x40, 16});
    auto result = plan(b);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    ASSERT_TRUE(result.value().tls.has_value());
    const elf::TlsTemplate& tls = *result.value().tls;
    EXPECT_EQ(tls.virtual_address, 0x401010u);
    EXPECT_EQ(tls.file_size, 0x20u);
    EXPECT_EQ(tls.memory_size, 0x40u);
    EXPECT_EQ(tls.alignment, 16u);
}

TEST(ElfLoadPlan, RefusesABrokenTlsTemplate) {
    auto with_tls = [](ProgramHeader tls) {
        ElfBuilder b;
        b.headers.push_back(tls);
        return b;
    };
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x50, 0x40, 16})), ErrorCode::Malformed, "PT_TLS file size");
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x20, 0x40, 24})), ErrorCode::Malformed, "PT_TLS alignment");
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x20, 0x40, 0x2000})), ErrorCode::Malformed, "PT_TLS alignment");
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x10f0, 0x4010f0, 0, 0x20, 0x40, 16})), ErrorCode::Malformed, "not inside");  // past filesz
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1010, 0x900000, 0, 0x20, 0x40, 16})), ErrorCode::Malformed, "not inside");
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1020, 0x401010, 0, 0x20, 0x40, 16})), ErrorCode::Malformed, "file offset");
    expect_refused(plan(with_tls({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x20, 1ull << 40, 16})), ErrorCode::OutOfRange, "PT_TLS memory size");
    ElfBuilder twice = with_tls({PT_TLS, PF_R, 0x1010, 0x401010, 0, 0x20, 0x40, 16});
    twice.headers.push_back(twice.headers.back());
    expect_refused(plan(twice), ErrorCode::Malformed, "more than one PT_TLS");
}

TEST(ElfLoadPlan, ChecksPtPhdrAgainstTheProgramHeaders) {
    ElfBuilder good;
    good.headers.insert(good.headers.begin(), {PT_PHDR, PF_R, 64, 0x400040, 0, 4 * 56, 4 * 56, 8});
    auto result = plan(good);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_EQ(*result.value().program_headers_address, 0x400040u);

    ElfBuilder wrong_address = good;
    wrong_address.headers[0].vaddr = 0x400080;
    expect_refused(plan(wrong_address), ErrorCode::Malformed, "PT_PHDR");
    ElfBuilder wrong_offset = good;
    wrong_offset.headers[0].offset = 128;
    expect_refused(plan(wrong_offset), ErrorCode::Malformed, "PT_PHDR");
    ElfBuilder not_loaded = good;  // the table is in the file but no segment loads it
    not_loaded.headers[1].offset = 0x1000;
    not_loaded.headers[1].vaddr = 0x400000;
    not_loaded.headers[1].filesz = 0x100;
    not_loaded.entry = 0x400010;
    not_loaded.file_size = 0x2000;
    not_loaded.headers[2].offset = 0x1100;
    not_loaded.headers[2].vaddr = 0x401100;
    expect_refused(plan(not_loaded), ErrorCode::Malformed, "PT_PHDR");
    ElfBuilder twice = good;
    twice.headers.insert(twice.headers.begin(), twice.headers[0]);
    expect_refused(plan(twice), ErrorCode::Malformed, "more than one PT_PHDR");
}

TEST(ElfLoadPlan, ReportsNoProgramHeaderAddressWhenNoSegmentLoadsThem) {
    ElfBuilder b;
    b.headers[0].offset = 0x1000;
    b.headers[0].filesz = 0x10;
    b.headers[0].memsz = 0x1000;
    b.entry = 0x400008;
    b.headers[1].offset = 0x2000;
    b.headers[1].vaddr = 0x402000;
    b.file_size = 0x2100;
    auto result = plan(b);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_FALSE(result.value().program_headers_address.has_value());
}

TEST(ElfLoadPlan, RefusesBadLimitsAsTheCallersMistake) {
    LoadLimits bad = limits;
    bad.page_size = 3000;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, bad), ErrorCode::InvalidArgument, "page size");
    bad = limits;
    bad.user_low = 0x10001;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, bad), ErrorCode::InvalidArgument, "page-aligned");
    bad = limits;
    bad.user_high = bad.user_low;
    expect_refused(plan(ElfBuilder(), Machine::x86_64, bad), ErrorCode::InvalidArgument, "empty");
}

TEST(ElfLoadPlan, AcceptsLargerPagesWhenTheFileIsAlignedForThem) {
    ElfBuilder b;  // 64 KiB pages: data moves to the next 64 KiB page, congruent with its offset
    b.headers[1].vaddr = 0x411000;
    b.headers[1].align = 0x10000;
    b.headers[0].align = 0x10000;
    LoadLimits big = limits;
    big.page_size = 0x10000;
    auto result = plan(b, Machine::x86_64, big);
    ASSERT_TRUE(result.is_ok()) << result.error().message;
    EXPECT_EQ(result.value().total_memory, 0x20000u);
    EXPECT_TRUE(plan(ElfBuilder(), Machine::x86_64, big).is_error());  // 4 KiB layout shares a 64 KiB page
}

// Every truncation of a valid file is refused or, if it keeps all the bytes that matter,
// accepted; none reads outside the span (ASan checks that).
TEST(ElfLoadPlan, SurvivesEveryTruncationOfAValidFile) {
    const auto bytes = ElfBuilder().build();
    for (size_t size = 0; size < bytes.size(); ++size) {
        std::vector<uint8_t> copy(bytes.begin(), bytes.begin() + static_cast<long>(size));
        auto result = elf::plan_load({copy.data(), copy.size()}, Machine::x86_64, limits);
        EXPECT_TRUE(result.is_error()) << "size " << size;
    }
}

}  // namespace
