// vectra mirror serve's server: only the mirror layout is served (a state directory's
// machine.key, staging/ and any symlink out stay private), slow clients are dropped at their
// deadline and cannot stall anyone else, and a busy or invalid port is refused.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "packages/mirror_server.h"
#include "packages/source.h"
#include "store_fixture.h"

namespace {

using namespace packages_test;

class MirrorServe : public ::testing::Test {
protected:
    void SetUp() override {
        root = temporary_directory();
        write(root + "/mirror/releases/demo", "release");
        write(root + "/mirror/blobs/ab/" + std::string(62, 'c'), "blob");
        write(root + "/mirror/fleet/log", "log");
        write(root + "/mirror/machine.key", "SECRET");
        write(root + "/mirror/staging/" + std::string(64, 'd'), "staged");
        write(root + "/outside/" + std::string(62, 'e'), "outside");
        fs::create_symlink("../machine.key", root + "/mirror/releases/stolen");
        fs::create_symlink(root + "/outside", root + "/mirror/blobs/ee");
    }
    void TearDown() override {
        stop();
        fs::remove_all(root);
    }
    void start(int timeout_seconds = 1, size_t max_clients = 64) {
        packages::MirrorServerOptions options;
        options.directory = root + "/mirror";
        options.port = 0;
        options.timeout_seconds = timeout_seconds;
        options.max_clients = max_clients;
        auto opened = packages::MirrorServer::open(options);
        ASSERT_TRUE(opened) << opened.error();
        server = std::move(*opened);
        thread = std::thread([this] { server->serve(); });
    }
    void stop() {
        if (!server) return;
        server->stop();
        thread.join();
        server.reset();
    }
    // GET over our own HTTP client; the body, or "ERROR: ...".
    std::string get(const std::string& path) {
        auto source = packages::open_source("http://127.0.0.1:" + std::to_string(server->port()), 2);
        const auto data = source->get(path, 1 << 20);
        if (!data) return "ERROR: " + data.error().message;
        return {data->begin(), data->end()};
    }
    int connect_raw() {
        const int fd = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(static_cast<uint16_t>(server->port()));
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
        return fd;
    }

    std::string root;
    std::unique_ptr<packages::MirrorServer> server;
    std::thread thread;
};

TEST_F(MirrorServe, ServesTheMirrorLayoutAndNothingElse) {
    start();
    EXPECT_EQ(get("releases/demo"), "release");
    EXPECT_EQ(get("blobs/ab/" + std::string(62, 'c')), "blob");
    EXPECT_EQ(get("fleet/log"), "log");
    for (const std::string& secret : std::vector<std::string>{"machine.key", "staging/" + std::string(64, 'd'), "releases/stolen",
                                      "blobs/ee/" + std::string(62, 'e'), "releases/../machine.key", "releases", "lock",
                                      "releases/demo/", "blobs/ab/" + std::string(62, 'C')}) {
        const std::string answer = get(secret);
        EXPECT_NE(answer.find("HTTP status 404"), std::string::npos) << secret << ": " << answer;
        EXPECT_EQ(answer.find("SECRET"), std::string::npos) << secret;
    }
    EXPECT_TRUE(packages::mirror_layout_path("releases/demo"));
    EXPECT_TRUE(packages::mirror_layout_path("fleet/head"));
    EXPECT_TRUE(packages::mirror_layout_path("fleet/segments/12"));
    EXPECT_TRUE(packages::mirror_layout_path("timestamp"));
    EXPECT_FALSE(packages::mirror_layout_path("fleet/segments/../../machine.key"));
    EXPECT_FALSE(packages::mirror_layout_path("fleet/segments/"));
    EXPECT_FALSE(packages::mirror_layout_path("releases/.."));
    EXPECT_FALSE(packages::mirror_layout_path("fleet/../machine.key"));
}

TEST_F(MirrorServe, ADozenSlowClientsDoNotStallItAndEachIsDroppedAtItsDeadline) {
    start(/*timeout_seconds=*/2, /*max_clients=*/64);
    std::vector<int> slow;
    for (int i = 0; i < 12; ++i) {
        slow.push_back(connect_raw());
        ASSERT_EQ(send(slow.back(), "GET /releases/de", 16, 0), 16);  // and never the rest
    }
    const auto started = std::chrono::steady_clock::now();
    EXPECT_EQ(get("releases/demo"), "release");
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(1500));
    // Each slow client is cut off at its deadline (2 s), not held for ever.
    for (int fd : slow) {
        timeval wait{5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
        char byte;
        EXPECT_EQ(recv(fd, &byte, 1, 0), 0) << "a slow client was not dropped";
        close(fd);
    }
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(4));
}

TEST_F(MirrorServe, ClientsBeyondTheLimitAreToldBusyAtOnce) {
    start(/*timeout_seconds=*/2, /*max_clients=*/2);
    const int a = connect_raw(), b = connect_raw();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    EXPECT_NE(get("releases/demo").find("503"), std::string::npos);
    close(a);
    close(b);
}

TEST_F(MirrorServe, ABusyPortAndInvalidPortsAreRefused) {
    start();
    packages::MirrorServerOptions options;
    options.directory = root + "/mirror";
    options.port = server->port();
    auto second = packages::MirrorServer::open(options);
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().find("already in use"), std::string::npos) << second.error();
    for (int port : {-1, 65536, 99999}) {
        options.port = port;
        auto invalid = packages::MirrorServer::open(options);
        ASSERT_FALSE(invalid) << port;
        EXPECT_NE(invalid.error().find("invalid port"), std::string::npos) << invalid.error();
    }
    EXPECT_EQ(get("releases/demo"), "release");  // the first one still answers
}

}  // namespace
