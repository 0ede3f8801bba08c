#include "files/files.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

namespace files {
namespace {

std::string reason(const std::string& what, const std::string& path) { return what + " " + path + ": " + std::strerror(errno); }

std::string directory_of(const std::string& path) {
    const size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

// 64 random bits as hex: a name nobody can predict, so nobody can prepare it.
Expected<std::string> unpredictable_suffix() {
    uint8_t bytes[8];
    if (getrandom(bytes, sizeof bytes, 0) != static_cast<ssize_t>(sizeof bytes))
        return failure(std::string("cannot read the random source: ") + std::strerror(errno));
    static constexpr char digits[] = "0123456789abcdef";
    std::string text;
    for (uint8_t b : bytes) {
        text += digits[b >> 4];
        text += digits[b & 15];
    }
    return text;
}

}  // namespace

Expected<> write_all(int fd, Bytes data, const std::string& what) {
    size_t written = 0;
    // Invariant: data[0, written) has been written.
    while (written < data.size()) {
        const ssize_t n = write(fd, data.data() + written, data.size() - written);
        if (n < 0 && errno == EINTR) continue;
        if (n == 0) errno = EIO;  // no progress and no reason: never loop on it
        if (n <= 0) return failure(reason("cannot write", what));
        written += static_cast<size_t>(n);
    }
    return {};
}

Expected<> write_file_atomically(const std::string& path, Bytes data, unsigned mode, Durability durability) {
    const std::string directory = directory_of(path);
    const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    const std::string temporary = directory + "/." + base + ".tmp-" + VECTRA_TRY(unpredictable_suffix());
    const int fd = open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
    if (fd < 0) return failure(reason("cannot create", temporary));
    auto written = write_all(fd, data, temporary);
    // fchmod: the mode must not depend on the caller's umask (a 0600 key stays 0600).
    if (written && (fchmod(fd, mode) != 0 || (durability == Durability::Synced && fsync(fd) != 0)))
        written = failure(reason("cannot finish", temporary));
    if (close(fd) != 0 && written) written = failure(reason("cannot close", temporary));
    if (written && rename(temporary.c_str(), path.c_str()) != 0) written = failure(reason("cannot rename into", path));
    if (!written) {
        unlink(temporary.c_str());
        return written;
    }
    if (durability == Durability::Synced) return sync_directory(directory);
    return {};
}

Expected<> append_to_file(const std::string& path, Bytes data) {
    const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return failure(reason("cannot open", path));
    auto written = write_all(fd, data, path);
    if (written && fsync(fd) != 0) written = failure(reason("cannot sync", path));
    if (close(fd) != 0 && written) written = failure(reason("cannot close", path));
    return written;
}

Expected<std::vector<uint8_t>> read_file(const std::string& path, size_t limit) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failure(reason("cannot open", path));
    std::vector<uint8_t> data;
    struct stat status {};
    // One reservation from the size the file claims (a regular file's is exact), so the
    // buffer does not regrow; reads still stop at `limit` whatever the size said.
    if (fstat(fd, &status) == 0 && S_ISREG(status.st_mode) && static_cast<uint64_t>(status.st_size) <= limit)
        data.reserve(static_cast<size_t>(status.st_size) + 1);
    uint8_t buffer[65536];
    for (;;) {
        const ssize_t n = read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string why = reason("cannot read", path);
            close(fd);
            return failure(why);
        }
        if (n == 0) break;
        if (static_cast<size_t>(n) > limit - data.size()) {
            close(fd);
            return failure(path + " is larger than " + std::to_string(limit) + " bytes");
        }
        data.insert(data.end(), buffer, buffer + n);
    }
    close(fd);
    return data;
}

Expected<std::vector<uint8_t>> read_tail(const std::string& path, uint64_t offset, size_t length) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failure(reason("cannot open", path));
    std::vector<uint8_t> data(length);
    size_t filled = 0;
    // Invariant: data[0, filled) holds the file's bytes at offset .. offset + filled.
    while (filled < length) {
        const ssize_t n = pread(fd, data.data() + filled, length - filled, static_cast<off_t>(offset + filled));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = n < 0 ? reason("cannot read", path) : path + " ends before byte " + std::to_string(offset + length);
            close(fd);
            return failure(why);
        }
        filled += static_cast<size_t>(n);
    }
    close(fd);
    return data;
}

Expected<size_t> read_file_into(const std::string& path, std::span<uint8_t> out) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return failure(reason("cannot open", path));
    size_t filled = 0;
    for (;;) {
        if (filled == out.size()) {  // full: one more byte means the file does not fit
            uint8_t probe;
            const ssize_t n = read(fd, &probe, 1);
            close(fd);
            if (n != 0) return failure(path + " is larger than " + std::to_string(out.size()) + " bytes");
            return filled;
        }
        const ssize_t n = read(fd, out.data() + filled, out.size() - filled);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const std::string why = reason("cannot read", path);
            close(fd);
            return failure(why);
        }
        if (n == 0) break;
        filled += static_cast<size_t>(n);
    }
    close(fd);
    return filled;
}

Expected<> make_directories(const std::string& path, unsigned mode) {
    // Each prefix ending before a '/', then the whole path; existing directories are fine.
    for (size_t at = path.find('/', 1);; at = path.find('/', at + 1)) {
        const std::string prefix = at == std::string::npos ? path : path.substr(0, at);
        if (!prefix.empty() && mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST)
            return failure(reason("cannot create the directory", prefix));
        if (at == std::string::npos) break;
    }
    struct stat status {};
    if (stat(path.c_str(), &status) != 0 || !S_ISDIR(status.st_mode)) return failure(path + " is not a directory");
    return {};
}

Expected<> sync_directory(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return failure(reason("cannot open the directory", path));
    const bool synced = fsync(fd) == 0;
    const std::string why = synced ? "" : reason("cannot sync the directory", path);
    close(fd);
    if (!synced) return failure(why);
    return {};
}

Expected<> sync_filesystem(const std::string& path) {
    const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || syncfs(fd) != 0) {
        const std::string why = "cannot sync " + path + ": " + std::strerror(errno);
        if (fd >= 0) close(fd);
        return failure(why);
    }
    close(fd);
    return {};
}

bool exists(const std::string& path) {
    struct stat status {};
    return lstat(path.c_str(), &status) == 0;
}

std::expected<FileLock, FileLock::Failure> FileLock::acquire(const std::string& path, std::chrono::milliseconds wait) {
    const int fd = open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) return std::unexpected(Failure{reason("cannot open the lock file", path), false});
    const auto deadline = std::chrono::steady_clock::now() + wait;
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
        if (errno != EWOULDBLOCK && errno != EINTR) {
            const std::string why = reason("cannot lock", path);
            close(fd);
            return std::unexpected(Failure{why, false});
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            close(fd);
            return std::unexpected(Failure{path + " is held by another vectra command (busy)", true});
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

FileLock::FileLock(FileLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

FileLock::~FileLock() {
    if (fd_ >= 0) close(fd_);
}

}  // namespace files
