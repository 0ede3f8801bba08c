// The HTTP mirror client against mirrors that misbehave on purpose (a raw socket server in
// this process): a trickled manifest is cut off about `timeout` seconds in, not after 16 MiB at
// the minimum rate; an endless or over-declared one never grows the client past the limit;
// https:// is an HTTP mirror and other schemes are refused, never taken for paths.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include "packages/manifest.h"
#include "packages/source.h"
#include "store_fixture.h"

namespace {

using Clock = std::chrono::steady_clock;

// Serves one connection at a time on 127.0.0.1: reads a request head, then runs `respond`.
class RawServer {
public:
    explicit RawServer(std::function<void(int)> respond) : respond_(std::move(respond)) {
        listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof address);
        listen(listen_fd_, 4);
        socklen_t length = sizeof address;
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length);
        port_ = ntohs(address.sin_port);
        thread_ = std::thread([this] {
            const int client = accept(listen_fd_, nullptr, nullptr);
            if (client < 0) return;
            char buffer[4096];
            std::string head;
            while (head.find("\r\n\r\n") == std::string::npos) {
                const ssize_t got = recv(client, buffer, sizeof buffer, 0);
                if (got <= 0) break;
                head.append(buffer, static_cast<size_t>(got));
            }
            respond_(client);
            close(client);
        });
    }
    ~RawServer() {
        stopping = true;
        shutdown(listen_fd_, SHUT_RDWR);
        close(listen_fd_);
        thread_.join();
    }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::atomic<bool> stopping = false;

private:
    std::function<void(int)> respond_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::thread thread_;
};

bool send_text(int fd, const std::string& text) { return send(fd, text.data(), text.size(), MSG_NOSIGNAL) == ssize_t(text.size()); }

TEST(HttpSource, ATrickledManifestIsCutOffSoonAfterTheTimeout) {
    RawServer* self = nullptr;
    RawServer server([&](int client) {
        send_text(client, "HTTP/1.1 200 OK\r\nContent-Length: 10000000\r\n\r\nVXPM");
        // One byte every 100 ms: never silent long enough for a read timeout. Gives up after
        // 20 s so that a client without the fix fails the test instead of hanging it.
        for (int i = 0; i < 200 && !self->stopping; ++i) {
            if (!send_text(client, "x")) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    });
    self = &server;
    auto source = packages::open_source(server.url(), /*timeout_seconds=*/1);
    std::vector<uint8_t> data;
    const auto started = Clock::now();
    auto got = source->get_into("blobs/ab/cd", packages::kMaxManifestSize, data);
    EXPECT_FALSE(got);
    const std::string error = got ? "" : got.error().message;
    const auto took = Clock::now() - started;
    EXPECT_NE(error.find("too slow"), std::string::npos) << error;
    EXPECT_LT(took, std::chrono::seconds(4)) << "a trickled manifest held the fetch for "
                                              << std::chrono::duration_cast<std::chrono::seconds>(took).count() << " s";
}

TEST(HttpSource, AnEndlessManifestNeverGrowsTheClientPastTheLimit) {
    RawServer* self = nullptr;
    RawServer server([&](int client) {
        send_text(client, "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n");  // no length: until we hang up
        const std::string block(1 << 16, 'z');
        while (!self->stopping && send_text(client, block)) {
        }
    });
    self = &server;
    auto source = packages::open_source(server.url(), 5);
    std::vector<uint8_t> data;
    auto got = source->get_into("blobs/ab/cd", packages::kMaxManifestSize, data);
    EXPECT_FALSE(got);
    const std::string error = got ? "" : got.error().message;
    EXPECT_NE(error.find("more than the"), std::string::npos) << error;
    EXPECT_LE(data.capacity(), packages::kMaxManifestSize);
}

TEST(HttpSource, ADeclaredLengthOverTheLimitIsRefusedBeforeReading) {
    RawServer server([&](int client) { send_text(client, "HTTP/1.1 200 OK\r\nContent-Length: 999999999999\r\n\r\nVXPM"); });
    auto source = packages::open_source(server.url(), 5);
    std::vector<uint8_t> data;
    auto got = source->get_into("blobs/ab/cd", packages::kMaxManifestSize, data);
    EXPECT_FALSE(got);
    const std::string error = got ? "" : got.error().message;
    EXPECT_NE(error.find("declared 999999999999, refused before reading"), std::string::npos) << error;
    EXPECT_LE(data.capacity(), size_t(1) << 20);
}

TEST(HttpSource, HttpsIsAMirrorAndOtherSchemesAreRefusedNotTakenForPaths) {
    std::vector<uint8_t> data;
    // Nothing listens on port 1: the error is about connecting, not a missing directory.
    auto got = packages::open_source("https://127.0.0.1:1/mirror", 2)->get_into("releases/demo", 221, data);
    EXPECT_FALSE(got);
    const std::string error = got ? "" : got.error().message;
    EXPECT_EQ(error.find("No such file"), std::string::npos) << error;
    EXPECT_NE(error.find("https://127.0.0.1:1/mirror/releases/demo"), std::string::npos) << error;
    for (const char* other : {"ftp://example.org/mirror", "HTTP://127.0.0.1/", "file://localhost/tmp"}) {
        const auto refused = packages::open_source(other, 2)->get("releases/demo", 221);
        ASSERT_FALSE(refused) << other;
        EXPECT_NE(refused.error().message.find("is not a kind of mirror vectra knows"), std::string::npos) << refused.error().message;
    }
}

}  // namespace

namespace {

namespace fs = std::filesystem;

// "The mirror has no such file" is a fact a fleet sync acts on (a mirror without a fleet log is
// not an error), so every kind of source must say it as a flag, and only then.
TEST(Sources, SayWhenTheMirrorHasNoSuchFileAndOnlyThen) {
    std::string pattern = (fs::temp_directory_path() / "vectra-sources-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    const fs::path root = pattern;
    fs::create_directories(root / "mirror/fleet");
    std::ofstream(root / "mirror/fleet/head", std::ios::binary) << std::string(100, 'h');
    const std::string image = (root / "image.tar").string();
    ASSERT_EQ(std::system(("tar --format=ustar -C '" + (root / "mirror").string() + "' -cf '" + image + "' .").c_str()), 0);

    for (const std::string& location : {(root / "mirror").string(), image}) {
        auto source = packages::open_source(location, 2);
        const auto absent = source->get("fleet/segments/0", 1000);
        ASSERT_FALSE(absent) << location;
        EXPECT_TRUE(absent.error().missing) << absent.error().message;
        const auto too_long = source->get("fleet/head", 10);  // there, but over the limit
        ASSERT_FALSE(too_long) << location;
        EXPECT_FALSE(too_long.error().missing) << too_long.error().message;
        EXPECT_TRUE(source->get("fleet/head", 100)) << location;
    }
    {
        RawServer server([](int client) { send_text(client, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"); });
        const auto absent = packages::open_source(server.url(), 2)->get("fleet/head", 100);
        ASSERT_FALSE(absent);
        EXPECT_TRUE(absent.error().missing) << absent.error().message;
    }
    {
        RawServer server([](int client) { send_text(client, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n"); });
        const auto failed = packages::open_source(server.url(), 2)->get("fleet/head", 100);
        ASSERT_FALSE(failed);
        EXPECT_FALSE(failed.error().missing) << failed.error().message;
    }
    // Nothing listening: a failure to reach the mirror says nothing about what it holds.
    const auto unreachable = packages::open_source("http://127.0.0.1:1", 2)->get("fleet/head", 100);
    ASSERT_FALSE(unreachable);
    EXPECT_FALSE(unreachable.error().missing) << unreachable.error().message;
    fs::remove_all(root);
}

}  // namespace
