// Disk images: the ustar index finds each member where GNU tar put it, and refuses a damaged
// header, a truncated image and a non-tar file, each with the byte offset where it failed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "packages/tar_image.h"

namespace {

namespace fs = std::filesystem;

files::Expected<packages::TarIndex> index_of(const std::string& bytes) {
    return packages::index_tar(bytes.size(), [&](uint64_t offset, uint8_t* out) {
        if (offset + packages::kTarBlock > bytes.size()) return false;
        std::memcpy(out, bytes.data() + offset, packages::kTarBlock);
        return true;
    });
}

class TarImage : public ::testing::Test {
protected:
    void SetUp() override {
        std::string pattern = (fs::temp_directory_path() / "vectra-tar-XXXXXX").string();
        ASSERT_NE(mkdtemp(pattern.data()), nullptr);
        root = pattern;
        fs::create_directories(root / "mirror/blobs/ab");
        fs::create_directories(root / "mirror/releases");
        std::ofstream(root / "mirror/blobs/ab/cdef", std::ios::binary) << std::string(1000, 'x');
        std::ofstream(root / "mirror/releases/demo", std::ios::binary) << "release";
        const std::string command = "tar --format=ustar -C '" + (root / "mirror").string() + "' -cf '" + (root / "image.tar").string() + "' .";
        ASSERT_EQ(std::system(command.c_str()), 0);
        std::ifstream in(root / "image.tar", std::ios::binary);
        image.assign(std::istreambuf_iterator<char>(in), {});
    }
    void TearDown() override { fs::remove_all(root); }
    fs::path root;
    std::string image;
};

TEST_F(TarImage, IndexesEveryRegularMemberAtItsOffset) {
    const auto index = index_of(image);
    ASSERT_TRUE(index) << index.error();
    ASSERT_EQ(index->size(), 2u);
    const auto& blob = index->at("blobs/ab/cdef");
    EXPECT_EQ(blob.size, 1000u);
    EXPECT_EQ(image.substr(blob.offset, blob.size), std::string(1000, 'x'));
    const auto& release = index->at("releases/demo");
    EXPECT_EQ(image.substr(release.offset, release.size), "release");
}

TEST_F(TarImage, DamagedTruncatedAndForeignImagesAreRefused) {
    std::string damaged = image;
    damaged[600] ^= 1;  // inside the second header: its checksum no longer matches
    ASSERT_FALSE(index_of(damaged));
    EXPECT_NE(index_of(damaged).error().find("checksum"), std::string::npos) << index_of(damaged).error();
    for (size_t cut : {size_t(700), size_t(1536), size_t(2500)}) {  // in a header, between members, in data
        const auto index = index_of(image.substr(0, cut));
        ASSERT_FALSE(index) << cut;  // a refusal indexes nothing
        EXPECT_NE(index.error().find("truncated"), std::string::npos) << cut << ": " << index.error();
    }
    ASSERT_FALSE(index_of(std::string(2048, 'z')));
    EXPECT_NE(index_of(std::string(2048, 'z')).error().find("not a ustar header"), std::string::npos);
}

}  // namespace
