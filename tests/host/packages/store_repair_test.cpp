// A store repairs itself from any source: a chunk or manifest that is missing or corrupt on our
// own disk is fetched again (also when the release is already here), never reused by a new
// version or a new build; and a fetch checks each file's whole hash, not only its chunks.
#include "store_fixture.h"

namespace {

using namespace packages_test;

class StoreRepair : public StoreAndFetch {
protected:
    // The path of one full 1 MiB chunk of bin/tool in `store`.
    static fs::path some_chunk(const packages::Store& store) {
        for (const auto& entry : fs::recursive_directory_iterator(store.root() + "/blobs"))
            if (entry.is_regular_file() && fs::file_size(entry.path()) == packages::kChunkSize) return entry.path();
        ADD_FAILURE() << "no full chunk in " << store.root();
        return {};
    }
    static void flip_a_byte(const fs::path& path) {
        std::string bytes = read(path);
        bytes[bytes.size() / 3] ^= 0x10;
        write(path, bytes);
    }
    files::Expected<packages::Fetched> fetch() {
        MemorySource mirror(builder->root());
        return packages::fetch_package(mirror, "demo", *receiver, policy);
    }
};

TEST_F(StoreRepair, ACorruptChunkIsFetchedAgainEvenWhenTheReleaseIsAlreadyHere) {
    release("1.0.0", build(), machine);
    ASSERT_TRUE(fetch().has_value());
    flip_a_byte(some_chunk(*receiver));
    ASSERT_FALSE(receiver->verify().has_value());
    const auto result = fetch();
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_TRUE(result->already_current);
    EXPECT_EQ(result->chunks_repaired, 1u);
    EXPECT_TRUE(receiver->verify().has_value());
    EXPECT_EQ(snapshot(receiver->root()), snapshot(builder->root()));
}

TEST_F(StoreRepair, ADeletedChunkIsFetchedAgain) {
    release("1.0.0", build(), machine);
    ASSERT_TRUE(fetch().has_value());
    fs::remove(some_chunk(*receiver));
    const auto result = fetch();
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->chunks_repaired, 1u);
    EXPECT_EQ(result->bytes_fetched, packages::kChunkSize);
    EXPECT_TRUE(receiver->verify().has_value());
}

TEST_F(StoreRepair, ACorruptManifestIsFetchedAgain) {
    const Sha256Digest manifest = build();
    release("1.0.0", manifest, machine);
    ASSERT_TRUE(fetch().has_value());
    flip_a_byte(receiver->blob_path(manifest));
    const auto result = fetch();
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->manifests_repaired, 1u);
    EXPECT_TRUE(receiver->verify().has_value());
}

TEST_F(StoreRepair, ANewVersionDoesNotReuseACorruptChunk) {
    release("1.0.0", build(), machine);
    ASSERT_TRUE(fetch().has_value());
    flip_a_byte(some_chunk(*receiver));
    write(source + "/README", "version two\n");  // bin/tool, and its chunks, unchanged
    release("2.0.0", build(), machine);
    const auto result = fetch();
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->chunks_repaired, 1u);
    EXPECT_EQ(result->bytes_fetched, packages::kChunkSize + 12);
    EXPECT_TRUE(receiver->verify().has_value());
}

TEST_F(StoreRepair, ABuildDoesNotReuseACorruptChunk) {
    build();
    flip_a_byte(some_chunk(*builder));
    write(source + "/README", "version two\n");
    release("2.0.0", build(), machine);
    EXPECT_TRUE(builder->verify().has_value());
}

TEST_F(StoreRepair, AManifestWhoseWholeFileHashDisagreesWithItsChunksIsRefused) {
    auto built = builder->build(source);
    ASSERT_TRUE(built) << built.error();
    auto* manifest = &built->manifest;
    manifest->files[1].content.bytes[0] ^= 1;  // bin/tool: every chunk right, the whole wrong
    auto digest = builder->put_blob(manifest->encode());
    ASSERT_TRUE(digest) << digest.error();
    release("1.0.0", *digest, machine);
    MemorySource mirror(builder->root());
    expect_refused(mirror, "bin/tool: the whole file does not match its hash");
    // An empty file must carry the hash of nothing.
    manifest->files[1].content.bytes[0] ^= 1;
    manifest->files[0].size = 0;
    manifest->files[0].chunks.clear();
    digest = builder->put_blob(manifest->encode());
    ASSERT_TRUE(digest) << digest.error();
    release("1.0.1", *digest, machine);
    MemorySource empty(builder->root());
    expect_refused(empty, "README: an empty file whose whole-file hash is not that of nothing");
}

}  // namespace
