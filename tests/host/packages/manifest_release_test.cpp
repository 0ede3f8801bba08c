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
    ASSERT_TRUE(parsed.manifest) << parsed.error;
    EXPECT_EQ(parsed.manifest->encode(), bytes);
    EXPECT_EQ(parsed.manifest->files[0].chunks.size(), 2u);
}

TEST(Manifest, MatchesTheVectorInTheDocs) {
    const std::string hello = "hello\n";
    packages::FileEntry file;
    file.path = "a.txt";
    file.size = hello.size();
    file.content = identity::sha256({reinterpret_cast<const uint8_t*>(hello.data()), hello.size()});
    file.chunks = {file.content};
    Manifest manifest;
    manifest.files = {file};
    EXPECT_EQ(identity::to_hex(manifest.encode()),
              "5658504d01000000000000010005612e747874000001a40000000000000006"
              "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
              "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be0300000000");
    EXPECT_EQ(packages::hex(manifest.hash()), "07f9220508bd58c854af308372342ab08f7a1c2095b7e98f729490280ccc1104");
}

TEST(Manifest, PathsThatClimbOutOrAreAbsoluteAreRefused) {
    for (const char* bad : {"../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "./a", "a/.", ""}) {
        Manifest m = sample();
        m.files[1].path = bad;
        auto parsed = packages::decode_manifest(m.encode());
        EXPECT_FALSE(parsed.manifest) << bad;
        EXPECT_FALSE(packages::valid_package_path(bad)) << bad;
    }
    EXPECT_TRUE(packages::valid_package_path("a/b..c/d"));
}

TEST(Manifest, UnsortedRepeatedTruncatedAndTrailingAreRefused) {
    Manifest unsorted = sample();
    std::swap(unsorted.files[0], unsorted.files[1]);
    EXPECT_NE(packages::decode_manifest(unsorted.encode()).error.find("not sorted"), std::string::npos);
    Manifest repeated = sample();
    repeated.files[1].path = repeated.files[0].path;
    EXPECT_FALSE(packages::decode_manifest(repeated.encode()).manifest);
    auto bytes = sample().encode();
    bytes.push_back(0);
    EXPECT_NE(packages::decode_manifest(bytes).error.find("trailing"), std::string::npos);
    bytes = sample().encode();
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
        std::vector<uint8_t> shorter(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
        EXPECT_FALSE(packages::decode_manifest(shorter).manifest) << cut;
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
    ASSERT_TRUE(packages::decode_release(bytes).release);
    for (size_t i = 0; i < bytes.size(); ++i) {
        auto changed = bytes;
        changed[i] ^= 1;
        EXPECT_FALSE(packages::decode_release(changed).release) << "byte " << i;
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
