// lib/boot_bundle: bundles the writer makes are read back with every program verified; each
// rule of the format (docs/boot_bundle.md) is broken once by hand and refused with its reason.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "boot_bundle/reader.h"
#include "boot_bundle/writer.h"

namespace {

using base::ErrorCode;
using boot_bundle::Program;
using boot_bundle::Reader;

using Bytes = std::vector<uint8_t>;

base::Span<const uint8_t> span(const Bytes& bytes) { return {bytes.data(), bytes.size()}; }
base::StringView view(const std::string& text) { return {text.data(), text.size()}; }
Bytes bytes_of(const std::string& text) { return Bytes(text.begin(), text.end()); }

Bytes make_bundle(const std::vector<std::pair<std::string, Bytes>>& programs) {
    std::vector<Program> list;
    for (const auto& [name, bytes] : programs) list.push_back({view(name), span(bytes)});
    const base::Span<const Program> input(list.data(), list.size());
    auto size = boot_bundle::bundle_size(input);
    EXPECT_TRUE(size.is_ok()) << size.error().message;
    Bytes out(size.value(), 0xaa);
    auto written = boot_bundle::write(input, {out.data(), out.size()});
    EXPECT_TRUE(written.is_ok()) << written.error().message;
    EXPECT_EQ(written.value(), out.size());
    return out;
}

// The bundle most tests break: three programs of different sizes, one empty.
Bytes sample() {
    Bytes init(5000);
    for (size_t i = 0; i < init.size(); ++i) init[i] = static_cast<uint8_t>(i * 7);
    return make_bundle({{"init", init}, {"console", bytes_of("console program")}, {"empty", {}}});
}

void put_u32(Bytes& bytes, size_t at, uint32_t value) {
    for (int i = 0; i < 4; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
void put_u64(Bytes& bytes, size_t at, uint64_t value) {
    for (int i = 0; i < 8; ++i) bytes[at + i] = static_cast<uint8_t>(value >> (8 * i));
}
size_t entry_at(size_t index) { return 32 + 80 * index; }

void expect_refused(const Bytes& bytes, ErrorCode code, const std::string& reason) {
    auto result = Reader::open(span(bytes));
    ASSERT_TRUE(result.is_error()) << "accepted, expected: " << reason;
    EXPECT_EQ(result.error().code, code) << result.error().message;
    EXPECT_NE(std::string(result.error().message).find(reason), std::string::npos)
        << "message \"" << result.error().message << "\" does not name \"" << reason << "\"";
}

TEST(BootBundle, ReadsBackWhatTheWriterWroteWithEveryProgramVerified) {
    const Bytes bundle = sample();
    auto reader = Reader::open(span(bundle));
    ASSERT_TRUE(reader.is_ok()) << reader.error().message;
    ASSERT_EQ(reader.value().count(), 3u);
    EXPECT_TRUE(reader.value().entry(0).name == "init");
    EXPECT_TRUE(reader.value().entry(1).name == "console");
    EXPECT_TRUE(reader.value().entry(2).name == "empty");

    auto console = reader.value().verified_program("console");
    ASSERT_TRUE(console.is_ok()) << console.error().message;
    EXPECT_EQ(std::string(console.value().begin(), console.value().end()), "console program");
    // Read in place: the span points into the bundle, at a 4096-byte boundary from its start.
    EXPECT_EQ((console.value().data() - bundle.data()) % 4096, 0);
    auto init = reader.value().verified_program("init");
    ASSERT_TRUE(init.is_ok());
    EXPECT_EQ(init.value().size(), 5000u);
    EXPECT_EQ(init.value()[4999], static_cast<uint8_t>(4999 * 7));
    auto empty = reader.value().verified_program("empty");
    ASSERT_TRUE(empty.is_ok());
    EXPECT_EQ(empty.value().size(), 0u);
}

TEST(BootBundle, LaysProgramsOutOnPageBoundariesAfterTheTable) {
    const Bytes bundle = sample();
    auto reader = Reader::open(span(bundle)).value();
    EXPECT_EQ(reader.entry(0).offset, 4096u);
    EXPECT_EQ(reader.entry(1).offset, 12288u);  // 4096 + 5000 rounded up
    EXPECT_EQ(reader.entry(2).offset, 16384u);
    EXPECT_EQ(reader.entry(2).size, 0u);
    EXPECT_EQ(bundle.size(), 16384u);
}

TEST(BootBundle, FindsProgramsByNameAndBySha256) {
    const Bytes bundle = sample();
    auto reader = Reader::open(span(bundle)).value();
    auto console = reader.find("console");
    ASSERT_TRUE(console.has_value());
    EXPECT_EQ(console->sha256, hash::Sha256::digest(span(bytes_of("console program"))));
    auto by_hash = reader.find(console->sha256);
    ASSERT_TRUE(by_hash.has_value());
    EXPECT_TRUE(by_hash->name == "console");
    EXPECT_FALSE(reader.find("consol").has_value());
    EXPECT_FALSE(reader.find("console2").has_value());
    EXPECT_FALSE(reader.find(hash::Sha256::digest(span(bytes_of("nothing")))).has_value());
    auto missing = reader.verified_program("absent");
    ASSERT_TRUE(missing.is_error());
    EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
}

TEST(BootBundle, RefusesAProgramWhoseBytesDoNotMatchItsSha256) {
    Bytes bundle = sample();
    bundle[12288 + 3] ^= 1;  // inside "console program"
    auto reader = Reader::open(span(bundle));
    ASSERT_TRUE(reader.is_ok());  // the structure is still sound; only that program is refused
    auto console = reader.value().verified_program("console");
    ASSERT_TRUE(console.is_error());
    EXPECT_EQ(console.error().code, ErrorCode::Corrupt);
    EXPECT_NE(std::string(console.error().message).find("do not match its SHA-256"), std::string::npos);
    EXPECT_TRUE(reader.value().verified_program("init").is_ok());
    // The same for a changed digest in the table.
    Bytes table = sample();
    table[entry_at(0) + 32 + 31] ^= 0x80;
    EXPECT_EQ(Reader::open(span(table)).value().verified_program("init").error().code, ErrorCode::Corrupt);
}

TEST(BootBundle, RefusesAnEntryFromAnotherBundle) {
    const Bytes big = sample();
    const Bytes small = make_bundle({{"a", bytes_of("x")}});
    auto entry = Reader::open(span(big)).value().entry(0);  // offset 4096, size 5000: past `small`
    EXPECT_EQ(Reader::open(span(small)).value().verified_program(entry).error().code, ErrorCode::InvalidArgument);
}

TEST(BootBundle, AcceptsAnEmptyBundleAndIgnoresBytesPastTheDeclaredSize) {
    const Bytes empty = make_bundle({});
    EXPECT_EQ(empty.size(), 32u);
    auto reader = Reader::open(span(empty));
    ASSERT_TRUE(reader.is_ok());
    EXPECT_EQ(reader.value().count(), 0u);
    Bytes padded = sample();
    padded.resize(padded.size() + 8192, 0xee);  // a loader padding the image
    auto padded_reader = Reader::open(span(padded));
    ASSERT_TRUE(padded_reader.is_ok()) << padded_reader.error().message;
    EXPECT_EQ(padded_reader.value().bytes().size(), 16384u);
}

TEST(BootBundle, WritesTheSameBytesForTheSameProgramsEveryTime) {
    EXPECT_EQ(sample(), sample());
}

// The test vector in docs/boot_bundle.md: its size and SHA-256 are part of the specification.
TEST(BootBundle, MatchesTheDocumentedTestVector) {
    const Bytes bundle = make_bundle({{"hello", bytes_of("hello\n")}, {"empty", {}}});
    char hex[hash::sha256_hex_size];
    hash::to_hex(hash::Sha256::digest(span(bundle)), hex);
    EXPECT_EQ(bundle.size(), 8192u);
    EXPECT_EQ(std::string(hex, sizeof hex), "d43facd81f8a3c8a31e2e01c52c817b27414af5a104186982714bcc33a381a14");
    const Bytes header(bundle.begin(), bundle.begin() + 32);
    const Bytes expected = {'V', 'E', 'C', 'T', 'R', 'A', 'B', 'B', 1, 0, 0, 0, 2, 0, 0, 0,
                            0, 0x20, 0, 0, 0, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(header, expected);
}

// --- The writer refuses what the format forbids ---

TEST(BootBundleWriter, RefusesBadNames) {
    for (const std::string& name : std::vector<std::string>{"", ".hidden", "-option", "_x", "a/b", "a b", "caf\xc3\xa9", std::string(33, 'a'), std::string("a\0b", 3)}) {
        const Program program{view(name), {}};
        auto size = boot_bundle::bundle_size({&program, 1});
        ASSERT_TRUE(size.is_error()) << "name \"" << name << "\"";
        EXPECT_EQ(size.error().code, ErrorCode::Malformed);
    }
    const std::string longest(32, 'z');
    const Program program{view(longest), {}};
    EXPECT_TRUE(boot_bundle::bundle_size({&program, 1}).is_ok());
}

TEST(BootBundleWriter, RefusesDuplicateNamesAndTooManyPrograms) {
    const Program twice[2] = {{"same", {}}, {"same", {}}};
    EXPECT_EQ(boot_bundle::bundle_size(twice).error().code, ErrorCode::AlreadyExists);
    std::vector<std::string> names;
    for (int i = 0; i < 65; ++i) names.push_back("p" + std::to_string(i));
    std::vector<Program> many;
    for (const auto& name : names) many.push_back({view(name), {}});
    EXPECT_EQ(boot_bundle::bundle_size({many.data(), many.size()}).error().code, ErrorCode::OutOfRange);
    EXPECT_TRUE(boot_bundle::bundle_size({many.data(), 64}).is_ok());
}

TEST(BootBundleWriter, RefusesASmallBufferAndWritesNothing) {
    const Program program{"one", {}};
    Bytes out(100, 0x55);  // needs 4096
    auto written = boot_bundle::write({&program, 1}, {out.data(), out.size()});
    ASSERT_TRUE(written.is_error());
    EXPECT_EQ(out, Bytes(100, 0x55));
}

// --- The reader refuses every broken rule, one at a time ---

TEST(BootBundleReader, RefusesATruncatedHeader) {
    const Bytes bundle = sample();
    for (size_t size = 0; size < 32; ++size)
        expect_refused(Bytes(bundle.begin(), bundle.begin() + static_cast<long>(size)), ErrorCode::Malformed, "truncated header");
}

TEST(BootBundleReader, RefusesABadMagicVersionEntrySizeOrReservedField) {
    Bytes magic = sample();
    magic[7] = 'C';
    expect_refused(magic, ErrorCode::Malformed, "not a boot bundle");
    Bytes version = sample();
    put_u32(version, 8, 2);
    expect_refused(version, ErrorCode::Unsupported, "unsupported format version");
    Bytes entry_size = sample();
    put_u32(entry_size, 24, 88);
    expect_refused(entry_size, ErrorCode::Malformed, "entry size");
    Bytes reserved = sample();
    reserved[31] = 1;
    expect_refused(reserved, ErrorCode::Malformed, "reserved");
}

TEST(BootBundleReader, RefusesTooManyEntries) {
    Bytes bundle = sample();
    put_u32(bundle, 12, 65);
    expect_refused(bundle, ErrorCode::Malformed, "too many entries");
    put_u32(bundle, 12, 0xffffffff);
    expect_refused(bundle, ErrorCode::Malformed, "too many entries");
}

TEST(BootBundleReader, RefusesEveryTruncation) {
    const Bytes bundle = sample();
    for (size_t size = 32; size < bundle.size(); ++size)
        expect_refused(Bytes(bundle.begin(), bundle.begin() + static_cast<long>(size)), ErrorCode::Malformed, "truncated");
}

TEST(BootBundleReader, RefusesATableRunningPastTheDeclaredSize) {
    Bytes bundle = make_bundle({});
    put_u32(bundle, 12, 1);  // one entry announced, none there
    bundle.resize(200);
    expect_refused(bundle, ErrorCode::Malformed, "entry table runs past");
}

TEST(BootBundleReader, RefusesBadNamesInTheTable) {
    auto with_name = [](const std::string& name) {
        Bytes bundle = sample();
        std::fill_n(bundle.begin() + static_cast<long>(entry_at(1)), 32, 0);
        std::copy(name.begin(), name.end(), bundle.begin() + static_cast<long>(entry_at(1)));
        return bundle;
    };
    expect_refused(with_name(""), ErrorCode::Malformed, "empty program name");
    expect_refused(with_name(".."), ErrorCode::Malformed, "start with a letter or digit");
    expect_refused(with_name("con/sole"), ErrorCode::Malformed, "outside [A-Za-z0-9._-]");
    expect_refused(with_name("con\nsole"), ErrorCode::Malformed, "outside [A-Za-z0-9._-]");
    expect_refused(with_name(std::string("con\0sole", 8)), ErrorCode::Malformed, "after its NUL padding");
    expect_refused(with_name(std::string(32, '\xff')), ErrorCode::Malformed, "outside [A-Za-z0-9._-]");
    const Bytes full_name = with_name(std::string(32, 'c'));  // 32 characters, no NUL
    auto full = Reader::open(span(full_name));
    ASSERT_TRUE(full.is_ok()) << full.error().message;
    EXPECT_EQ(full.value().entry(1).name.size(), 32u);
}

TEST(BootBundleReader, RefusesDuplicateNames) {
    Bytes bundle = sample();
    std::fill_n(bundle.begin() + static_cast<long>(entry_at(2)), 32, 0);
    std::copy_n("init", 4, bundle.begin() + static_cast<long>(entry_at(2)));
    expect_refused(bundle, ErrorCode::AlreadyExists, "same name");
    // A prefix is a different name.
    Bytes prefix = sample();
    std::fill_n(prefix.begin() + static_cast<long>(entry_at(2)), 32, 0);
    std::copy_n("ini", 3, prefix.begin() + static_cast<long>(entry_at(2)));
    EXPECT_TRUE(Reader::open(span(prefix)).is_ok());
}

TEST(BootBundleReader, RefusesUnalignedPrograms) {
    Bytes bundle = sample();
    put_u64(bundle, entry_at(2) + 64, 16384 - 8);
    expect_refused(bundle, ErrorCode::Malformed, "4096-byte aligned");
}

TEST(BootBundleReader, RefusesProgramsOverlappingTheTableOrEachOther) {
    Bytes table = sample();
    put_u64(table, entry_at(0) + 64, 0);
    expect_refused(table, ErrorCode::Malformed, "overlaps");
    Bytes previous = sample();
    put_u64(previous, entry_at(1) + 64, 8192);  // inside init's 5000 bytes at 4096
    expect_refused(previous, ErrorCode::Malformed, "overlaps");
    Bytes same = sample();
    put_u64(same, entry_at(1) + 64, 4096);
    put_u64(same, entry_at(1) + 72, 0);
    expect_refused(same, ErrorCode::Malformed, "overlaps");
    Bytes descending = sample();  // the empty program moved before console: offsets go down
    put_u64(descending, entry_at(2) + 64, 8192);
    expect_refused(descending, ErrorCode::Malformed, "overlaps");
}

TEST(BootBundleReader, RefusesALayoutWithGapsBetweenPrograms) {
    // Moving the last (empty) program one page further, with a matching size, keeps every
    // other rule but leaves a page no one accounts for.
    Bytes bundle = sample();
    bundle.resize(bundle.size() + 4096, 0);
    put_u64(bundle, 16, bundle.size());
    put_u64(bundle, entry_at(2) + 64, 16384 + 4096);
    expect_refused(bundle, ErrorCode::Malformed, "not at the first 4096-byte boundary");
    Bytes first = make_bundle({{"a", bytes_of("x")}});
    first.resize(8192 + 1, 0);
    put_u64(first, 16, first.size());
    put_u64(first, entry_at(0) + 64, 8192);
    first[8192] = 'x';
    expect_refused(first, ErrorCode::Malformed, "not at the first 4096-byte boundary");
}

TEST(BootBundleReader, RefusesProgramsRunningPastTheEnd) {
    Bytes past = sample();
    put_u64(past, entry_at(2) + 72, 1);  // the empty program claims one byte past the end
    expect_refused(past, ErrorCode::Malformed, "runs past the bundle's end");
    Bytes wrapping = sample();
    put_u64(wrapping, entry_at(2) + 72, ~uint64_t(0) - 100);
    expect_refused(wrapping, ErrorCode::Malformed, "runs past the bundle's end");
    Bytes middle = sample();
    put_u64(middle, entry_at(1) + 72, 4097);  // console would end one byte past the declared size
    expect_refused(middle, ErrorCode::Malformed, "runs past the bundle's end");
}

TEST(BootBundleReader, RefusesNonZeroPadding) {
    Bytes after_table = sample();
    after_table[entry_at(3) + 1] = 1;  // between the table and the first program
    expect_refused(after_table, ErrorCode::Malformed, "padding");
    Bytes between = sample();
    between[4096 + 5000 + 10] = 1;  // after init's bytes, before console's page
    expect_refused(between, ErrorCode::Malformed, "padding");
}

TEST(BootBundleReader, RefusesADeclaredSizeThatDoesNotEndAtTheLastProgram) {
    Bytes longer = sample();
    longer.resize(longer.size() + 100, 0);
    put_u64(longer, 16, longer.size());
    expect_refused(longer, ErrorCode::Malformed, "does not end at the last program");
    Bytes empty = make_bundle({});
    empty.resize(64, 0);
    put_u64(empty, 16, 64);
    expect_refused(empty, ErrorCode::Malformed, "does not end at the last program");
}

// Every single-byte change to the header and table is refused, or still gives a bundle whose
// programs lie inside it; a change to program bytes is caught when that program is verified.
TEST(BootBundleReader, SurvivesEverySingleByteChange) {
    const Bytes original = sample();
    std::mt19937 random(5);
    for (size_t at = 0; at < original.size(); at += (at < 32 + 3 * 80 ? 1 : 1 + random() % 97)) {
        for (uint8_t flip : {0x01, 0x80}) {
            Bytes bundle = original;
            bundle[at] ^= flip;
            auto reader = Reader::open(span(bundle));
            if (reader.is_error()) continue;
            bool all_verified = true;
            for (size_t i = 0; i < reader.value().count(); ++i) {
                const auto entry = reader.value().entry(i);
                ASSERT_LE(entry.offset + entry.size, bundle.size());
                all_verified &= reader.value().verified_program(entry).is_ok();
            }
            // A change that leaves every program verifiable can only have renamed one (names
            // are not hashed; they are checked for the rules and for duplicates).
            const bool in_a_name = at >= entry_at(0) && at < entry_at(3) && (at - entry_at(0)) % 80 < 32;
            if (all_verified) EXPECT_TRUE(in_a_name) << "byte " << at;
        }
    }
}

}  // namespace
