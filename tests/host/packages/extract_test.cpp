// pkg extract writes a package into a new directory, verified, with its modes, or nothing at
// all: a corrupt chunk, or a directory that already exists, leaves no trace.
#include <sys/stat.h>

#include "packages/extract.h"
#include "store_fixture.h"

namespace {

using namespace packages_test;

class Extract : public StoreAndFetch {};

TEST_F(Extract, WritesEveryFileVerifiedWithItsMode) {
    fs::permissions(source + "/README", fs::perms(0600));
    fs::permissions(source + "/bin/tool", fs::perms(0755));
    const auto built = builder->build(source);
    ASSERT_TRUE(built) << built.error();
    const std::string out = root + "/out";
    const auto extracted = packages::extract_package(*builder, built->manifest, out);
    ASSERT_TRUE(extracted) << extracted.error();
    EXPECT_EQ(extracted->files, 2u);
    EXPECT_EQ(read(out + "/README"), read(source + "/README"));
    EXPECT_EQ(read(out + "/bin/tool"), read(source + "/bin/tool"));
    struct stat st{};
    ASSERT_EQ(stat((out + "/README").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    ASSERT_EQ(stat((out + "/bin/tool").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0700, 0700u);
    // Never into an existing directory.
    const auto again = packages::extract_package(*builder, built->manifest, out);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().find("already exists"), std::string::npos) << again.error();
}

TEST_F(Extract, ACorruptChunkLeavesNothingBehind) {
    const auto built = builder->build(source);
    ASSERT_TRUE(built) << built.error();
    const std::string chunk = builder->blob_path(built->manifest.files[1].chunks[1]);
    std::string bytes = read(chunk);
    bytes[5] ^= 1;
    write(chunk, bytes);
    const auto extracted = packages::extract_package(*builder, built->manifest, root + "/out");
    ASSERT_FALSE(extracted);
    EXPECT_NE(extracted.error().find("corrupt"), std::string::npos) << extracted.error();
    for (const auto& entry : fs::directory_iterator(root)) EXPECT_EQ(entry.path().filename().string().find("out"), std::string::npos) << entry.path();
}

}  // namespace
