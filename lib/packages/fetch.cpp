#include "packages/fetch.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>

#include "identity/machine_key.h"

namespace packages {
namespace {

class DirectorySource final : public Source {
public:
    explicit DirectorySource(std::string root) : root_(std::move(root)) {}
    bool get(const std::string& path, size_t limit, std::vector<uint8_t>& data, std::string& error) override {
        return identity::read_file(root_ + "/" + path, data, error, limit);
    }
    std::string describe() const override { return root_; }

private:
    std::string root_;
};

class HttpSource final : public Source {
public:
    HttpSource(std::string origin, std::string base, int timeout_seconds)
        : origin_(std::move(origin)), base_(std::move(base)), client_(origin_) {
        client_.set_connection_timeout(timeout_seconds, 0);
        client_.set_read_timeout(timeout_seconds, 0);
        client_.set_write_timeout(timeout_seconds, 0);
        client_.set_keep_alive(true);
    }
    bool get(const std::string& path, size_t limit, std::vector<uint8_t>& data, std::string& error) override {
        data.clear();
        data.reserve(std::min<size_t>(limit, kChunkSize));  // one allocation per chunk, no regrowth
        bool too_long = false;
        const std::string target = base_ + "/" + path;
        auto response = client_.Get(target.c_str(), [&](const char* bytes, size_t length) {
            if (data.size() + length > limit) {
                too_long = true;
                return false;  // a mirror sending endless data is cut off
            }
            data.insert(data.end(), bytes, bytes + length);
            return true;
        });
        if (too_long) {
            error = origin_ + target + ": more than the " + std::to_string(limit) + " bytes expected";
            return false;
        }
        if (!response) {
            error = origin_ + target + ": " + httplib::to_string(response.error()) +
                    (response.error() == httplib::Error::Read ? " (timed out or cut off)" : "");
            return false;
        }
        if (response->status != 200) {
            error = origin_ + target + ": HTTP status " + std::to_string(response->status);
            return false;
        }
        return true;
    }
    std::string describe() const override { return origin_ + base_; }

private:
    std::string origin_, base_;
    httplib::Client client_;
};

// A disk image: an uncompressed tar archive (ustar) of a mirror directory, e.g. made with
// `tar -C STORE -cf image.tar .`. The member index is read once, bounds-checked; members are
// then read directly from the file.
class TarImageSource final : public Source {
public:
    explicit TarImageSource(std::string image) : image_(std::move(image)) {
        std::string error;
        if (!identity::read_file(image_, bytes_, error, size_t(64) << 30)) {
            error_ = error;
            return;
        }
        size_t at = 0;
        // Invariant: [0, at) holds whole members (header plus padded data).
        while (at + 512 <= bytes_.size()) {
            const uint8_t* header = bytes_.data() + at;
            if (header[0] == 0) break;  // the end-of-archive blocks
            const std::string name = field(header, 100), prefix = field(header + 345, 155);
            uint64_t size = 0;
            for (size_t i = 124; i < 136 && header[i] >= '0' && header[i] <= '7'; ++i) size = size * 8 + (header[i] - '0');
            if (size > bytes_.size() - at - 512) {
                error_ = image_ + ": a member runs past the end of the image (truncated?)";
                members_.clear();
                return;
            }
            const char type = static_cast<char>(header[156]);
            std::string path = prefix.empty() ? name : prefix + "/" + name;
            while (path.rfind("./", 0) == 0) path = path.substr(2);
            if (type == '0' || type == '\0') members_[path] = {at + 512, size};
            at += 512 + (size + 511) / 512 * 512;
        }
    }
    bool get(const std::string& path, size_t limit, std::vector<uint8_t>& data, std::string& error) override {
        if (!error_.empty()) {
            error = error_;
            return false;
        }
        const auto member = members_.find(path);
        if (member == members_.end()) {
            error = image_ + ": no " + path;
            return false;
        }
        if (member->second.second > limit) {
            error = image_ + ": " + path + " has more than the " + std::to_string(limit) + " bytes expected";
            return false;
        }
        const auto* begin = bytes_.data() + member->second.first;
        data.assign(begin, begin + member->second.second);
        return true;
    }
    std::string describe() const override { return image_; }

private:
    static std::string field(const uint8_t* at, size_t size) {
        size_t length = 0;
        while (length < size && at[length] != 0) ++length;
        return std::string(reinterpret_cast<const char*>(at), length);
    }
    std::string image_, error_;
    std::vector<uint8_t> bytes_;
    std::map<std::string, std::pair<size_t, uint64_t>> members_;
};

}  // namespace

std::unique_ptr<Source> open_source(const std::string& location, int timeout_seconds) {
    if (location.rfind("http://", 0) == 0) {
        const size_t slash = location.find('/', 7);
        const std::string origin = slash == std::string::npos ? location : location.substr(0, slash);
        std::string base = slash == std::string::npos ? "" : location.substr(slash);
        while (!base.empty() && base.back() == '/') base.pop_back();
        return std::make_unique<HttpSource>(origin, base, timeout_seconds);
    }
    struct stat st{};
    if (stat(location.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return std::make_unique<TarImageSource>(location);
    return std::make_unique<DirectorySource>(location);
}

FetchResult fetch_package(Source& source, const std::string& name, Store& store, const FetchPolicy& policy) {
    FetchResult result;
    auto fail = [&](std::string message) {
        result.error = std::move(message);
        return result;
    };
    if (!identity::valid_machine_name(name)) return fail("'" + name + "' is not a valid package name");

    // 1. The release: signed, by an allowed signer, not older than what we accepted.
    std::vector<uint8_t> bytes;
    std::string error;
    if (!source.get("releases/" + name, kMaxReleaseSize, bytes, error)) return fail("release of " + name + ": " + error);
    auto parsed = decode_release(bytes);
    if (!parsed.release) return fail(source.describe() + ": " + parsed.error);
    Release release = *parsed.release;
    if (release.name != name) return fail(source.describe() + ": served a release of '" + release.name + "' for '" + name + "'");
    if (!signer_is_trusted(release, policy.fleet, policy.trusted_keys, error)) return fail(source.describe() + ": " + error);
    if (const auto accepted = store.accepted_release(name)) {
        if (release.version < accepted->version)
            return fail(source.describe() + ": serves " + name + " " + release.version.text() + ", older than the accepted " +
                        accepted->version.text() + " (a rollback)");
        if (release.version == accepted->version) {
            if (release.manifest != accepted->manifest)
                return fail(source.describe() + ": " + name + " " + release.version.text() +
                            " names a different package than the one accepted (two releases of one version)");
            result.ok = result.already_current = true;
            result.release = release;
            return result;
        }
    }

    // 2. The manifest: its hash must be the one the release names.
    if (!source.get(Store::blob_relative_path(release.manifest), kMaxManifestSize, bytes, error)) return fail("manifest: " + error);
    if (identity::sha256(bytes) != release.manifest) return fail(source.describe() + ": the manifest does not hash to the released name");
    auto manifest = decode_manifest(bytes);
    if (!manifest.manifest) return fail(source.describe() + ": " + manifest.error);
    const std::vector<uint8_t> manifest_bytes = bytes;

    // 3. Every chunk, verified into staging (kept there across failures, for resuming).
    std::string staging_error;
    if (!ensure_directory(store.root() + "/staging", staging_error)) return fail(staging_error);
    uint64_t total = 0, done = 0;
    for (const auto& file : manifest.manifest->files) total += file.size;
    std::set<Sha256Digest> staged;
    for (const auto& file : manifest.manifest->files) {
        for (size_t i = 0; i < file.chunks.size(); ++i) {
            const Sha256Digest& chunk = file.chunks[i];
            const uint64_t length = chunk_length(file.size, i);
            done += length;
            if (store.has_blob(chunk) || staged.count(chunk)) {
                ++result.chunks_reused;
                continue;
            }
            std::vector<uint8_t> data;
            std::string local_error;
            if (identity::read_file(store.staging_path(chunk), data, local_error, kChunkSize) && data.size() == length &&
                identity::sha256(data) == chunk) {
                ++result.chunks_reused;  // verified earlier by an interrupted fetch
                staged.insert(chunk);
                continue;
            }
            if (!source.get(Store::blob_relative_path(chunk), length, data, error))
                return fail(file.path + " chunk " + std::to_string(i) + ": " + error);
            if (data.size() != length)
                return fail(source.describe() + ": " + file.path + " chunk " + std::to_string(i) + " has " +
                            std::to_string(data.size()) + " bytes, expected " + std::to_string(length));
            if (identity::sha256(data) != chunk)
                return fail(source.describe() + ": " + file.path + " chunk " + std::to_string(i) + " does not match its hash (corrupted or tampered)");
            // Not synced one by one: a staged chunk is re-verified before reuse, and all of
            // them are synced at once before they move into the store.
            if (!identity::write_file_atomically(store.staging_path(chunk), data, 0644, error, /*durable=*/false)) return fail(error);
            staged.insert(chunk);
            result.bytes_fetched += length;
            if (policy.progress) policy.progress(done, total);
        }
    }

    // 4. All verified: chunks into the store, then the manifest, then the release (the commit).
    // One syncfs puts every staged chunk on disk before any gets its final name.
    if (const int staging = open((store.root() + "/staging").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC); staging >= 0) {
        const int synced = syncfs(staging);
        close(staging);
        if (synced != 0) return fail("cannot sync the staged chunks: " + std::string(std::strerror(errno)));
    }
    for (const Sha256Digest& chunk : staged) {
        const std::string target = store.blob_path(chunk);
        if (!ensure_directory(target.substr(0, target.rfind('/')), error)) return fail(error);
        if (rename(store.staging_path(chunk).c_str(), target.c_str()) != 0)
            return fail("cannot move a verified chunk into the store: " + std::string(std::strerror(errno)));
    }
    Sha256Digest manifest_digest;
    if (!store.put_blob(manifest_bytes, manifest_digest, error)) return fail(error);
    if (!store.put_release(release, error)) return fail(error);
    result.ok = true;
    result.release = release;
    return result;
}

}  // namespace packages
