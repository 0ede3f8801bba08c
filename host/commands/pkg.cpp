// vectra pkg build | release | verify | ls | cat | gc | fetch, and vectra mirror serve.
#include <httplib.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "commands/commands.h"
#include "commands/state.h"
#include "commands/terminal.h"
#include "packages/fetch.h"

namespace commands {
namespace {

std::string state_option, store_option, directory, name, version_text, manifest_text, source, path;
int port = 8080, timeout_seconds = 10;
std::string bind_address = "127.0.0.1";

packages::Store open_store() {
    const StateDirectory state = state_directory(state_option);
    return packages::Store(store_option.empty() ? state.path + "/store" : store_option);
}

int pkg_build() {
    packages::Store store = open_store();
    std::string error;
    auto manifest = store.build(directory, error);
    if (!manifest) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return 1;
    }
    uint64_t bytes = 0;
    for (const auto& file : manifest->files) bytes += file.size;
    std::printf("package %s: %zu files, %llu bytes\n", packages::hex(manifest->hash()).c_str(), manifest->files.size(),
                static_cast<unsigned long long>(bytes));
    if (!name.empty()) {
        std::printf("release it with: vectra pkg release %s %s %s\n", name.c_str(),
                    version_text.empty() ? "VERSION" : version_text.c_str(), packages::hex(manifest->hash()).c_str());
    }
    return 0;
}

int pkg_release() {
    const StateDirectory state = state_directory(state_option);
    packages::Store store = open_store();
    packages::Release release;
    release.name = name;
    const auto version = packages::Version::parse(version_text);
    const auto manifest = packages::digest_from_hex(manifest_text);
    if (!identity::valid_machine_name(name) || !version || !manifest) {
        std::fprintf(stderr, "vectra: usage: pkg release NAME MAJOR.MINOR.PATCH MANIFEST-HASH (name: a-z, 0-9, '-')\n");
        return 2;
    }
    packages::Manifest check;
    std::string error;
    if (!store.read_manifest(*manifest, check, error)) {
        std::fprintf(stderr, "vectra: %s (build the package into this store first)\n", error.c_str());
        return 1;
    }
    if (const auto accepted = store.accepted_release(name); accepted && !(accepted->version < *version)) {
        std::fprintf(stderr, "vectra: %s %s is already released here; versions only go forward\n", name.c_str(),
                     accepted->version.text().c_str());
        return 1;
    }
    std::optional<identity::SigningKey> key;
    if (!load_machine_key(state, key)) return 1;
    release.version = *version;
    release.manifest = *manifest;
    release.time = now_seconds();
    packages::sign_release(release, *key);
    if (!store.put_release(release, error)) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return 1;
    }
    std::printf("released %s %s = %s, signed by %s\n", name.c_str(), version->text().c_str(), manifest_text.c_str(),
                identity::to_hex(key->public_key().bytes).c_str());
    return 0;
}

int pkg_ls() {
    for (const auto& r : open_store().releases())
        std::printf("%-24s %-12s %s  signer %s\n", r.name.c_str(), r.version.text().c_str(), packages::hex(r.manifest).c_str(),
                    identity::to_hex(r.signer.bytes).substr(0, 16).c_str());
    return 0;
}

int pkg_verify() {
    const auto problems = open_store().verify();
    for (const auto& problem : problems) std::fprintf(stderr, "vectra: %s\n", problem.c_str());
    if (problems.empty()) std::printf("every blob of every release verified\n");
    return problems.empty() ? 0 : 1;
}

int pkg_cat() {
    packages::Store store = open_store();
    const auto release = store.accepted_release(name);
    if (!release) {
        std::fprintf(stderr, "vectra: no release of '%s' in this store\n", name.c_str());
        return 1;
    }
    packages::Manifest manifest;
    std::string error;
    if (!store.read_manifest(release->manifest, manifest, error)) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return 1;
    }
    for (const auto& file : manifest.files) {
        if (file.path != path) continue;
        std::vector<uint8_t> chunk;
        for (size_t i = 0; i < file.chunks.size(); ++i) {
            if (!store.read_blob(file.chunks[i], chunk, error, packages::kChunkSize)) {
                std::fprintf(stderr, "vectra: %s\n", error.c_str());
                return 1;
            }
            std::fwrite(chunk.data(), 1, chunk.size(), stdout);
        }
        return 0;
    }
    std::fprintf(stderr, "vectra: %s has no file '%s'\n", name.c_str(), path.c_str());
    return 1;
}

int pkg_gc() {
    std::string error;
    const size_t removed = open_store().collect_garbage(error);
    if (!error.empty()) {
        std::fprintf(stderr, "vectra: %s (nothing removed)\n", error.c_str());
        return 1;
    }
    std::printf("removed %zu unreferenced blobs\n", removed);
    return 0;
}

int pkg_fetch() {
    const StateDirectory state = state_directory(state_option);
    packages::Store store = open_store();
    packages::FetchPolicy policy;
    // The fleet log this machine follows decides which machines may sign.
    std::optional<identity::FleetLog> fleet;
    const auto accepted = load_accepted_head(state);
    if (access(state.log_file().c_str(), F_OK) == 0) {
        if (!load_log_file(state.log_file(), accepted ? &accepted->person : nullptr, fleet)) return 1;
        policy.fleet = &*fleet;
    }
    std::vector<uint8_t> trusted;
    std::string error;
    if (identity::read_file(state.path + "/trusted-keys", trusted, error, 1 << 20)) {
        std::string text(trusted.begin(), trusted.end());
        size_t start = 0;
        while (start < text.size()) {
            size_t end = text.find('\n', start);
            if (end == std::string::npos) end = text.size();
            identity::PublicKey key;
            if (identity::from_hex(text.substr(start, std::min<size_t>(end - start, 64)), key.bytes)) policy.trusted_keys.push_back(key);
            start = end + 1;
        }
    }
    const bool terminal = stdout_is_terminal();
    const auto started = std::chrono::steady_clock::now();
    if (terminal) {
        policy.progress = [&](uint64_t done, uint64_t total) {
            const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
            const double rate = seconds > 0 ? double(done) / seconds : 0;
            std::fprintf(stdout, "\r%llu / %llu MiB, %.1f MiB/s, %.0f s left   ", (unsigned long long)(done >> 20),
                         (unsigned long long)(total >> 20), rate / (1 << 20), rate > 0 ? double(total - done) / rate : 0.0);
            std::fflush(stdout);
        };
    }
    auto mirror = packages::open_source(source, timeout_seconds);
    const auto result = packages::fetch_package(*mirror, name, store, policy);
    if (terminal) std::printf("\n");
    if (!result.ok) {
        std::fprintf(stderr, "vectra: refused: %s (the store is unchanged)\n", result.error.c_str());
        return 1;
    }
    if (result.already_current) std::printf("%s %s is already here\n", name.c_str(), result.release.version.text().c_str());
    else
        std::printf("fetched %s %s: %llu bytes, %llu chunks already present, every byte verified\n", name.c_str(),
                    result.release.version.text().c_str(), (unsigned long long)result.bytes_fetched,
                    (unsigned long long)result.chunks_reused);
    return 0;
}

int mirror_serve() {
    httplib::Server server;
    if (!server.set_mount_point("/", directory)) {
        std::fprintf(stderr, "vectra: %s is not a directory\n", directory.c_str());
        return 1;
    }
    server.set_read_timeout(timeout_seconds, 0);
    server.set_write_timeout(timeout_seconds, 0);
    std::printf("serving %s on http://%s:%d/ (a mirror is just files; Ctrl-C stops)\n", directory.c_str(), bind_address.c_str(), port);
    std::fflush(stdout);
    if (!server.listen(bind_address.c_str(), port)) {
        std::fprintf(stderr, "vectra: cannot listen on %s:%d\n", bind_address.c_str(), port);
        return 1;
    }
    return 0;
}

}  // namespace

void register_pkg_commands(CLI::App& app) {
    auto* pkg = app.add_subcommand("pkg", "packages: bytes named by their hash, releases signed by the fleet");
    pkg->require_subcommand(1);
    pkg->add_option("--state-dir", state_option, "state directory (machine key, fleet log, trusted-keys)");
    pkg->add_option("--store", store_option, "package store (default: <state-dir>/store)");
    auto* build = pkg->add_subcommand("build", "chunk a directory into the store and print its manifest hash");
    build->add_option("directory", directory)->required();
    build->add_option("--name", name);
    build->add_option("--version", version_text);
    build->callback([] { throw CLI::RuntimeError(pkg_build()); });
    auto* release = pkg->add_subcommand("release", "sign NAME VERSION = MANIFEST with this machine's key (alias: sign)");
    release->alias("sign");
    release->add_option("name", name)->required();
    release->add_option("version", version_text)->required();
    release->add_option("manifest", manifest_text)->required();
    release->callback([] { throw CLI::RuntimeError(pkg_release()); });
    pkg->add_subcommand("ls", "releases in the store")->callback([] { throw CLI::RuntimeError(pkg_ls()); });
    pkg->add_subcommand("verify", "re-check every blob of every release")->callback([] { throw CLI::RuntimeError(pkg_verify()); });
    auto* cat = pkg->add_subcommand("cat", "print a file of a package, verified");
    cat->add_option("name", name)->required();
    cat->add_option("path", path)->required();
    cat->callback([] { throw CLI::RuntimeError(pkg_cat()); });
    pkg->add_subcommand("gc", "remove blobs no release needs")->callback([] { throw CLI::RuntimeError(pkg_gc()); });
    auto* fetch = pkg->add_subcommand("fetch", "fetch NAME from a mirror (http://… or a directory), verifying every byte");
    fetch->add_option("source", source)->required();
    fetch->add_option("name", name)->required();
    fetch->add_option("--timeout", timeout_seconds, "seconds before a silent mirror is given up");
    fetch->callback([] { throw CLI::RuntimeError(pkg_fetch()); });

    auto* mirror = app.add_subcommand("mirror", "serve a store as an HTTP mirror");
    mirror->require_subcommand(1);
    auto* serve = mirror->add_subcommand("serve", "serve DIR over HTTP (blobs/, releases/)");
    serve->add_option("directory", directory)->required();
    serve->add_option("--port", port);
    serve->add_option("--bind", bind_address, "address to listen on (default 127.0.0.1)");
    serve->callback([] { throw CLI::RuntimeError(mirror_serve()); });
}

}  // namespace commands
