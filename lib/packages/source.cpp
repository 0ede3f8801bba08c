// The three kinds of mirror. Each refuses to hand over more than the caller's limit: a
// directory's file is checked to be a regular file of acceptable size before it is read (a
// FIFO or a link to /dev/zero on a stick must not hang or flood us); an image member is
// read on demand from the index; an HTTP body is cut off at the limit and at the deadline.
#include "packages/source.h"

#include <fcntl.h>
#include <httplib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <functional>
#include <mutex>
#include <thread>

#include "packages/tar_image.h"

namespace packages {
namespace {

// Reads exactly `length` bytes at `offset`.
bool read_exactly(int fd, uint64_t offset, uint8_t* out, size_t length) {
    while (length > 0) {
        const ssize_t n = pread(fd, out, length, static_cast<off_t>(offset));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        out += n;
        offset += static_cast<uint64_t>(n);
        length -= static_cast<size_t>(n);
    }
    return true;
}

class DirectorySource final : public Source {
public:
    explicit DirectorySource(std::string root) : root_(std::move(root)) {}
    std::expected<void, SourceFailure> get_into(const std::string& path, size_t limit, std::vector<uint8_t>& data) override {
        const std::string full = root_ + "/" + path;
        // O_NONBLOCK: opening a FIFO planted in the mirror must not block us.
        const int fd = open(full.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd < 0) {
            const int why = errno;
            return std::unexpected(SourceFailure{full + ": " + std::strerror(why), why == ENOENT});
        }
        struct stat st{};
        std::string problem;
        if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) problem = full + ": not a regular file";
        else if (static_cast<uint64_t>(st.st_size) > limit)
            problem = full + ": " + std::to_string(st.st_size) + " bytes, more than the " + std::to_string(limit) + " bytes expected";
        else {
            data.resize(static_cast<size_t>(st.st_size));
            if (!read_exactly(fd, 0, data.data(), data.size())) problem = full + ": cannot read (changed while reading?)";
        }
        close(fd);
        if (!problem.empty()) return std::unexpected(SourceFailure{problem});
        return {};
    }
    std::string describe() const override { return root_; }

private:
    std::string root_;
};

// Checks `stalled` every 100 ms and calls `expire` once when it says so; stops when destroyed.
class Watchdog {
public:
    Watchdog(std::function<bool()> stalled, std::function<void()> expire)
        : thread_([this, stalled = std::move(stalled), expire = std::move(expire)] {
              std::unique_lock lock(mutex_);
              while (!done_changed_.wait_for(lock, std::chrono::milliseconds(100), [this] { return done_; })) {
                  if (stalled()) {
                      expire();
                      return;
                  }
              }
          }) {}
    ~Watchdog() {
        {
            std::lock_guard lock(mutex_);
            done_ = true;
        }
        done_changed_.notify_one();
        thread_.join();
    }

private:
    std::mutex mutex_;
    std::condition_variable done_changed_;
    bool done_ = false;
    std::thread thread_;  // last: started once the members above exist
};

class HttpSource final : public Source {
public:
    HttpSource(std::string origin, std::string base, int timeout_seconds)
        : origin_(std::move(origin)), base_(std::move(base)), timeout_seconds_(timeout_seconds), client_(origin_) {
        client_.set_connection_timeout(timeout_seconds, 0);
        client_.set_read_timeout(timeout_seconds, 0);
        client_.set_write_timeout(timeout_seconds, 0);
        client_.set_keep_alive(true);
        client_.enable_server_certificate_verification(true);
    }
    std::expected<void, SourceFailure> get_into(const std::string& path, size_t limit, std::vector<uint8_t>& data) override {
        data.clear();
        const std::string target = base_ + "/" + path;
        // Two bounds on time. Progress: after a grace of `timeout` seconds, the bytes received
        // must keep up with kMinimumMirrorRate since the start, so a mirror trickling a 16 MiB
        // manifest is stopped about `timeout` seconds in, not after 16 MiB at the minimum rate.
        // Total: timeout + limit / rate, whatever the rate (a mirror exactly at the minimum).
        const auto started = std::chrono::steady_clock::now();
        const auto grace = std::chrono::seconds(timeout_seconds_);
        const auto allowed = std::chrono::milliseconds(1000 * uint64_t(timeout_seconds_) + 1000 * uint64_t(limit) / kMinimumMirrorRate);
        std::atomic<uint64_t> received = 0;
        std::atomic<bool> too_slow = false;
        bool too_long = false, declared_too_long = false;
        uint64_t declared = 0;
        int refused_status = 0;
        const auto behind = [&] {
            const auto elapsed = std::chrono::steady_clock::now() - started;
            if (elapsed > allowed) return true;
            if (elapsed <= grace) return false;
            const double owed = std::chrono::duration<double>(elapsed - grace).count() * double(kMinimumMirrorRate);
            return double(received.load()) < owed;
        };
        httplib::Result response = [&] {
            // The watchdog stops a request stuck anywhere (headers included); the receiver
            // below checks again as each piece arrives.
            Watchdog watchdog(behind, [&] {
                too_slow = true;
                client_.stop();
            });
            return client_.Get(
                target.c_str(),
                [&](const httplib::Response& head) {
                    // Anything but 200 is an answer in itself: its body is not read (a 404
                    // page is not a release, and may be longer than one).
                    if (head.status != 200) {
                        refused_status = head.status;
                        return false;
                    }
                    // A declared length over the limit is refused before any body is read, and
                    // an acceptable one is reserved exactly: memory never exceeds the limit.
                    if (!head.has_header("Content-Length")) {
                        data.reserve(std::min<size_t>(limit, size_t(1) << 20));
                        return true;
                    }
                    declared = std::strtoull(head.get_header_value("Content-Length").c_str(), nullptr, 10);
                    if (declared > limit) {
                        too_long = declared_too_long = true;
                        return false;
                    }
                    data.reserve(static_cast<size_t>(std::min<uint64_t>(declared, limit)));
                    return true;
                },
                [&](const char* bytes, size_t length) {
                    if (length > limit - data.size()) {
                        too_long = true;
                        return false;
                    }
                    if (behind()) {
                        too_slow = true;
                        return false;
                    }
                    if (data.capacity() - data.size() < length)  // grow, but never past the limit
                        data.reserve(std::min(limit, std::max(2 * data.capacity(), data.size() + length)));
                    const auto* begin = reinterpret_cast<const uint8_t*>(bytes);  // same type: one memmove, not a byte loop
                    data.insert(data.end(), begin, begin + length);
                    received += length;
                    return true;
                });
        }();
        const std::string where = origin_ + target;
        std::string error;
        bool missing = false;
        if (too_long)
            error = where + ": more than the " + std::to_string(limit) + " bytes expected (" +
                    (declared_too_long ? "declared " + std::to_string(declared) + ", refused before reading" : "cut off") + ")";
        else if (too_slow)
            error = where + ": too slow, " + std::to_string(received.load()) + " bytes in " +
                    std::to_string(std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - started).count()) +
                    " s, below " + std::to_string(kMinimumMirrorRate >> 10) + " KiB/s after the first " +
                    std::to_string(timeout_seconds_) + " s (stalling mirror)";
        else if (refused_status != 0) {
            error = where + ": HTTP status " + std::to_string(refused_status);
            missing = refused_status == 404;
        }
        else if (!response)
            error = where + ": " + httplib::to_string(response.error()) +
                    (response.error() == httplib::Error::Read ? " (timed out or cut off)" : "");
        else if (response->status != 200)
            error = where + ": HTTP status " + std::to_string(response->status);
        else
            return {};
        // After a cut-off the connection may hold unread bytes: never reuse it.
        client_.stop();
        return std::unexpected(SourceFailure{error, missing});
    }
    std::string describe() const override { return origin_ + base_; }

private:
    std::string origin_, base_;
    int timeout_seconds_;
    httplib::Client client_;
};

// A location that names no mirror at all: every request fails with the reason.
class UnusableSource final : public Source {
public:
    UnusableSource(std::string location, std::string reason) : location_(std::move(location)), reason_(std::move(reason)) {}
    std::expected<void, SourceFailure> get_into(const std::string&, size_t, std::vector<uint8_t>&) override {
        return std::unexpected(SourceFailure{reason_});
    }
    std::string describe() const override { return location_; }

private:
    std::string location_, reason_;
};

class TarImageSource final : public Source {
public:
    explicit TarImageSource(std::string image) : image_(std::move(image)) {
        fd_ = open(image_.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        struct stat st{};
        if (fd_ < 0 || fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) {
            error_ = image_ + ": cannot open the image";
            return;
        }
        auto index = index_tar(static_cast<uint64_t>(st.st_size),
                               [this](uint64_t offset, uint8_t* out) { return read_exactly(fd_, offset, out, kTarBlock); });
        if (!index) error_ = image_ + ": " + index.error();
        else members_ = std::move(*index);
    }
    ~TarImageSource() override {
        if (fd_ >= 0) close(fd_);
    }
    std::expected<void, SourceFailure> get_into(const std::string& path, size_t limit, std::vector<uint8_t>& data) override {
        if (!error_.empty()) return std::unexpected(SourceFailure{error_});
        const auto member = members_.find(path);
        if (member == members_.end()) return std::unexpected(SourceFailure{image_ + ": no " + path + " in the image", true});
        if (member->second.size > limit)
            return std::unexpected(SourceFailure{image_ + ": " + path + " has more than the " + std::to_string(limit) + " bytes expected"});
        data.resize(static_cast<size_t>(member->second.size));
        if (!read_exactly(fd_, member->second.offset, data.data(), data.size()))
            return std::unexpected(SourceFailure{image_ + ": cannot read " + path});
        return {};
    }
    std::string describe() const override { return image_; }

private:
    std::string image_, error_;
    int fd_ = -1;
    std::map<std::string, TarMember> members_;
};

}  // namespace

std::unique_ptr<Source> open_source(const std::string& location, int timeout_seconds) {
    const size_t scheme_end = location.find("://");
    const bool has_scheme = scheme_end != std::string::npos && location.find('/') > scheme_end;
    if (location.starts_with("http://") || location.starts_with("https://")) {
        const size_t slash = location.find('/', scheme_end + 3);
        const std::string origin = slash == std::string::npos ? location : location.substr(0, slash);
        std::string base = slash == std::string::npos ? "" : location.substr(slash);
        while (!base.empty() && base.back() == '/') base.pop_back();
        // https: the server's certificate is checked against the system's authorities (the
        // bytes are verified anyway; TLS adds privacy, not trust).
        return std::make_unique<HttpSource>(origin, base, timeout_seconds);
    }
    if (has_scheme)
        return std::make_unique<UnusableSource>(location, "'" + location.substr(0, scheme_end + 3) +
                                                              "' is not a kind of mirror vectra knows (http://, https://, a directory or a disk image)");
    struct stat st{};
    if (stat(location.c_str(), &st) == 0 && S_ISREG(st.st_mode)) return std::make_unique<TarImageSource>(location);
    return std::make_unique<DirectorySource>(location);
}

}  // namespace packages
