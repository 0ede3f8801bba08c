// pkg build reads a directory an attacker may share: no symlink is ever followed (not even one
// swapped in after the walk), symlinks and special files are listed as not packaged instead of
// failing the build, modes are kept (0600 stays 0600), and a machine key is never packaged.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "packages/beneath.h"
#include "store_fixture.h"

namespace {

using namespace packages_test;

class Build : public StoreAndFetch {
protected:
    size_t blob_count() const {
        size_t blobs = 0;
        if (fs::exists(builder->root() + "/blobs"))
            for (const auto& entry : fs::recursive_directory_iterator(builder->root() + "/blobs")) blobs += entry.is_regular_file();
        return blobs;
    }
};

TEST_F(Build, SymlinksAndFifosAreListedAsNotPackagedAndNeverFollowed) {
    write(root + "/secret", "SECRET");
    fs::create_symlink(root + "/secret", source + "/link");
    fs::create_directories(root + "/elsewhere");
    write(root + "/elsewhere/inner", "SECRET");
    fs::create_directory_symlink(root + "/elsewhere", source + "/linked-dir");
    ASSERT_EQ(mkfifo((source + "/pipe").c_str(), 0644), 0);
    auto built = builder->build(source);
    ASSERT_TRUE(built) << built.error();
    ASSERT_EQ(built->skipped.size(), 3u);
    EXPECT_EQ(built->skipped[0], "'link' -> '" + root + "/secret' (a symlink)");
    EXPECT_NE(built->skipped[1].find("'linked-dir' ->"), std::string::npos) << built->skipped[1];
    EXPECT_EQ(built->skipped[2], "'pipe' (a FIFO)");
    ASSERT_EQ(built->manifest.files.size(), 2u);  // README and bin/tool only
}

TEST_F(Build, AFileSwappedForASymlinkAfterTheWalkIsNotFollowed) {
    write(root + "/secret", "SECRET");
    builder->before_open_for_test = [&](const std::string& path) {
        if (path != "README") return;
        fs::remove(source + "/README");
        fs::create_symlink(root + "/secret", source + "/README");
    };
    const size_t before = blob_count();
    const auto built = builder->build(source);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("'README': it became a symlink during the build"), std::string::npos) << built.error();
    EXPECT_EQ(blob_count(), before);
    // The same through a directory on the path.
    builder->before_open_for_test = [&](const std::string& path) {
        if (path != "bin/tool") return;
        fs::rename(source + "/bin", source + "/bin.old");
        fs::create_directory_symlink(root, source + "/bin");
    };
    write(root + "/tool", "SECRET");
    EXPECT_FALSE(builder->build(source));
}

TEST_F(Build, OpeningBeneathADirectoryNeverFollowsALink) {
    write(root + "/secret", "SECRET");
    fs::create_symlink(root + "/secret", source + "/link");
    fs::create_directory_symlink(root, source + "/up");
    const int directory = open(source.c_str(), O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(packages::open_file_beneath(directory, "link"), -1);
    EXPECT_EQ(errno, ELOOP);
    EXPECT_EQ(packages::open_file_beneath(directory, "up/secret"), -1);
    EXPECT_EQ(packages::open_file_beneath(directory, "bin"), -1);  // a directory is not a file
    const int fd = packages::open_file_beneath(directory, "bin/tool");
    EXPECT_GE(fd, 0);
    close(fd);
    close(directory);
}

TEST_F(Build, ModesAreKeptAndTravel) {
    fs::permissions(source + "/README", fs::perms::owner_read | fs::perms::owner_write);
    fs::permissions(source + "/bin/tool", fs::perms(0750));
    const auto built = builder->build(source);
    ASSERT_TRUE(built) << built.error();
    EXPECT_EQ(built->manifest.files[0].mode, 0600u);  // README
    EXPECT_EQ(built->manifest.files[1].mode, 0750u);  // bin/tool
    const auto decoded = packages::decode_manifest(built->manifest.encode());
    ASSERT_TRUE(decoded) << decoded.error();
    EXPECT_EQ(decoded->files[0].mode, 0600u);
    packages::Manifest setuid = built->manifest;
    setuid.files[0].mode = 04755;
    EXPECT_NE(packages::decode_manifest(setuid.encode()).error().find("beyond the permissions"), std::string::npos);
}

TEST_F(Build, AMachineKeyIsNeverPackaged) {
    write(source + "/etc/machine.key", "anything");
    const size_t before = blob_count();
    auto built = builder->build(source);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("'etc/machine.key' is named like a machine key"), std::string::npos) << built.error();
    fs::remove(source + "/etc/machine.key");
    // Under another name, recognised by its content ("VXMK", version 1, 72 bytes).
    std::string key = std::string("VXMK\1\0\0\0", 8) + std::string(64, 'k');
    write(source + "/backup.bin", key);
    built = builder->build(source);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("'backup.bin' is a machine key"), std::string::npos) << built.error();
    EXPECT_EQ(blob_count(), before);
}

TEST_F(Build, BuildingTheFolderOfTheFirstDocVectorGivesItsPackage) {
    const std::string folder = root + "/vector";
    write(folder + "/a.txt", "hello\n");
    fs::permissions(folder + "/a.txt", fs::perms(0644));
    const auto built = builder->build(folder);
    ASSERT_TRUE(built) << built.error();
    EXPECT_EQ(packages::hex(built->manifest.hash()), "07f9220508bd58c854af308372342ab08f7a1c2095b7e98f729490280ccc1104");
}

}  // namespace

