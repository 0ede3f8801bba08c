// vectra mirror serve DIR: a store directory served as-is over HTTP (cpp-httplib). A mirror
// is just files, so it needs no index and holds no authority: receivers verify everything.
// Binds 127.0.0.1 unless told otherwise; --port 0 takes any free port and prints it.
#include <httplib.h>

#include <cstdio>

#include "commands/commands.h"

namespace commands {
namespace {

std::string directory, bind_address = "127.0.0.1";
int port = 8080, timeout_seconds = 10;

int mirror_serve() {
    httplib::Server server;
    if (!server.set_mount_point("/", directory)) {
        std::fprintf(stderr, "vectra: %s is not a directory\n", directory.c_str());
        return 1;
    }
    // A slow or silent client must not hold a worker for ever.
    server.set_read_timeout(timeout_seconds, 0);
    server.set_write_timeout(timeout_seconds, 0);
    server.set_file_extension_and_mimetype_mapping("", "application/octet-stream");
    const int bound = port == 0 ? server.bind_to_any_port(bind_address.c_str()) : (server.bind_to_port(bind_address.c_str(), port) ? port : -1);
    if (bound < 0) {
        std::fprintf(stderr, "vectra: cannot listen on %s:%d\n", bind_address.c_str(), port);
        return 1;
    }
    std::printf("serving %s on http://%s:%d/ (a mirror is just files; Ctrl-C stops)\n", directory.c_str(), bind_address.c_str(), bound);
    std::fflush(stdout);
    return server.listen_after_bind() ? 0 : 1;
}

}  // namespace

void register_mirror_commands(CLI::App& app) {
    auto* mirror = app.add_subcommand("mirror", "serve a store as an HTTP mirror");
    mirror->require_subcommand(1);
    auto* serve = mirror->add_subcommand("serve", "serve DIR over HTTP as-is (blobs/, releases/)");
    serve->add_option("directory", directory)->required();
    serve->add_option("--port", port, "TCP port; 0 picks a free one (printed)");
    serve->add_option("--bind", bind_address, "address to listen on (default 127.0.0.1)");
    serve->add_option("--timeout", timeout_seconds, "seconds before a silent client is dropped");
    serve->callback([] { throw CLI::RuntimeError(mirror_serve()); });
}

}  // namespace commands
