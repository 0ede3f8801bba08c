// The mirror's HTTP server: GET and HEAD of layout paths, HTTP/1.1 keep-alive, nothing else.
// Each client runs on its own thread against deadlines (poll with the time left, never a
// blocking call without one); files are sent with sendfile from a descriptor opened component
// by component with O_NOFOLLOW under the served directory.
#include "packages/mirror_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "packages/beneath.h"

namespace packages {
namespace {

using Clock = std::chrono::steady_clock;

bool is_hex(std::string_view text) {
    for (char c : text)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

// Package and machine names: 1-64 of [a-z0-9-], not starting with '-'.
bool is_name(std::string_view text) {
    if (text.empty() || text.size() > 64 || text[0] == '-') return false;
    for (char c : text)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
    return true;
}

int milliseconds_left(Clock::time_point deadline) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    return left <= 0 ? 0 : static_cast<int>(std::min<long long>(left, 60'000));
}

// Waits until `fd` is ready for `events` or the deadline passes (false).
bool wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const int left = milliseconds_left(deadline);
        if (left == 0) return false;
        pollfd entry{fd, events, 0};
        const int ready = poll(&entry, 1, left);
        if (ready > 0) return true;
        if (ready < 0 && errno != EINTR) return false;
    }
}

bool send_all(int fd, std::string_view bytes, Clock::time_point deadline) {
    while (!bytes.empty()) {
        const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (sent > 0) {
            bytes.remove_prefix(static_cast<size_t>(sent));
        } else if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(fd, POLLOUT, deadline)) return false;
        } else {
            return false;
        }
    }
    return true;
}

bool send_file(int client, int file, uint64_t size, Clock::time_point deadline) {
    off_t offset = 0;
    while (static_cast<uint64_t>(offset) < size) {
        const ssize_t sent = sendfile(client, file, &offset, std::min<uint64_t>(size - static_cast<uint64_t>(offset), 1 << 20));
        if (sent > 0) continue;
        if (sent < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!wait_for(client, POLLOUT, deadline)) return false;
            continue;
        }
        return false;  // an error, or the file shrank under us
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    return true;
}

constexpr std::string_view kNotFound = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";

}  // namespace

bool mirror_layout_path(std::string_view path) {
    if (path.starts_with("releases/")) return is_name(path.substr(9));
    if (path == "timestamp") return true;
    if (path.starts_with("fleet/segments/")) {  // docs/identity.md: fleet/segments/N, N decimal
        const std::string_view number = path.substr(15);
        return !number.empty() && number.size() <= 20 && number.find_first_not_of("0123456789") == std::string_view::npos;
    }
    if (path.starts_with("fleet/")) return is_name(path.substr(6));
    if (path.starts_with("blobs/") && path.size() == 6 + 2 + 1 + 62 && path[8] == '/')
        return is_hex(path.substr(6, 2)) && is_hex(path.substr(9));
    return false;
}

files::Expected<std::unique_ptr<MirrorServer>> MirrorServer::open(const MirrorServerOptions& options) {
    if (options.port < 0 || options.port > 65535)
        return files::failure("invalid port " + std::to_string(options.port) + " (0 to 65535; 0 picks a free one)");
    if (options.timeout_seconds < 1) return files::failure("the timeout must be at least 1 second");
    std::unique_ptr<MirrorServer> server(new MirrorServer(options));
    server->directory_fd_ = ::open(options.directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (server->directory_fd_ < 0) return files::failure(options.directory + ": " + std::strerror(errno));

    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;
    addrinfo* address = nullptr;
    const std::string port_text = std::to_string(options.port);
    if (const int failed = getaddrinfo(options.bind_address.c_str(), port_text.c_str(), &hints, &address); failed != 0)
        return files::failure("cannot listen on " + options.bind_address + ": " + gai_strerror(failed) +
                              " (give a numeric address, e.g. 127.0.0.1 or ::1)");
    const int fd = socket(address->ai_family, address->ai_socktype | SOCK_CLOEXEC, address->ai_protocol);
    // SO_REUSEADDR lets a restarted mirror take its port back from TIME_WAIT; unlike
    // SO_REUSEPORT, it never lets a second listener share a port another process listens on.
    const int yes = 1;
    const bool bound = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
                       bind(fd, address->ai_addr, address->ai_addrlen) == 0 && listen(fd, 128) == 0;
    const int bind_errno = errno;
    freeaddrinfo(address);
    if (!bound) {
        if (fd >= 0) close(fd);
        if (bind_errno == EADDRINUSE)
            return files::failure("port " + port_text + " on " + options.bind_address + " is already in use (another mirror?)");
        return files::failure("cannot listen on " + options.bind_address + ":" + port_text + ": " + std::strerror(bind_errno));
    }
    server->listen_fd_ = fd;
    sockaddr_storage local{};
    socklen_t length = sizeof local;
    getsockname(fd, reinterpret_cast<sockaddr*>(&local), &length);
    server->port_ = ntohs(local.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&local)->sin6_port
                                                      : reinterpret_cast<sockaddr_in*>(&local)->sin_port);
    return server;
}

MirrorServer::~MirrorServer() {
    stop();
    std::unique_lock lock(mutex_);
    clients_changed_.wait(lock, [this] { return clients_ == 0; });
    if (listen_fd_ >= 0) close(listen_fd_);
    if (directory_fd_ >= 0) close(directory_fd_);
}

void MirrorServer::stop() { stopping_ = true; }

void MirrorServer::serve() {
    while (!stopping_) {
        pollfd entry{listen_fd_, POLLIN, 0};
        if (poll(&entry, 1, 200) <= 0) continue;  // wakes up to notice stop()
        const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (client < 0) continue;
        const int yes = 1;
        setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
        {
            std::lock_guard lock(mutex_);
            if (clients_ == options_.max_clients) {  // full: say so at once, hold nothing
                const std::string_view busy = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
                (void)!send(client, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
                close(client);
                continue;
            }
            ++clients_;
        }
        std::thread([this, client] {
            serve_client(client);
            close(client);
            std::lock_guard lock(mutex_);
            --clients_;
            clients_changed_.notify_all();
        }).detach();
    }
    std::unique_lock lock(mutex_);
    clients_changed_.wait(lock, [this] { return clients_ == 0; });
}

void MirrorServer::serve_client(int client) {
    std::string pending;  // bytes received and not yet answered (a pipelined next request)
    char buffer[4096];
    // Invariant: each pass answers one request, or ends the connection; the head of each must
    // arrive within the timeout, so an idle or trickling client is dropped.
    for (bool keep_open = true; keep_open && !stopping_;) {
        const auto deadline = Clock::now() + std::chrono::seconds(options_.timeout_seconds);
        size_t end;
        while ((end = pending.find("\r\n\r\n")) == std::string::npos) {
            if (pending.size() >= kMaxRequestHead || !wait_for(client, POLLIN, deadline)) return;
            const ssize_t got = recv(client, buffer, sizeof buffer, MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) return;
            if (got > 0) pending.append(buffer, static_cast<size_t>(got));
        }
        const std::string request = pending.substr(0, end);
        pending.erase(0, end + 4);
        if (!answer(client, request, keep_open)) return;
    }
}

bool MirrorServer::answer(int client, std::string_view request, bool& keep_open) {
    const auto head_deadline = Clock::now() + std::chrono::seconds(options_.timeout_seconds);
    const size_t line_end = std::min(request.find("\r\n"), request.size());
    const std::string_view line = request.substr(0, line_end);
    const size_t first = line.find(' '), second = line.rfind(' ');
    if (first == std::string_view::npos || second == first) {
        keep_open = false;
        return send_all(client, "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", head_deadline);
    }
    const std::string_view method = line.substr(0, first), version = line.substr(second + 1);
    std::string_view target = line.substr(first + 1, second - first - 1);
    target = target.substr(0, target.find('?'));
    keep_open = version == "HTTP/1.1";
    for (size_t at = line_end; at < request.size();) {  // "Connection: close" ends it after this answer
        const size_t next = std::min(request.find("\r\n", at + 2), request.size());
        const std::string_view header = request.substr(at + 2, next - at - 2);
        const size_t colon = header.find(':');
        if (colon != std::string_view::npos && equals_ignoring_case(header.substr(0, colon), "connection")) {
            std::string_view value = header.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
            if (equals_ignoring_case(value, "close")) keep_open = false;
            if (equals_ignoring_case(value, "keep-alive")) keep_open = true;
        }
        at = next;
    }
    if (method != "GET" && method != "HEAD") {
        keep_open = false;
        return send_all(client, "HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                        head_deadline);
    }
    if (!target.starts_with('/') || !mirror_layout_path(target.substr(1))) return send_all(client, kNotFound, head_deadline);
    const int file = open_file_beneath(directory_fd_, target.substr(1));
    if (file < 0) return send_all(client, kNotFound, head_deadline);
    struct stat st{};
    fstat(file, &st);
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    const auto deadline = head_deadline + std::chrono::milliseconds(1000 * size / kMinimumClientRate);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: " + std::to_string(size) +
                             (keep_open ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
    const bool sent = send_all(client, head, deadline) && (method == "HEAD" || send_file(client, file, size, deadline));
    close(file);
    return sent;
}

}  // namespace packages
