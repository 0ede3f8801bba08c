// The fetch, in four steps (docs/packages.md, "Fetching"): the release, the manifests, the
// chunks into staging, then the commit. Steps 1-3 change nothing in blobs/ or releases/; a
// refusal at any point leaves the store as it was (staging aside, which is not the store).
#include "packages/fetch.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <map>
#include <set>

#include "files/files.h"
#include "packages/staging_writer.h"

namespace packages {

files::Expected<Fetched> fetch_package(Source& source, const std::string& name, Store& store, const FetchPolicy& policy) {
    Fetched result;
    const auto fail = [](std::string message) { return files::failure(std::move(message)); };
    const std::string mirror = source.describe();
    if (!identity::valid_machine_name(name)) return fail("'" + name + "' is not a valid package name");

    // The store stays ours from the rollback check to the commit.
    const StoreLock held = VECTRA_TRY(store.lock());

    // 1. The release: signed, by an allowed signer, not older than the newest accepted release
    // whose signer still stands (a revoked machine's release no longer sets the floor).
    const SignerCheck stands = [&](const Release& r) { return signer_is_trusted(r, policy.fleet, policy.trusted_keys); };
    auto standing = store.read_standing(name, stands);
    if (!standing) return fail("this store: " + standing.error());
    const AcceptedState accepted = std::move(*standing);
    if (!accepted.head_revoked.empty() && policy.warning)
        policy.warning("the accepted " + name + " " + accepted.head->version.text() + " no longer counts: " + accepted.head_revoked);
    std::vector<uint8_t> bytes;
    // The freeze defence first: a fresh timestamp from a signer the fleet allows, listing NAME.
    const TimestampEntry* listed = nullptr;
    if (policy.require_timestamp) {
        if (policy.fleet == nullptr) return fail("a timestamp is required but there is no fleet log to check it against");
        const auto last = store.read_timestamp();
        if (!last) return fail("this store: " + last.error());
        if (auto got = source.get_into("timestamp", kMaxTimestampSize, bytes); !got)
            return fail("timestamp: " + got.error().message + " (this fleet requires a fresh timestamp from every source)");
        auto decoded = decode_timestamp(bytes);
        if (!decoded) return fail(mirror + ": " + decoded.error());
        const uint64_t now = policy.now != 0 ? policy.now : static_cast<uint64_t>(::time(nullptr));
        if (auto fresh = check_timestamp(*decoded, *policy.fleet, *last, now); !fresh) return fail(mirror + ": " + fresh.error());
        result.timestamp = std::move(*decoded);
        listed = result.timestamp->find(name);
        if (listed == nullptr) return fail(mirror + ": its timestamp does not list " + name);
    }
    if (auto got = source.get_into("releases/" + name, kMaxReleaseSize, bytes); !got)
        return fail("release of " + name + ": " + got.error().message);
    auto parsed = decode_release(bytes);
    if (!parsed) return fail(mirror + ": releases/" + name + ": " + parsed.error());
    const Release release = *parsed;
    if (release.name != name) return fail(mirror + ": served a release of '" + release.name + "' for '" + name + "'");
    if (auto signer = stands(release); !signer) return fail(mirror + ": " + signer.error());
    if (listed != nullptr && (listed->version != release.version || listed->manifest != release.manifest))
        return fail(mirror + ": serves " + name + " " + release.version.text() + " but its timestamp lists " + listed->version.text() +
                    (release.version < listed->version ? " (withholding the newer release)" : " (the release does not match)"));
    if (const auto& floor = accepted.standing) {
        if (release.version < floor->version)
            return fail(mirror + ": serves " + name + " " + release.version.text() + ", older than the accepted " +
                        floor->version.text() + " (a rollback)");
        if (release.version == floor->version && release.manifest != floor->manifest)
            return fail(mirror + ": " + name + " " + release.version.text() +
                        " names a different package than the one accepted (two releases of one version)");
    }
    const bool same_as_head = accepted.head && accepted.head_revoked.empty() && accepted.head->version == release.version &&
                              accepted.head->manifest == release.manifest;
    // Already here: nothing to record, but the package's blobs are still checked below and
    // any missing or corrupt one is repaired from this source.

    // 2. The manifests — the package's and, transitively, its dependencies' — each hashing to
    // the name it was asked for. Manifests already in the store are read (and checked) there.
    std::map<Sha256Digest, Manifest> manifests;
    std::map<Sha256Digest, std::vector<uint8_t>> new_manifests;
    std::vector<Sha256Digest> pending = {release.manifest};
    // Invariant: every entry of `manifests` is verified and its dependencies are queued.
    while (!pending.empty()) {
        const Sha256Digest digest = pending.back();
        pending.pop_back();
        if (manifests.count(digest)) continue;
        if (manifests.size() == kMaxManifestsPerFetch) return fail(mirror + ": more than " + std::to_string(kMaxManifestsPerFetch) + " manifests");
        const std::string what = digest == release.manifest ? "manifest" : "dependency manifest " + hex(digest);
        if (auto held = store.has_blob(digest) ? store.read_manifest(digest) : files::failure("absent")) {
            manifests.emplace(digest, std::move(*held));
        } else {
            if (auto got = source.get_into(Store::blob_relative_path(digest), kMaxManifestSize, bytes); !got)
                return fail(what + ": " + got.error().message);
            if (identity::sha256(bytes) != digest)
                return fail(mirror + ": the " + what + " does not hash to its name (corrupted or tampered)");
            auto decoded = decode_manifest(bytes);
            if (!decoded) return fail(mirror + ": " + (digest == release.manifest ? "" : what + ": ") + decoded.error());
            manifests.emplace(digest, std::move(*decoded));
            new_manifests.emplace(digest, bytes);
        }
        const auto& dependencies = manifests.at(digest).dependencies;
        pending.insert(pending.end(), dependencies.begin(), dependencies.end());
    }
    result.manifests = manifests.size();

    // 3. Every chunk: one held intact (in the store, or verified in staging by an interrupted
    // fetch) is reused; anything else — missing, or corrupt on our own disk — comes from the
    // source: at most its expected length, exactly that length, hashing to its name; then
    // staged (kept there across failures, for resuming). Every file is also hashed whole.
    VECTRA_TRY(ensure_directory(store.root() + "/staging"));
    uint64_t total = 0, done = 0;
    for (const auto& [digest, manifest] : manifests)
        for (const auto& file : manifest.files) total += file.size;
    std::set<Sha256Digest> staged, seen;
    std::deque<WholeFileCheck> whole_files;  // stable addresses for the staging thread
    {
        StagingWriter writer(store);  // hashes and stages chunk k while chunk k+1 downloads
        std::string download_error;
        bool stopped = false;  // a download or an earlier chunk failed: fetch nothing more
        for (const auto& [digest, manifest] : manifests) {
            for (const auto& file : manifest.files) {
                if (stopped) break;
                if (file.chunks.empty()) {
                    if (file.content != identity::sha256({})) {
                        download_error = mirror + ": " + file.path + ": an empty file whose whole-file hash is not that of nothing";
                        stopped = true;
                    }
                    continue;
                }
                WholeFileCheck& whole = whole_files.emplace_back();
                whole.expected = file.content;
                whole.where = mirror + ": " + file.path;
                for (size_t i = 0; i < file.chunks.size() && !stopped; ++i) {
                    const Sha256Digest& chunk = file.chunks[i];
                    const uint64_t length = chunk_length(file.size, i);
                    const bool last = i + 1 == file.chunks.size();
                    const std::string where = file.path + " chunk " + std::to_string(i);
                    done += length;
                    if (!seen.insert(chunk).second) {  // earlier in this fetch: verified already
                        ++result.chunks_reused;
                        stopped = !writer.submit(StagingWriter::Action::ReadBack, chunk, where, {}, &whole, last);
                        continue;
                    }
                    std::vector<uint8_t> buffer = writer.take_buffer();
                    // Reuse only what still hashes to its name: a flipped bit on our own disk is
                    // repaired from the source, never passed on to a new version.
                    const bool in_store = store.has_blob(chunk);
                    const auto intact_copy = [&](const std::string& path) {
                        auto read = files::read_file(path, kChunkSize);
                        if (!read || read->size() != length || identity::sha256(*read) != chunk) return false;
                        buffer = std::move(*read);
                        return true;
                    };
                    if (in_store && intact_copy(store.blob_path(chunk))) {
                        ++result.chunks_reused;
                        stopped = !writer.submit(StagingWriter::Action::HashOnly, chunk, where, std::move(buffer), &whole, last);
                        continue;
                    }
                    if (intact_copy(store.staging_path(chunk))) {
                        ++result.chunks_reused;  // verified by an interrupted fetch, and again now
                        staged.insert(chunk);
                        stopped = !writer.submit(StagingWriter::Action::HashOnly, chunk, where, std::move(buffer), &whole, last);
                        continue;
                    }
                    if (auto got = source.get_into(Store::blob_relative_path(chunk), length, buffer); !got) {
                        download_error = where + ": " + got.error().message;
                        stopped = true;
                    } else if (buffer.size() != length) {
                        download_error = mirror + ": " + where + " has " + std::to_string(buffer.size()) + " bytes, expected " +
                                         std::to_string(length);
                        stopped = true;
                    } else if (!writer.submit(StagingWriter::Action::Stage, chunk, mirror + ": " + where, std::move(buffer), &whole, last)) {
                        stopped = true;  // an earlier chunk failed; finish() says which
                    } else {
                        staged.insert(chunk);
                        result.bytes_fetched += length;
                        if (in_store || same_as_head) ++result.chunks_repaired;
                        if (policy.progress) policy.progress({done, total, result.bytes_fetched});
                    }
                }
            }
        }
        // An earlier chunk's failure (found on the staging thread) comes first in the report.
        VECTRA_TRY(writer.finish());
        if (!download_error.empty()) return fail(download_error);
    }

    // 4. All verified: chunks into the store, then the manifests, then the release (the
    // commit point). Syncs order it: staged bytes are on disk before any gets its final name,
    // and every blob's name is on disk before the release that needs it.
    VECTRA_TRY(files::sync_filesystem(store.root() + "/staging"));
    for (const Sha256Digest& chunk : staged) {
        const std::string target = store.blob_path(chunk);
        VECTRA_TRY(ensure_directory(target.substr(0, target.rfind('/'))));
        if (rename(store.staging_path(chunk).c_str(), target.c_str()) != 0)
            return fail("cannot move a verified chunk into the store: " + std::string(std::strerror(errno)));
    }
    for (const auto& [digest, manifest_bytes] : new_manifests) {
        if (auto written = store.put_blob(manifest_bytes); !written) return fail(written.error());
    }
    VECTRA_TRY(files::sync_filesystem(store.root() + "/blobs"));
    if (result.timestamp)
        if (auto kept = store.put_timestamp(*result.timestamp); !kept) return fail(kept.error());
    if (same_as_head) {
        result.already_current = true;
        result.manifests_repaired = new_manifests.size();
    } else if (auto recorded = store.put_release(release); !recorded) {
        return fail(recorded.error());
    }
    result.release = release;
    return result;
}

}  // namespace packages
