// vectra mirror serve DIR: a store directory served over HTTP (lib/packages/mirror_server.h):
// the mirror layout only, never a symlink out, every client on a deadline. A mirror holds no
// authority: receivers verify everything. Binds 127.0.0.1 unless told otherwise; --port 0
// takes any free port and prints the one bound.
#include <csignal>
#include <cstdio>

#include "commands/commands.h"
#include "packages/mirror_server.h"

namespace commands {
namespace {

packages::MirrorServerOptions options;

int mirror_serve() {
    auto server = packages::MirrorServer::open(options);
    if (!server) {
        std::fprintf(stderr, "vectra: %s\n", server.error().c_str());
        return 1;
    }
    std::printf("serving %s on http://%s:%d/ (the mirror layout only; Ctrl-C stops)\n", options.directory.c_str(),
                options.bind_address.find(':') != std::string::npos ? ("[" + options.bind_address + "]").c_str()
                                                                    : options.bind_address.c_str(),
                (*server)->port());
    std::fflush(stdout);
    (*server)->serve();
    return 0;
}

}  // namespace

void register_mirror_commands(CLI::App& app) {
    auto* mirror = app.add_subcommand("mirror", "serve a store as an HTTP mirror");
    mirror->require_subcommand(1);
    auto* serve = mirror->add_subcommand("serve", "serve DIR over HTTP: releases/, blobs/ and fleet/ only");
    serve->add_option("directory", options.directory)->required();
    serve->add_option("--port", options.port, "TCP port; 0 picks a free one (printed)")
        ->capture_default_str()->check(CLI::Range(0, 65535));
    serve->add_option("--bind", options.bind_address, "numeric address to listen on")->capture_default_str();
    serve->add_option("--timeout", options.timeout_seconds,
                      "seconds a client has to send its request; each response gets this plus its size at 64 KiB/s")
        ->capture_default_str()->check(CLI::Range(1, 3600));
    serve->add_option("--max-clients", options.max_clients, "clients served at once; more are told 503")
        ->capture_default_str()->check(CLI::Range(1, 4096));
    serve->callback([] { throw CLI::RuntimeError(mirror_serve()); });
}

}  // namespace commands
