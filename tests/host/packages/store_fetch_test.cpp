// The store and the fetch, in process: a builder store, a mirror held in memory that can be
// made to misbehave, and a receiving store. Every refusal leaves the receiving store's blobs/
// and releases/ exactly as they were; a good fetch verifies and installs everything.
#include "store_fixture.h"

namespace {

using namespace packages_test;

TEST_F(StoreAndFetch, BuildIsDeterministicChunkedAndStreamed) {
    const Sha256Digest first = build();
    packages::Store other(root + "/other");
    auto built = other.build(source);
    ASSERT_TRUE(built) << built.error();
    const packages::Manifest* again = &built->manifest;
    EXPECT_EQ(again->hash(), first);  // same directory, same package, in any store
    ASSERT_EQ(again->files.size(), 2u);
    EXPECT_EQ(again->files[0].path, "README");
    const auto& tool = again->files[1];
    EXPECT_EQ(tool.path, "bin/tool");
    EXPECT_EQ(tool.mode, 0644u);
    EXPECT_EQ(tool.chunks.size(), 3u);
    const std::string bytes = read(source + "/bin/tool");
    EXPECT_EQ(tool.content, identity::sha256({reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size()}));
    EXPECT_EQ(tool.chunks[2], identity::sha256({reinterpret_cast<const uint8_t*>(bytes.data()) + 2 * packages::kChunkSize, 12345}));
    EXPECT_TRUE(builder->verify().has_value());
}

TEST_F(StoreAndFetch, BuildDeduplicatesChunks) {
    write(source + "/copy", read(source + "/bin/tool"));
    build();
    size_t blobs = 0;
    for (const auto& entry : fs::recursive_directory_iterator(builder->root() + "/blobs")) blobs += entry.is_regular_file();
    EXPECT_EQ(blobs, 3u + 1 + 1);  // tool's three chunks once, README, the manifest
}

TEST_F(StoreAndFetch, GoodMirrorInstallsOnlyVerifiedBytes) {
    release("1.0.0", build(), machine);
    MemorySource mirror(builder->root());
    const auto result = packages::fetch_package(mirror, "demo", *receiver, policy);
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->bytes_fetched, 2 * packages::kChunkSize + 12345 + 6);
    EXPECT_TRUE(receiver->verify().has_value());
    EXPECT_EQ(snapshot(receiver->root()), snapshot(builder->root()));
    // Again: nothing to do.
    EXPECT_TRUE(packages::fetch_package(mirror, "demo", *receiver, policy).value().already_current);
}

TEST_F(StoreAndFetch, EveryTamperingIsRefusedAndTheStoreIsUnchanged) {
    const Sha256Digest manifest = build();
    release("1.0.0", manifest, machine);
    const std::string manifest_path = packages::Store::blob_relative_path(manifest);
    struct Case {
        const char* what;
        std::function<void(const std::string&, std::vector<uint8_t>&)> tamper;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"flipped chunk byte", [](const std::string& p, std::vector<uint8_t>& d) { if (p.starts_with("blobs/") && d.size() > 100 && !MemorySource::is_manifest(d)) d[d.size() / 2] ^= 1; }, "does not match its hash"},
        {"truncated chunk", [](const std::string& p, std::vector<uint8_t>& d) { if (p.starts_with("blobs/") && d.size() > 100 && !MemorySource::is_manifest(d)) d.resize(d.size() - 1); }, "expected"},
        {"longer chunk", [](const std::string& p, std::vector<uint8_t>& d) { if (p.starts_with("blobs/") && !MemorySource::is_manifest(d)) d.push_back(0); }, "more than the"},
        {"flipped manifest", [&](const std::string& p, std::vector<uint8_t>& d) { if (p == manifest_path) d.back() ^= 1; }, "manifest does not hash to its name"},
        {"flipped release", [](const std::string& p, std::vector<uint8_t>& d) { if (p.starts_with("releases/")) d[20] ^= 1; }, "forged or altered"},
        {"truncated release", [](const std::string& p, std::vector<uint8_t>& d) { if (p.starts_with("releases/")) d.pop_back(); }, "wrong length"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.what);
        MemorySource mirror(builder->root());
        mirror.tamper = c.tamper;
        expect_refused(mirror, c.expected);
    }
}

TEST_F(StoreAndFetch, ManifestClimbingOutOrAbsoluteIsRefused) {
    for (const auto& [bad, reason] : std::vector<std::pair<std::string, std::string>>{{"../../etc/passwd", "climbs out"},
                                                                                       {"/etc/passwd", "is absolute"}}) {
        SCOPED_TRACE(bad);
        packages::Manifest manifest;
        packages::FileEntry entry;
        entry.path = bad;
        entry.size = 0;
        entry.content = identity::sha256({});
        manifest.files.push_back(entry);
        const auto digest = builder->put_blob(manifest.encode());  // the encoder does not judge
        ASSERT_TRUE(digest) << digest.error();
        release("1.0.0", *digest, machine);
        MemorySource mirror(builder->root());
        expect_refused(mirror, reason);
        fs::remove_all(builder->root());
    }
}

TEST_F(StoreAndFetch, UnknownRevokedAndTrustedSigners) {
    const Sha256Digest manifest = build();
    release("1.0.0", manifest, stranger);
    MemorySource unknown(builder->root());
    expect_refused(unknown, "neither a fleet machine nor trusted");
    policy.trusted_keys.push_back(stranger.public_key());  // a key the Person chose to trust
    EXPECT_TRUE(packages::fetch_package(unknown, "demo", *receiver, policy).has_value());

    release("2.0.0", manifest, machine);
    ASSERT_TRUE(fleet->append_new(identity::StatementKind::Revocation, machine.public_key(), "lost", 1002, person));
    MemorySource revoked(builder->root());
    expect_refused(revoked, "which is revoked");
}

TEST_F(StoreAndFetch, RollbackAndTwoReleasesOfOneVersionAreRefused) {
    const Sha256Digest one = build();
    const auto old_release = release("1.0.0", one, machine);
    MemorySource old_mirror(builder->root());
    write(source + "/README", "version two\n");
    const Sha256Digest two = build();
    release("2.0.0", two, machine);
    MemorySource new_mirror(builder->root());
    ASSERT_TRUE(packages::fetch_package(new_mirror, "demo", *receiver, policy).has_value());
    expect_refused(old_mirror, "older than the accepted 2.0.0 (a rollback)");
    release("2.0.0", one, machine);  // the same version, another package
    MemorySource equivocating(builder->root());
    expect_refused(equivocating, "two releases of one version");
}

TEST_F(StoreAndFetch, ADamagedAcceptedReleaseRefusesInsteadOfForgetting) {
    release("2.0.0", build(), machine);
    MemorySource mirror(builder->root());
    ASSERT_TRUE(packages::fetch_package(mirror, "demo", *receiver, policy).has_value());
    write(receiver->root() + "/releases/demo", "garbage");
    expect_refused(mirror, "damaged");
    const auto collected = receiver->collect_garbage();
    ASSERT_FALSE(collected);  // nothing removed
    EXPECT_NE(collected.error().find("damaged"), std::string::npos) << collected.error();
    EXPECT_FALSE(receiver->verify().has_value());
}

TEST_F(StoreAndFetch, AnInterruptedFetchResumesFromVerifiedStagedChunks) {
    release("1.0.0", build(), machine);
    MemorySource failing(builder->root());
    failing.fail_after = 2;
    expect_refused(failing, "memory: no blobs/");
    // Two chunks wait verified in staging; damage one: a staged chunk is re-verified, not trusted.
    std::vector<fs::path> staged;
    for (const auto& entry : fs::directory_iterator(receiver->root() + "/staging")) staged.push_back(entry.path());
    ASSERT_EQ(staged.size(), 2u);
    std::string bytes = read(staged[0]);
    bytes[0] ^= 1;
    write(staged[0], bytes);
    MemorySource good(builder->root());
    const auto result = packages::fetch_package(good, "demo", *receiver, policy);
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->chunks_reused, 1u);
    EXPECT_EQ(good.chunk_requests, 3u);  // four chunks in all, one reused from staging
    EXPECT_TRUE(receiver->verify().has_value());
    EXPECT_TRUE(fs::is_empty(receiver->root() + "/staging"));
}

TEST_F(StoreAndFetch, DependenciesAreFetchedVerifiedAndKeptByGc) {
    write(root + "/library/lib.so", random_text(5000, 9));
    const Sha256Digest library = build({}, root + "/library");
    const Sha256Digest program = build({library});
    release("1.0.0", program, machine);
    MemorySource mirror(builder->root());
    const auto result = packages::fetch_package(mirror, "demo", *receiver, policy);
    ASSERT_TRUE(result.has_value()) << error_of(result);
    EXPECT_EQ(result->manifests, 2u);
    EXPECT_TRUE(receiver->has_blob(library));
    EXPECT_TRUE(receiver->verify().has_value());
    const auto collected = receiver->collect_garbage();
    ASSERT_TRUE(collected) << collected.error();
    EXPECT_EQ(*collected, 0u);
    EXPECT_TRUE(receiver->verify().has_value());
    // A dependency the mirror lacks is refused, and nothing lands.
    packages::Store third(root + "/third");
    MemorySource partial(builder->root());
    partial.files.erase(packages::Store::blob_relative_path(library));
    const auto before = snapshot(third.root());
    EXPECT_FALSE(packages::fetch_package(partial, "demo", third, policy).has_value());
    EXPECT_EQ(snapshot(third.root()), before);
}

TEST_F(StoreAndFetch, VerifyFindsDamageAndGcRemovesOnlyTheUnreferenced) {
    const Sha256Digest one = build();
    write(source + "/README", "version two\n");
    release("2.0.0", build(), machine);
    (void)one;
    const auto collected = builder->collect_garbage();
    ASSERT_TRUE(collected) << collected.error();
    EXPECT_EQ(*collected, 2u);  // v1's manifest and README
    EXPECT_TRUE(builder->verify().has_value());
    // Flip one byte of one chunk on disk.
    for (const auto& entry : fs::recursive_directory_iterator(builder->root() + "/blobs")) {
        if (!entry.is_regular_file() || fs::file_size(entry.path()) != packages::kChunkSize) continue;
        std::string bytes = read(entry.path());
        bytes[7] ^= 1;
        write(entry.path(), bytes);
        break;
    }
    const auto verified = builder->verify();
    ASSERT_FALSE(verified);
    const auto& problems = verified.error();
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("bin/tool"), std::string::npos) << problems[0];
}

TEST_F(StoreAndFetch, OneProcessAtATimeChangesAStore) {
    release("1.0.0", build(), machine);
    MemorySource mirror(builder->root());
    // Another process holds the receiver's lock (a second descriptor: flock is per open file).
    packages::Store other(receiver->root());
    auto locked = other.lock();
    ASSERT_TRUE(locked) << locked.error();
    std::optional<packages::StoreLock> held(std::move(*locked));
    expect_refused(mirror, "busy");
    const auto built = receiver->build(source);
    ASSERT_FALSE(built);
    EXPECT_NE(built.error().find("busy"), std::string::npos) << built.error();
    const auto collected = receiver->collect_garbage();
    ASSERT_FALSE(collected);
    EXPECT_NE(collected.error().find("busy"), std::string::npos) << collected.error();
    held.reset();  // the other process is done
    EXPECT_TRUE(packages::fetch_package(mirror, "demo", *receiver, policy).has_value());
}

}  // namespace
