// The fixture the store and fetch tests share: a builder store, a mirror held in memory that can
// be made to misbehave, a receiving store, and a fleet with one enrolled machine.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>

#include "identity/machine_key.h"
#include "packages/fetch.h"

namespace packages_test {

namespace fs = std::filesystem;
using packages::Sha256Digest;

inline std::string temporary_directory() {
    std::string pattern = (fs::temp_directory_path() / "vectra-packages-XXXXXX").string();
    EXPECT_NE(mkdtemp(pattern.data()), nullptr);
    return pattern;
}

inline void write(const fs::path& path, const std::string& bytes) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << bytes;
}

inline std::string read(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

inline std::string random_text(size_t size, uint8_t seed) {
    std::string text(size, '\0');
    uint64_t state = 0x9e3779b97f4a7c15ull * (seed + 1);  // xorshift: no chunk repeats another
    for (char& c : text) {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        c = static_cast<char>(state >> 56);
    }
    return text;
}

// Names and contents of everything under blobs/ and releases/.
inline std::map<std::string, std::string> snapshot(const std::string& store) {
    std::map<std::string, std::string> state;
    for (const char* part : {"blobs", "releases"}) {
        if (!fs::exists(fs::path(store) / part)) continue;
        for (const auto& entry : fs::recursive_directory_iterator(fs::path(store) / part))
            if (entry.is_regular_file()) state[fs::relative(entry.path(), store).string()] = read(entry.path());
    }
    return state;
}

// A mirror in memory: the files of a store, with a hook that may change what is served.
// A fetch's refusal, or a note that it was accepted (never the error of a success).
inline std::string error_of(const files::Expected<packages::Fetched>& result) {
    return result ? std::string("(accepted, no error)") : result.error();
}

class MemorySource final : public packages::Source {
public:
    explicit MemorySource(const std::string& store) {
        for (const auto& entry : fs::recursive_directory_iterator(store))
            if (entry.is_regular_file()) {
                const std::string bytes = read(entry.path());
                files[fs::relative(entry.path(), store).string()] = std::vector<uint8_t>(bytes.begin(), bytes.end());
            }
    }
    std::expected<void, packages::SourceFailure> get_into(const std::string& path, size_t limit, std::vector<uint8_t>& data) override {
        ++requests;
        const auto file = files.find(path);
        if (file == files.end() || (fail_after && chunk_requests >= *fail_after && path.starts_with("blobs/") && file->second.size() <= (1 << 20) && !is_manifest(file->second)))
            return std::unexpected(packages::SourceFailure{"memory: no " + path, true});
        data = file->second;
        if (path.starts_with("blobs/") && !is_manifest(data)) ++chunk_requests;
        if (tamper) tamper(path, data);
        if (data.size() > limit)
            return std::unexpected(packages::SourceFailure{"memory: " + path + ": more than the " + std::to_string(limit) + " bytes expected"});
        return {};
    }
    std::string describe() const override { return "memory"; }
    static bool is_manifest(const std::vector<uint8_t>& bytes) { return bytes.size() >= 4 && std::equal(bytes.begin(), bytes.begin() + 4, "VXPM"); }

    std::map<std::string, std::vector<uint8_t>> files;
    std::function<void(const std::string&, std::vector<uint8_t>&)> tamper;
    std::optional<size_t> fail_after;
    size_t requests = 0, chunk_requests = 0;
};

class StoreAndFetch : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_TRUE(identity::crypto_init());
        root = temporary_directory();
        builder = std::make_unique<packages::Store>(root + "/builder");
        receiver = std::make_unique<packages::Store>(root + "/receiver");
        fleet.emplace(identity::FleetLog::create(person, 1000));
        ASSERT_TRUE(fleet->append_new(identity::StatementKind::MachineCertificate, machine.public_key(), "builder", 1001, person));
        policy.fleet = &*fleet;
        source = root + "/source";
        write(source + "/README", "hello\n");
        write(source + "/bin/tool", random_text(2 * packages::kChunkSize + 12345, 1));
    }
    void TearDown() override { fs::remove_all(root); }

    Sha256Digest build(const std::vector<Sha256Digest>& dependencies = {}, const std::string& directory = "") {
        auto built = builder->build(directory.empty() ? source : directory, dependencies);
        EXPECT_TRUE(built) << built.error();
        return built ? built->manifest.hash() : Sha256Digest{};
    }
    packages::Release release(const std::string& version, const Sha256Digest& manifest, const identity::SigningKey& key) {
        packages::Release r;
        r.name = "demo";
        r.version = *packages::Version::parse(version);
        r.manifest = manifest;
        r.time = 2000;
        packages::sign_release(r, key);
        const auto recorded = builder->put_release(r);
        EXPECT_TRUE(recorded) << recorded.error();
        return r;
    }
    // Fetches from `mirror` and expects a refusal mentioning `expected`, the store unchanged.
    void expect_refused(MemorySource& mirror, const std::string& expected) {
        const auto before = snapshot(receiver->root());
        const auto result = packages::fetch_package(mirror, "demo", *receiver, policy);
        EXPECT_FALSE(result.has_value());
        EXPECT_NE(error_of(result).find(expected), std::string::npos) << "got: " << error_of(result);
        EXPECT_EQ(snapshot(receiver->root()), before) << "refused fetch changed the store: " << expected;
    }

    static identity::SigningKey key(uint8_t fill) {
        EXPECT_TRUE(identity::crypto_init());  // keys live in libsodium's guarded memory
        std::vector<uint8_t> seed(32, fill);
        return identity::SigningKey::from_seed(seed);
    }
    identity::SigningKey person = key(1), machine = key(2), stranger = key(3);
    std::string root, source;
    std::unique_ptr<packages::Store> builder, receiver;
    std::optional<identity::FleetLog> fleet;
    packages::FetchPolicy policy;
};

}  // namespace packages_test
