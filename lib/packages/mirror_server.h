// `vectra mirror serve`: a store directory over HTTP, serving the mirror layout and nothing
// else. A mirror holds no authority (receivers verify every byte), but the directory it serves
// may sit beside secrets — a state directory holds machine.key — so the server answers only
// the names the layout defines (mirror_layout_path) and opens each component without following
// a symlink: a link planted in the directory never leads out of it.
//
// Every client has a deadline: its request head within `timeout`, each response within
// timeout + size / kMinimumClientRate. One thread per client, at most `max_clients` at once
// (the next is told 503 and closed), so a dozen slow clients cost a dozen threads for a bounded
// time, never the service.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "files/expected.h"

namespace packages {

inline constexpr uint64_t kMinimumClientRate = 64 << 10;  // bytes per second, as for mirrors
inline constexpr size_t kMaxRequestHead = 8 << 10;

// Is `path` (without its leading '/') a name the mirror layout defines? releases/NAME,
// blobs/ab/<62 hex>, timestamp, and the fleet's files: fleet/NAME (one lowercase name) and
// fleet/segments/N (docs/identity.md).
bool mirror_layout_path(std::string_view path);

struct MirrorServerOptions {
    std::string directory;
    std::string bind_address = "127.0.0.1";
    int port = 8080;  // 0: any free port
    int timeout_seconds = 10;
    size_t max_clients = 64;
};

class MirrorServer {
public:
    // Opens the directory and binds the port (refusing one in use, or out of range).
    [[nodiscard]] static files::Expected<std::unique_ptr<MirrorServer>> open(const MirrorServerOptions& options);
    ~MirrorServer();
    MirrorServer(const MirrorServer&) = delete;
    MirrorServer& operator=(const MirrorServer&) = delete;

    int port() const { return port_; }  // the port actually bound
    // Accepts clients until stop(); returns once every client thread has ended.
    void serve();
    void stop();

private:
    explicit MirrorServer(const MirrorServerOptions& options) : options_(options) {}
    void serve_client(int client);
    bool answer(int client, std::string_view request, bool& keep_open);

    MirrorServerOptions options_;
    int directory_fd_ = -1;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stopping_ = false;
    std::mutex mutex_;
    std::condition_variable clients_changed_;
    size_t clients_ = 0;  // guarded by mutex_
};

}  // namespace packages
