// vectra pkg build | release | verify | ls | cat | files | extract | gc | fetch (vectra mirror serve: mirror.cpp).
// The commands only parse arguments and print; every rule lives in lib/packages.
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/fleet_sync.h"
#include "commands/state.h"
#include "commands/terminal.h"
#include "packages/extract.h"
#include "packages/fetch.h"

namespace commands {
namespace {

std::string state_option, store_option, directory, name, version_text, manifest_text, source, path;
std::vector<std::string> dependency_texts;
int timeout_seconds = 10;
bool allow_stale = false;

packages::Store open_store() {
    const StateDirectory state = state_directory(state_option);
    return packages::Store(store_option.empty() ? state.path + "/store" : store_option);
}

// Who may sign releases here: machines whose certificate stands in this machine's fleet log,
// and the keys in <state-dir>/trusted-keys (one hex key per line; '#' starts a comment).
// `fleet` holds the log that `policy.fleet` points to.
files::Expected<> load_signer_policy(const StateDirectory& state, std::optional<identity::FleetLog>& fleet, packages::FetchPolicy& policy) {
    // The log is checked against fleet.head: a rolled-back log would hide a revocation.
    fleet = VECTRA_TRY(load_fleet(state));
    if (fleet) policy.fleet = &*fleet;
    const std::string trusted_file = state.path + "/trusted-keys";
    if (access(trusted_file.c_str(), F_OK) != 0) return {};
    const auto trusted = VECTRA_TRY(files::read_file(trusted_file, 1 << 20));
    const std::string text(trusted.begin(), trusted.end());
    size_t start = 0, line = 0;
    while (start < text.size()) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string entry = text.substr(start, end - start);
        ++line;
        start = end + 1;
        entry = entry.substr(0, entry.find('#'));
        while (!entry.empty() && (entry.back() == ' ' || entry.back() == '\r' || entry.back() == '\t')) entry.pop_back();
        if (entry.empty()) continue;
        identity::PublicKey key;
        if (!identity::from_hex(entry, key.bytes))
            return files::failure(trusted_file + " line " + std::to_string(line) + ": not a public key (64 hex digits)");
        policy.trusted_keys.push_back(key);
    }
    return {};
}

packages::SignerCheck signer_check(const packages::FetchPolicy& policy) {
    return [&policy](const packages::Release& release) {
        return packages::signer_is_trusted(release, policy.fleet, policy.trusted_keys);
    };
}

// The accepted release of `name` that commands may read from: refused when there is none or
// its signer no longer stands.
files::Expected<packages::Release> standing_head(const packages::Store& store, const packages::FetchPolicy& policy) {
    const packages::AcceptedState accepted = VECTRA_TRY(store.read_standing(name, signer_check(policy)));
    if (!accepted.head) return files::failure("no release of '" + name + "' in this store");
    if (!accepted.head_revoked.empty())
        return files::failure("refused: " + name + " " + accepted.head->version.text() + " no longer stands (" + accepted.head_revoked +
                              "); fetch a release by a machine that does");
    return *accepted.head;
}

int pkg_build() {
    packages::Store store = open_store();
    std::vector<packages::Sha256Digest> dependencies;
    for (const auto& text : dependency_texts) {
        const auto digest = packages::digest_from_hex(text);
        if (!digest) {
            std::fprintf(stderr, "vectra: --depends takes a manifest hash (64 hex digits), not '%s'\n", text.c_str());
            return 2;
        }
        dependencies.push_back(*digest);
    }
    auto built = store.build(directory, dependencies);
    if (!built) {
        std::fprintf(stderr, "vectra: %s\n", built.error().c_str());
        return 1;
    }
    // Symlinks and special files are not part of a v1 package: say which were left out.
    for (const auto& skipped : built->skipped) std::fprintf(stderr, "vectra: not packaged: %s\n", skipped.c_str());
    const packages::Manifest* manifest = &built->manifest;
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
    const auto held = store.lock();  // from the version check to the write
    if (!held) {
        std::fprintf(stderr, "vectra: %s\n", held.error().c_str());
        return 1;
    }
    if (auto check = store.read_manifest(*manifest); !check) {
        std::fprintf(stderr, "vectra: %s (build the package into this store first)\n", check.error().c_str());
        return 1;
    }
    packages::FetchPolicy policy;
    std::optional<identity::FleetLog> fleet;
    if (auto loaded = load_signer_policy(state, fleet, policy); !loaded) return report(loaded.error(), kExitRefused);
    auto standing = store.read_standing(name, signer_check(policy));
    if (!standing) {
        std::fprintf(stderr, "vectra: %s\n", standing.error().c_str());
        return 1;
    }
    const packages::AcceptedState& accepted = *standing;
    if (accepted.standing && !(accepted.standing->version < *version)) {
        std::fprintf(stderr, "vectra: %s %s is already released here; versions only go forward\n", name.c_str(),
                     accepted.standing->version.text().c_str());
        return 1;
    }
    auto key = load_machine_key(state);
    if (!key) return report(key.error(), kExitRefused);
    // Would receivers accept this signer? Say so before signing, not after they refuse.
    const identity::FleetMachine* machine = fleet ? fleet->find_machine(key->public_key()) : nullptr;
    if (machine != nullptr && machine->revoked) {
        std::fprintf(stderr, "vectra: this machine ('%s') is revoked in the fleet log; every receiver refuses its releases. Nothing signed.\n",
                     machine->name.c_str());
        return 1;
    }
    if (machine == nullptr)
        std::fprintf(stderr, "vectra: warning: this machine is not enrolled in %s; receivers will refuse this release unless they list its key in trusted-keys\n",
                     fleet ? "the fleet log" : "a fleet (no fleet log here)");
    release.version = *version;
    release.manifest = *manifest;
    release.time = now_seconds();
    packages::sign_release(release, *key);
    if (auto recorded = store.put_release(release); !recorded) {
        std::fprintf(stderr, "vectra: %s\n", recorded.error().c_str());
        return 1;
    }
    std::printf("released %s %s = %s, signed by %s\n", name.c_str(), version->text().c_str(), manifest_text.c_str(),
                identity::to_hex(key->public_key().bytes).c_str());
    return 0;
}

int pkg_ls() {
    const StateDirectory state = state_directory(state_option);
    packages::FetchPolicy policy;
    std::optional<identity::FleetLog> fleet;
    if (auto loaded = load_signer_policy(state, fleet, policy); !loaded) return report(loaded.error(), kExitRefused);
    const auto list = open_store().list_releases();
    for (const auto& problem : list.problems) std::fprintf(stderr, "vectra: %s\n", problem.c_str());
    for (const auto& r : list.releases) {
        const auto stands = packages::signer_is_trusted(r, policy.fleet, policy.trusted_keys);
        std::printf("%-24s %-12s %s  signer %s%s%s\n", r.name.c_str(), r.version.text().c_str(), packages::hex(r.manifest).c_str(),
                    identity::to_hex(r.signer.bytes).substr(0, 16).c_str(), stands ? "" : "  NOT STANDING: ",
                    stands ? "" : stands.error().c_str());
    }
    return list.problems.empty() ? 0 : 1;
}

int pkg_verify() {
    const StateDirectory state = state_directory(state_option);
    const packages::Store store = open_store();
    auto verified = store.verify();
    std::vector<std::string> problems = verified ? std::vector<std::string>() : std::move(verified.error());
    // A release stays installed after its machine is revoked; say so, it no longer stands.
    packages::FetchPolicy policy;
    std::optional<identity::FleetLog> fleet;
    if (auto loaded = load_signer_policy(state, fleet, policy); !loaded) return report(loaded.error(), kExitRefused);
    const auto releases = store.releases();
    for (const auto& release : releases) {
        if (auto stands = packages::signer_is_trusted(release, policy.fleet, policy.trusted_keys); !stands)
            problems.push_back(release.name + " " + release.version.text() + ": " + stands.error());
    }
    for (const auto& problem : problems) std::fprintf(stderr, "vectra: %s\n", problem.c_str());
    if (problems.empty()) std::printf("%zu releases: every signer stands, every blob verified\n", releases.size());
    return problems.empty() ? 0 : 1;
}

// The manifest of the standing accepted release of `name`.
files::Expected<packages::Manifest> standing_manifest(packages::Store& store) {
    const StateDirectory state = state_directory(state_option);
    packages::FetchPolicy policy;
    std::optional<identity::FleetLog> fleet;
    VECTRA_TRY(load_signer_policy(state, fleet, policy));
    const packages::Release head = VECTRA_TRY(standing_head(store, policy));
    return store.read_manifest(head.manifest);
}

int pkg_cat() {
    packages::Store store = open_store();
    const auto standing = standing_manifest(store);
    if (!standing) return report(standing.error(), kExitRefused);
    const packages::Manifest& manifest = *standing;
    for (const auto& file : manifest.files) {
        if (file.path != path) continue;
        for (size_t i = 0; i < file.chunks.size(); ++i) {
            const auto chunk = store.read_blob(file.chunks[i], packages::kChunkSize);
            if (!chunk) {
                std::fprintf(stderr, "vectra: %s\n", chunk.error().c_str());
                return 1;
            }
            std::fwrite(chunk->data(), 1, chunk->size(), stdout);
        }
        return 0;
    }
    std::fprintf(stderr, "vectra: %s has no file %s\n", name.c_str(), packages::quoted_for_error(path).c_str());
    return 1;
}

int pkg_files() {
    packages::Store store = open_store();
    const auto standing = standing_manifest(store);
    if (!standing) return report(standing.error(), kExitRefused);
    const packages::Manifest& manifest = *standing;
    for (const auto& file : manifest.files)
        std::printf("%04o %12llu  %s\n", file.mode, (unsigned long long)file.size, file.path.c_str());
    return 0;
}

int pkg_extract() {
    packages::Store store = open_store();
    const auto standing = standing_manifest(store);
    if (!standing) return report(standing.error(), kExitRefused);
    const packages::Manifest& manifest = *standing;
    const auto extracted = packages::extract_package(store, manifest, directory);
    if (!extracted) {
        std::fprintf(stderr, "vectra: %s (nothing extracted)\n", extracted.error().c_str());
        return 1;
    }
    std::printf("extracted %s: %zu files, %llu bytes into %s, every byte verified\n", name.c_str(), extracted->files,
                (unsigned long long)extracted->bytes, directory.c_str());
    return 0;
}

int pkg_gc() {
    const auto removed = open_store().collect_garbage();
    if (!removed) {
        std::fprintf(stderr, "vectra: %s (nothing removed)\n", removed.error().c_str());
        return 1;
    }
    std::printf("removed %zu unreferenced blobs\n", *removed);
    return 0;
}

int pkg_fetch() {
    const StateDirectory state = state_directory(state_option);
    packages::Store store = open_store();
    // The fleet log first, when the source carries one: a revocation reaches this machine
    // before a release signed by the revoked machine is judged (commands/fleet_sync.h).
    auto mirror = packages::open_source(source, timeout_seconds);
    if (const int synced = sync_fleet(state, *mirror, 30, /*quiet_when_absent=*/true).exit_code; synced != 0) return synced;
    packages::FetchPolicy policy;
    std::optional<identity::FleetLog> fleet;
    if (auto loaded = load_signer_policy(state, fleet, policy); !loaded) return report(loaded.error(), kExitRefused);
    const bool terminal = stdout_is_terminal();
    if (terminal) {
        // The rate counts only bytes from the source since the first of them arrived, and no
        // estimate is shown until a second has passed (before that a rate means nothing).
        std::optional<std::chrono::steady_clock::time_point> first;
        uint64_t first_bytes = 0;
        policy.progress = [&](const packages::FetchProgress& at) {
            const auto now = std::chrono::steady_clock::now();
            if (!first) {
                first = now;
                first_bytes = at.fetched;
            }
            const double seconds = std::chrono::duration<double>(now - *first).count();
            const double rate = seconds >= 1 ? double(at.fetched - first_bytes) / seconds : 0;
            std::fprintf(stdout, "\r%llu / %llu MiB", (unsigned long long)(at.done >> 20), (unsigned long long)(at.total >> 20));
            if (rate > 0)
                std::fprintf(stdout, ", %.1f MiB/s, %.0f s left   ", rate / (1 << 20), double(at.total - at.done) / rate);
            else
                std::fprintf(stdout, "                              ");
            std::fflush(stdout);
        };
    }
    // The freeze defence: once the fleet grants the timestamp role, every source must carry a
    // fresh timestamp (--allow-stale takes the risk knowingly, and says so).
    policy.require_timestamp = policy.fleet != nullptr && packages::fleet_requires_timestamps(*policy.fleet) && !allow_stale;
    if (allow_stale && policy.fleet != nullptr && packages::fleet_requires_timestamps(*policy.fleet))
        std::fprintf(stderr, "vectra: warning: --allow-stale: not checking that %s is fresh; it may be withholding newer releases\n",
                     source.c_str());
    std::vector<std::string> warnings;  // printed after the progress line
    policy.warning = [&](const std::string& warning) { warnings.push_back(warning); };
    const auto fetched = packages::fetch_package(*mirror, name, store, policy);
    if (terminal) std::printf("\n");
    for (const auto& warning : warnings) std::fprintf(stderr, "vectra: warning: %s\n", warning.c_str());
    if (!fetched) {
        std::fprintf(stderr, "vectra: refused: %s (the store is unchanged)\n", fetched.error().c_str());
        return 1;
    }
    const packages::Fetched& result = *fetched;
    if (result.already_current && result.chunks_repaired + result.manifests_repaired > 0)
        std::printf("%s %s is already here; repaired from the source: %llu chunks, %zu manifests (missing or corrupt here)\n",
                    name.c_str(), result.release.version.text().c_str(), (unsigned long long)result.chunks_repaired,
                    result.manifests_repaired);
    else if (result.already_current)
        std::printf("%s %s is already here (every blob checked)\n", name.c_str(), result.release.version.text().c_str());
    else
        std::printf("fetched %s %s: %llu bytes, %llu chunks already present%s, every byte verified\n", name.c_str(),
                    result.release.version.text().c_str(), (unsigned long long)result.bytes_fetched,
                    (unsigned long long)result.chunks_reused,
                    result.chunks_repaired ? (", " + std::to_string(result.chunks_repaired) + " corrupt here and fetched again").c_str() : "");
    return 0;
}

}  // namespace

void register_mirror_commands(CLI::App& app);     // mirror.cpp
void register_timestamp_commands(CLI::App& pkg, const std::string& pkg_state, const std::string& pkg_store);  // timestamp.cpp

void register_pkg_commands(CLI::App& app) {
    auto* pkg = app.add_subcommand("pkg", "packages: bytes named by their hash, releases signed by the fleet");
    pkg->require_subcommand(1);
    pkg->add_option("--state-dir", state_option, "state directory (machine key, fleet log, trusted-keys)");
    pkg->add_option("--store", store_option, "package store (default: <state-dir>/store)");
    auto* build = pkg->add_subcommand("build", "chunk a directory into the store and print its manifest hash");
    build->add_option("directory", directory)->required();
    build->add_option("--name", name);
    build->add_option("--version", version_text);
    build->add_option("--depends", dependency_texts, "manifest hash of a package this one needs (repeatable)");
    build->callback([] { throw CLI::RuntimeError(pkg_build()); });
    auto* release = pkg->add_subcommand("release", "sign NAME VERSION = MANIFEST with this machine's key (alias: sign)");
    release->alias("sign");
    release->add_option("name", name)->required();
    release->add_option("version", version_text)->required();
    release->add_option("manifest", manifest_text)->required();
    release->callback([] { throw CLI::RuntimeError(pkg_release()); });
    pkg->add_subcommand("ls", "releases in the store")->callback([] { throw CLI::RuntimeError(pkg_ls()); });
    pkg->add_subcommand("verify", "re-check every blob of every release, and that its signer still stands")->callback([] { throw CLI::RuntimeError(pkg_verify()); });
    auto* cat = pkg->add_subcommand("cat", "print a file of a package, verified");
    cat->add_option("name", name)->required();
    cat->add_option("path", path)->required();
    cat->callback([] { throw CLI::RuntimeError(pkg_cat()); });
    auto* files = pkg->add_subcommand("files", "list the files of a package: mode, size, path");
    files->add_option("name", name)->required();
    files->callback([] { throw CLI::RuntimeError(pkg_files()); });
    auto* extract = pkg->add_subcommand("extract", "write the files of a package into a new directory, verified");
    extract->add_option("name", name)->required();
    extract->add_option("directory", directory, "a directory that does not exist yet")->required();
    extract->callback([] { throw CLI::RuntimeError(pkg_extract()); });
    pkg->add_subcommand("gc", "remove blobs no release needs")->callback([] { throw CLI::RuntimeError(pkg_gc()); });
    auto* fetch = pkg->add_subcommand("fetch", "fetch NAME from a mirror (http://…, a directory, or a tar image), verifying every byte");
    fetch->add_option("source", source)->required();
    fetch->add_option("name", name)->required();
    fetch->add_flag("--allow-stale", allow_stale, "fetch even without a fresh timestamp when the fleet requires one (a freeze goes unnoticed)");
    fetch->add_option("--timeout", timeout_seconds, "seconds to connect and per read before a silent mirror is given up");
    fetch->callback([] { throw CLI::RuntimeError(pkg_fetch()); });

    register_timestamp_commands(*pkg, state_option, store_option);
    register_mirror_commands(app);
}

}  // namespace commands
