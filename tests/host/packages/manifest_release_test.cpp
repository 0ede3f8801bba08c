// Package formats: manifests and releases have one encoding each, and every malformed one —
// a path with "..", an absolute path, unsorted or repeated entries, trailing bytes, a forged
// signature — is refused with a reason.
#include <gtest/gtest.h>

#include "packages/manifest.h"
#include "packages/release.h"

namespace {

using packages::Manifest;

Manifest sample() {
    Manifest m;
    packages::FileEntry a;
    a.path = "bin/tool";
    a.mode = 0755;
    a.size = packages::kChunkSize + 10;
    a.chunks.resize(2);
    a.chunks[1].bytes[0] = 1;
    packages::FileEntry b;
    b.path = "readme";
    b.size = 0;
    m.files = {a, b};
    return m;
}

TEST(Manifest, RoundTripsToTheSameBytes) {
    const auto bytes = sample().encode();
    auto parsed = packages::decode_manifest(bytes);
    ASSERT_TRUE(parsed) << parsed.error();
    EXPECT_EQ(parsed->encode(), bytes);
    EXPECT_EQ(parsed->files[0].chunks.size(), 2u);
}

// The vectors of docs/packages.md, computed independently by manifest_vectors.py (Python,
// hashlib), which also checks that the document holds them.
packages::FileEntry entry_for(const std::string& path, uint32_t mode, const std::string& content) {
    packages::FileEntry file;
    file.path = path;
    file.mode = mode;
    file.size = content.size();
    const auto* bytes = reinterpret_cast<const uint8_t*>(content.data());
    file.content = identity::sha256({bytes, content.size()});
    for (uint64_t i = 0; i < packages::chunk_count(file.size); ++i)
        file.chunks.push_back(identity::sha256({bytes + i * packages::kChunkSize, packages::chunk_length(file.size, i)}));
    return file;
}

TEST(Manifest, MatchesTheIndependentlyComputedVectorsInTheDocs) {
    Manifest one;
    one.files = {entry_for("a.txt", 0644, "hello\n")};
    EXPECT_EQ(identity::to_hex(one.encode()),
              "5658504d01000000000000010005612e747874000001a40000000000000006"
              "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
              "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be0300000000");
    EXPECT_EQ(packages::hex(one.hash()), "07f9220508bd58c854af308372342ab08f7a1c2095b7e98f729490280ccc1104");

    std::string tool(packages::kChunkSize + 1, '\0');
    for (size_t i = 0; i < tool.size(); ++i) tool[i] = static_cast<char>((i * 31 + 7) % 256);
    Manifest two;
    two.files = {entry_for("bin/tool", 0750, tool), entry_for("docs/caf\xc3\xa9.txt", 0600, "x")};
    two.dependencies = {one.hash()};
    EXPECT_EQ(identity::to_hex(two.encode()),
              "5658504d0100000000000002000862696e2f746f6f6c000001e800000000001000010d09f3eabb5c78e5d435c41e3b3755f1c4d038657f739d0be008"
              "3c24e71235df06b7bbfb7824aa03382051691630eb26de85102d1b08a81e907ec0744cd8a286ca358758f6d27e6cf45272937977a748fd88391db679"
              "ceda7dc7bf1f005ee879000e646f63732f636166c3a92e7478740000018000000000000000012d711642b726b04401627ca9fbac32f5c8530fb1903c"
              "c4db02258717921a48812d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a48810000000107f9220508bd58c854af30837234"
              "2ab08f7a1c2095b7e98f729490280ccc1104");
    EXPECT_EQ(packages::hex(two.hash()), "c90771aa5dbab18b39c9d58eb00f405d74d4624a7966fd5a6915b3fccec50304");
    EXPECT_TRUE(packages::decode_manifest(two.encode()).has_value());
}

TEST(Manifest, PathsThatClimbOutOrAreAbsoluteAreRefused) {
    for (const char* bad : {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./a", "a/.", ""}) {
        Manifest m = sample();
        m.files[1].path = bad;
        auto parsed = packages::decode_manifest(m.encode());
        EXPECT_FALSE(parsed) << bad;
        EXPECT_FALSE(packages::valid_package_path(bad)) << bad;
    }
    EXPECT_TRUE(packages::valid_package_path("a/b..c/d"));
}

TEST(Manifest, PathErrorsNameTheRealReason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"../etc/passwd", "has a '..' component"},
        {"/etc/passwd", "is absolute"},
        {"a//b", "has an empty component"},
        {"line\nbreak", "contains a control character"},
        {"tab\there", "contains a control character"},
        {"back\\slash", "contains a backslash"},
        {"bad\xff", "is not valid UTF-8"},
        {"overlong\xc0\xaf", "is not valid UTF-8"},
        {"surrogate\xed\xa0\x80", "is not valid UTF-8"},
        {"cut\xe2\x82", "is not valid UTF-8"},
        {std::string(5000, 'a'), "longer than 4096"},
    };
    for (const auto& [path, reason] : cases) {
        Manifest m = sample();
        m.files[1].path = path;
        const auto parsed = packages::decode_manifest(m.encode());
        ASSERT_FALSE(parsed) << path;
        EXPECT_NE(parsed.error().find(reason), std::string::npos) << parsed.error();
        EXPECT_LT(parsed.error().size(), 200u) << "echoes the input: " << parsed.error().size() << " bytes";
    }
    EXPECT_TRUE(packages::valid_package_path("caf\xc3\xa9/\xf0\x9f\x93\xa6"));  // UTF-8 is welcome
    EXPECT_EQ(packages::quoted_for_error("a\nb"), "'a\\x0ab'");
}

TEST(Manifest, AFileCannotAlsoBeADirectory) {
    for (const auto& [file, inner] : std::vector<std::pair<std::string, std::string>>{{"a", "a/b"}, {"a/b", "a/b/c/d"}}) {
        Manifest m;
        packages::FileEntry outer_entry, inner_entry, between;
        outer_entry.path = file;
        inner_entry.path = inner;
        between.path = file + "-x";  // sorts between "a" and "a/b": the check is not by neighbours
        outer_entry.content = inner_entry.content = between.content = identity::sha256({});
        m.files = {outer_entry, between, inner_entry};
        const auto parsed = packages::decode_manifest(m.encode());
        ASSERT_FALSE(parsed) << file;
        EXPECT_NE(parsed.error().find("'" + file + "' is a file, so it cannot also be a directory"), std::string::npos) << parsed.error();
    }
}

TEST(Manifest, ChunkCountsDoNotWrapNearTwoToTheSixtyFour) {
    EXPECT_EQ(packages::chunk_count(0), 0u);
    EXPECT_EQ(packages::chunk_count(1), 1u);
    EXPECT_EQ(packages::chunk_count(packages::kChunkSize), 1u);
    EXPECT_EQ(packages::chunk_count(packages::kChunkSize + 1), 2u);
    EXPECT_EQ(packages::chunk_count(UINT64_MAX), uint64_t(1) << 44);
    EXPECT_EQ(packages::chunk_count(UINT64_MAX - packages::kChunkSize + 2), uint64_t(1) << 44);
    EXPECT_EQ(packages::chunk_length(UINT64_MAX, (uint64_t(1) << 44) - 1), packages::kChunkSize - 1);
    EXPECT_EQ(packages::chunk_length(UINT64_MAX, uint64_t(1) << 44), 0u);
    EXPECT_EQ(packages::chunk_length(10, UINT64_MAX), 0u);
    // A manifest claiming a file near 2^64 bytes with no chunks is refused (it was accepted
    // when the count wrapped to 0), and so is anything above the 1 TiB cap.
    Manifest m = sample();
    m.files[1].size = UINT64_MAX;
    EXPECT_FALSE(packages::decode_manifest(m.encode()).has_value());
    m.files[1].size = packages::kMaxFileSize + 1;
    EXPECT_NE(packages::decode_manifest(m.encode()).error().find("more than a file may hold"), std::string::npos);
}

TEST(Manifest, UnsortedRepeatedTruncatedAndTrailingAreRefused) {
    Manifest unsorted = sample();
    std::swap(unsorted.files[0], unsorted.files[1]);
    EXPECT_NE(packages::decode_manifest(unsorted.encode()).error().find("not sorted"), std::string::npos);
    Manifest repeated = sample();
    repeated.files[1].path = repeated.files[0].path;
    EXPECT_FALSE(packages::decode_manifest(repeated.encode()).has_value());
    auto bytes = sample().encode();
    bytes.push_back(0);
    EXPECT_NE(packages::decode_manifest(bytes).error().find("trailing"), std::string::npos);
    bytes = sample().encode();
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
        std::vector<uint8_t> shorter(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_FALSE(packages::decode_manifest(shorter)) << cut;
    }
}

TEST(Release, SignedReleasesVerifyAndAnyChangeIsRefused) {
    ASSERT_TRUE(identity::crypto_init());
    std::vector<uint8_t> seed(32, 7);
    const auto machine = identity::SigningKey::from_seed(seed);
    packages::Release release;
    release.name = "demo";
    release.version = *packages::Version::parse("1.2.3");
    release.manifest = sample().hash();
    release.time = 1700000000;
    packages::sign_release(release, machine);
    const auto bytes = release.encode();
    ASSERT_TRUE(packages::decode_release(bytes).has_value());
    for (size_t i = 0; i < bytes.size(); ++i) {
        auto changed = bytes;
        changed[i] ^= 1;
        EXPECT_FALSE(packages::decode_release(changed).has_value()) << "byte " << i;
    }
}

TEST(Release, VersionsOrderNumerically) {
    EXPECT_LT(*packages::Version::parse("1.9.0"), *packages::Version::parse("1.10.0"));
    EXPECT_FALSE(packages::Version::parse("1.2"));
    EXPECT_FALSE(packages::Version::parse("1.2.3.4"));
    EXPECT_FALSE(packages::Version::parse("a.b.c"));
    EXPECT_EQ(packages::Version::parse("0.0.7")->text(), "0.0.7");
}

}  // namespace
