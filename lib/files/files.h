// Shared file I/O for the host libraries and the `vectra` tool, kept apart from the formats and
// rules (lib/identity, lib/packages), which never touch the file system themselves.
// Writes are atomic: a temporary file with an unpredictable name, created with
// O_EXCL|O_NOFOLLOW (so nobody can plant a file or a symlink there first), written, synced,
// renamed over the target, and the directory synced so the rename itself survives a crash.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "files/expected.h"

namespace files {

using Bytes = std::span<const uint8_t>;

enum class Durability {
    Synced,    // data and rename reach the disk before the call returns
    Deferred,  // the caller syncs later (a batch of staged files, one syncfs) or re-checks after a crash
};

[[nodiscard]] Expected<> write_file_atomically(const std::string& path, Bytes data, unsigned mode,
                                 Durability durability = Durability::Synced);

// Appends `data` to an existing file (never through a symlink) and syncs it. Not atomic: a
// crash can leave part of `data`, which the caller's format must be able to recognise.
[[nodiscard]] Expected<> append_to_file(const std::string& path, Bytes data);

// Writes all of `data` to `fd` (retrying short writes and EINTR); the error reads
// "cannot write WHAT: reason".
[[nodiscard]] Expected<> write_all(int fd, Bytes data, const std::string& what);

// The whole file, refused if larger than `limit` bytes.
[[nodiscard]] Expected<std::vector<uint8_t>> read_file(const std::string& path, size_t limit);

// `length` bytes at `offset` of the file, refused if it has fewer there.
[[nodiscard]] Expected<std::vector<uint8_t>> read_tail(const std::string& path, uint64_t offset, size_t length);

// Reads the whole file into `out` without any intermediate buffer (for secrets: `out` is
// locked memory); refused if the file does not fit. Returns the number of bytes read.
[[nodiscard]] Expected<size_t> read_file_into(const std::string& path, std::span<uint8_t> out);

// mkdir -p with `mode` for each directory it creates.
[[nodiscard]] Expected<> make_directories(const std::string& path, unsigned mode);

[[nodiscard]] Expected<> sync_directory(const std::string& path);
// syncfs(2) on the file system holding `path`: one sync for a batch of Deferred writes.
[[nodiscard]] Expected<> sync_filesystem(const std::string& path);

bool exists(const std::string& path);

// An exclusive flock(2) on a lock file, held until destroyed. Closing the descriptor (also
// when the process dies) releases it, so a crash never leaves a stale lock behind.
class FileLock {
public:
    struct Failure {
        std::string message;
        bool busy = false;  // another process holds it (as opposed to an I/O error)
    };
    // Waits up to `wait` for the lock (zero: try once).
    [[nodiscard]] static std::expected<FileLock, Failure> acquire(const std::string& path, std::chrono::milliseconds wait);

    FileLock(FileLock&& other) noexcept;
    FileLock& operator=(FileLock&& other) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

private:
    explicit FileLock(int fd) : fd_(fd) {}
    int fd_ = -1;
};

}  // namespace files
