// A package store, and equally a mirror: blobs named by their SHA-256 under blobs/ab/cdef…,
// the accepted release of each name under releases/<name>, and staging/ for fetches in
// progress. Every file lands atomically (temporary file, fsync, rename), so a crash never
// leaves a half-written blob under its final name.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "packages/manifest.h"
#include "packages/release.h"

namespace packages {

class Store {
public:
    explicit Store(std::string root) : root_(std::move(root)) {}
    const std::string& root() const { return root_; }

    static std::string blob_relative_path(const Sha256Digest& digest);
    std::string blob_path(const Sha256Digest& digest) const { return root_ + "/" + blob_relative_path(digest); }
    std::string staging_path(const Sha256Digest& digest) const { return root_ + "/staging/" + hex(digest); }
    std::string release_path(const std::string& name) const { return root_ + "/releases/" + name; }

    bool has_blob(const Sha256Digest& digest) const;
    // Stores `data` under its hash (idempotent).
    bool put_blob(Bytes data, Sha256Digest& digest, std::string& error);
    // Reads a blob and checks it is what its name says.
    bool read_blob(const Sha256Digest& digest, std::vector<uint8_t>& data, std::string& error, size_t limit = kMaxManifestSize) const;
    bool read_manifest(const Sha256Digest& digest, Manifest& manifest, std::string& error) const;

    // Chunks every regular file under `directory` into blobs and stores the manifest.
    std::optional<Manifest> build(const std::string& directory, std::string& error);

    std::optional<Release> accepted_release(const std::string& name) const;
    bool put_release(const Release& release, std::string& error);
    std::vector<Release> releases() const;

    // Re-reads every blob the accepted releases need; lists problems (empty = all good).
    std::vector<std::string> verify() const;
    // Removes blobs no accepted release needs, and the staging area. Returns blobs removed.
    size_t collect_garbage(std::string& error);

private:
    std::string root_;
};

bool ensure_directory(const std::string& path, std::string& error);

}  // namespace packages
