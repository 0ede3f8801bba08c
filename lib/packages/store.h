// A package store, and equally a mirror: blobs named by their SHA-256 under blobs/ab/cdef…,
// the accepted release of each name under releases/<name>, and staging/ for fetches in
// progress. Every file lands atomically (temporary file, fsync, rename), so a crash never
// leaves a half-written blob under its final name. A release file that exists but cannot be
// read is an error, never "no release": forgetting an accepted release would reopen rollback.
#pragma once

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "files/expected.h"
#include "packages/manifest.h"
#include "packages/release.h"
#include "packages/timestamp.h"

namespace packages {

// Exclusive use of a store by one process: fetch, build, release and gc each hold it, so two
// fetches cannot both pass the rollback check and then write releases out of order, and gc
// never runs while a fetch's blobs are not yet referenced. flock(2) on <store>/lock; the
// kernel drops it if the holder dies.
class StoreLock {
public:
    StoreLock() = default;
    StoreLock(StoreLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
    StoreLock& operator=(StoreLock&&) = delete;
    ~StoreLock();
    bool held() const { return fd_ >= 0; }

private:
    friend class Store;
    int fd_ = -1;
};

// Does this release's signer still stand? (Or the reason it does not.) Supplied by the caller
// from its fleet log and trusted keys: the store itself trusts nobody.
using SignerCheck = std::function<files::Expected<>(const Release&)>;

// The version guard of one name. The head is the newest release accepted; `standing` is the
// newest accepted one whose signer still stands. Only `standing` counts against rollback, so a
// release by a machine revoked since (say a 1000.0.0 from a stolen laptop) cannot block honest
// newer releases, while an honest release accepted before it still sets the floor.
struct AcceptedState {
    std::optional<Release> head;      // releases/NAME
    std::optional<Release> standing;  // newest of the head and history/NAME that still stands
    std::string head_revoked;         // why the head no longer counts; empty if it does
};

inline constexpr size_t kMaxReleaseHistory = 1000;  // older entries are dropped

struct BuiltPackage {
    Manifest manifest;
    std::vector<std::string> skipped;  // "path -> target (a symlink)", "path (a FIFO)": not packaged
};

struct ReleaseList {
    std::vector<Release> releases;  // sorted by name
    std::vector<std::string> problems;  // release files that exist but do not decode
};

class Store {
public:
    explicit Store(std::string root) : root_(std::move(root)) {}
    const std::string& root() const { return root_; }

    static std::string blob_relative_path(const Sha256Digest& digest);
    std::string blob_path(const Sha256Digest& digest) const { return root_ + "/" + blob_relative_path(digest); }
    std::string staging_path(const Sha256Digest& digest) const { return root_ + "/staging/" + hex(digest); }
    std::string release_path(const std::string& name) const { return root_ + "/releases/" + name; }
    std::string history_path(const std::string& name) const { return root_ + "/history/" + name; }
    std::string timestamp_path() const { return root_ + "/timestamp"; }

    // Takes the store's lock without waiting; refused, with "busy" in the reason, if another
    // process holds it.
    [[nodiscard]] files::Expected<StoreLock> lock();

    bool has_blob(const Sha256Digest& digest) const;
    // Is the blob here and still what its name says (read and hashed; `length` checked too
    // when given)? Existence alone is not enough to reuse a blob: disks flip bits.
    bool holds_intact(const Sha256Digest& digest, std::optional<uint64_t> length = std::nullopt) const;
    // Stores `data` under its hash (idempotent; a corrupt copy already there is replaced).
    [[nodiscard]] files::Expected<Sha256Digest> put_blob(Bytes data);
    // Reads a blob and checks it is what its name says.
    [[nodiscard]] files::Expected<std::vector<uint8_t>> read_blob(const Sha256Digest& digest, size_t limit = kMaxManifestSize) const;
    [[nodiscard]] files::Expected<Manifest> read_manifest(const Sha256Digest& digest) const;

    // Chunks every regular file under `directory` into blobs (reading one chunk at a time) and
    // stores the manifest, which names `dependencies` (manifest hashes already in this store).
    // Never follows a symlink (each file is opened component by component with O_NOFOLLOW and
    // judged by fstat on the descriptor); symlinks and special files are not packaged but
    // listed in `skipped`; modes are kept (permission bits); a machine key refuses the build.
    [[nodiscard]] files::Expected<BuiltPackage> build(const std::string& directory, const std::vector<Sha256Digest>& dependencies = {});

    // The accepted release of `name`: nullopt when there is none; an error when a release file
    // is there but damaged, unsigned, or names another package.
    [[nodiscard]] files::Expected<std::optional<Release>> read_accepted(const std::string& name) const;
    // The newest timestamp this store accepted (nullopt: none); false when the file is damaged.
    [[nodiscard]] files::Expected<std::optional<Timestamp>> read_timestamp() const;
    // Records `timestamp` unless the store holds a newer one.
    [[nodiscard]] files::Expected<> put_timestamp(const Timestamp& timestamp);
    // The releases of `name` accepted before the head, oldest first (history/NAME).
    [[nodiscard]] files::Expected<std::vector<Release>> read_history(const std::string& name) const;
    // The head, and the newest accepted release whose signer `stands`.
    [[nodiscard]] files::Expected<AcceptedState> read_standing(const std::string& name, const SignerCheck& stands) const;
    // Records `release` as accepted (atomically, and durably: the directory is synced too); the
    // head it replaces moves to history/NAME first, so it can still set the version floor.
    [[nodiscard]] files::Expected<> put_release(const Release& release);
    ReleaseList list_releases() const;
    std::vector<Release> releases() const { return list_releases().releases; }

    // Every manifest the accepted releases need, their dependencies included; false if one is
    // missing or damaged (then nothing may be collected).
    [[nodiscard]] files::Expected<std::set<Sha256Digest>> live_manifests() const;

    // Re-reads every blob the accepted releases and their dependencies need, checks every
    // chunk's hash and length and every file's whole hash; the error lists every problem found.
    [[nodiscard]] std::expected<void, std::vector<std::string>> verify() const;
    // Removes blobs no accepted release needs (leftover temporary files too) and the staging
    // area; the number of blobs removed. Refuses, removing nothing, when any release or
    // manifest cannot be read.
    [[nodiscard]] files::Expected<size_t> collect_garbage();

    // For tests only: runs between the walk and the opening of each file (to swap a file for a
    // symlink at the worst moment).
    std::function<void(const std::string& path)> before_open_for_test;

private:
    std::string root_;
};

// mkdir -p with mode 0755; "cannot create PATH: why" when it fails.
[[nodiscard]] files::Expected<> ensure_directory(const std::string& path);

}  // namespace packages
