// ./vectra bench fleet: what syncing the fleet log costs. A log of --base statements (default
// 100,000) grows by k = 1, 100, 10,000; a machine at the old head syncs from a mirror. Printed:
// time, requests and bytes of the sync, in process and through the real `vectra fleet sync`
// over a mirror directory, beside what a machine would otherwise do — take the whole log
// (`fleet merge` of a copied fleet.log, which verifies every signature) — and beside `fleet
// verify` from scratch. Times are CPU seconds (user + system) of the process doing the work.
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <ctime>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "files/files.h"
#include "identity/fleet_mirror.h"
#include "identity/fleet_state.h"
#include "simulation.h"

extern char** environ;

namespace {

// CPU seconds, not wall time: the figures must not depend on what else the machine runs.
struct Clock {
    using time_point = double;
    static double now() {
        timespec t{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
    }
};
double seconds_since(double start) { return Clock::now() - start; }

identity::SigningKey key_from(uint64_t n) {
    std::vector<uint8_t> seed(32, 0x42);
    std::memcpy(seed.data(), &n, sizeof n);
    return identity::SigningKey::from_seed(seed);
}

// Certificates with every fourth statement revoking an earlier machine, as a fleet that
// churns through machines would look. Signed here and taken in with restore (the chain and
// rules checked, signatures not): verifying is what is measured below, not while building.
identity::FleetLog make_log(const identity::SigningKey& person, uint64_t length) {
    std::vector<identity::Statement> statements;
    statements.reserve(length);
    identity::Sha256Digest previous{};
    uint64_t machines = 0, revoked = 0;
    while (statements.size() < length) {
        identity::Statement s;
        s.sequence = statements.size();
        s.previous = previous;
        s.time = 1'700'000'000 + s.sequence;
        if (s.sequence == 0) {
            s.kind = identity::StatementKind::Genesis;
            s.key = person.public_key();
        } else if (s.sequence % 4 == 3 && revoked + 1 < machines) {
            s.kind = identity::StatementKind::Revocation;
            s.key = key_from(revoked++).public_key();
            s.text = "retired";
        } else {
            s.kind = identity::StatementKind::MachineCertificate;
            s.key = key_from(machines).public_key();
            s.text = "m" + std::to_string(machines++);
        }
        identity::sign_statement(s, person);
        previous = s.hash();
        statements.push_back(std::move(s));
    }
    const identity::AcceptedHead head{person.public_key(), length, previous};
    auto log = identity::FleetLog::restore(statements, head);
    if (!log) std::abort();
    return std::move(*log);
}

identity::FleetLog prefix(const identity::FleetLog& log, uint64_t length) {
    const std::vector<identity::Statement> statements(log.statements().begin(), log.statements().begin() + static_cast<long>(length));
    identity::AcceptedHead head{log.person(), length, log.hash_at(length - 1)};
    return identity::FleetLog::restore(statements, head).value();
}

struct Run {
    double seconds = 0;
    int status = -1;
    std::string output;
};
Run run(const std::vector<std::string>& arguments) {
    std::vector<char*> argv;
    for (const auto& a : arguments) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    int pipe_ends[2];
    if (pipe(pipe_ends) != 0) std::abort();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_ends[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", 0, 0);
    Run result;
    pid_t child;
    if (posix_spawn(&child, argv[0], &actions, nullptr, argv.data(), environ) != 0) std::abort();
    close(pipe_ends[1]);
    char buffer[4096];
    for (ssize_t n; (n = read(pipe_ends[0], buffer, sizeof buffer)) > 0;) result.output.append(buffer, static_cast<size_t>(n));
    close(pipe_ends[0]);
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);  // the child's CPU time, user and system
    result.seconds = double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    posix_spawn_file_actions_destroy(&actions);
    return result;
}

// A machine's state directory as its last save left it: fleet.log, fleet.head and, unless
// `without_verified_state` (a machine that has not saved since fleet.state existed), fleet.state.
void write_state(const std::string& directory, const identity::FleetLog& log, bool without_verified_state = false) {
    std::filesystem::create_directories(directory);
    const auto bytes = identity::encode_log(log.statements());
    if (!files::write_file_atomically(directory + "/fleet.log", bytes, 0644) ||
        !files::write_file_atomically(directory + "/fleet.head", identity::encode_head(log.head()), 0644))
        std::abort();
    if (without_verified_state) return;
    const identity::SavedState saved{log.verified_state(identity::kSegmentStatements), bytes.size(),
                                     static_cast<uint32_t>(4 + log.statements().back().encode().size())};
    if (!files::write_file_atomically(directory + "/fleet.state", identity::encode_saved_state(saved), 0644)) std::abort();
}

void write_mirror(const std::string& directory, const identity::FleetLog& log) {
    std::filesystem::create_directories(directory + "/fleet/segments");
    for (const auto& [path, bytes] : identity::mirror_files(log))
        if (!files::write_file_atomically(directory + "/" + path, bytes, 0644, files::Durability::Deferred)) std::abort();
}

}  // namespace

int main(int argc, char** argv) {
    if (!identity::crypto_init()) return 1;
    setvbuf(stdout, nullptr, _IOLBF, 0);  // progress shows as it happens, also through a pipe
    uint64_t base = 100'000;
    std::string vectra;
    bool simulate = true;
    std::vector<uint64_t> ks = {1, 100, 10'000};
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--base") && i + 1 < argc) base = std::stoull(argv[++i]);
        else if (!std::strcmp(argv[i], "--vectra") && i + 1 < argc) vectra = argv[++i];
        else if (!std::strcmp(argv[i], "--no-simulation")) simulate = false;
        else {
            std::fprintf(stderr, "usage: bench-fleet [--base N] [--vectra PATH-TO-vectra-host] [--no-simulation]\n");
            return 2;
        }
    }
    const auto person = key_from(~0ull);
    std::printf("building a log of %llu statements ... ", static_cast<unsigned long long>(base + ks.back()));
    std::fflush(stdout);
    auto start = Clock::now();
    const identity::FleetLog full = make_log(person, base + ks.back());
    std::printf("%.1f s\n\n", seconds_since(start));
    const identity::FleetLog at_base = prefix(full, base);
    const auto base_bytes = identity::encode_log(at_base.statements());

    // From scratch: parse and verify every signature (what `fleet verify` does).
    start = Clock::now();
    const auto parsed = identity::parse_log(base_bytes);
    if (!parsed) return 1;
    const auto verified = identity::FleetLog::verify(*parsed, person.public_key());
    const double verify_seconds = seconds_since(start);
    if (!verified) return 1;
    // What every command pays to load its own log: parse and restore against the head.
    start = Clock::now();
    const auto reparsed = identity::parse_log(base_bytes);
    if (!reparsed) return 1;
    const auto restored = identity::FleetLog::restore(*reparsed, at_base.head());
    const double restore_seconds = seconds_since(start);
    if (!restored) return 1;

    std::printf("in process, head of %llu statements (%.1f MB as a log file)\n", static_cast<unsigned long long>(base),
                base_bytes.size() / 1e6);
    std::printf("  %-44s %10.3f s\n", "verify from scratch (every signature)", verify_seconds);
    std::printf("  %-44s %10.3f s\n", "load own log against its head (no signatures)", restore_seconds);
    std::printf("\n  %-8s %12s %10s %12s %14s\n", "k new", "sync time", "requests", "bytes read", "bytes / new");
    for (const uint64_t k : ks) {
        const identity::FleetLog grown = prefix(full, base + k);
        std::map<std::string, std::vector<uint8_t>> mirror;
        for (auto& [path, bytes] : identity::mirror_files(grown)) mirror[path] = std::move(bytes);
        const identity::Fetch fetch = [&](const std::string& path, size_t limit) -> std::expected<std::vector<uint8_t>, identity::FetchFailure> {
            const auto it = mirror.find(path);
            if (it == mirror.end()) return std::unexpected(identity::FetchFailure{path + " missing", true});
            if (it->second.size() > limit) return std::unexpected(identity::FetchFailure{path + " too large", false});
            return it->second;
        };
        identity::FleetLog ours = at_base;
        start = Clock::now();
        const auto outcome = identity::sync_from_mirror(ours, fetch, "memory");
        const double seconds = seconds_since(start);
        if (!outcome || ours.head_hash() != grown.head_hash()) return 1;
        std::printf("  %-8llu %10.4f s %10llu %12llu %14.0f\n", static_cast<unsigned long long>(k), seconds,
                    static_cast<unsigned long long>(outcome->requests), static_cast<unsigned long long>(outcome->bytes),
                    double(outcome->bytes) / double(k));
    }

    if (simulate && !bench::simulate_fleet(full, base, base + 1'000, person)) return 1;
    if (vectra.empty()) {
        std::printf("\n(pass --vectra PATH for the same through the real command)\n");
        return 0;
    }
    char scratch_pattern[] = "/tmp/vectra-bench-fleet-XXXXXX";
    const std::string scratch = mkdtemp(scratch_pattern);
    write_state(scratch + "/base", at_base);
    std::printf("\nthe real command, state and mirror directories on this disk\n");
    const Run verify = run({vectra, "fleet", "verify", "--state-dir", scratch + "/base"});
    std::printf("  %-52s %8.3f s%s\n", "vectra fleet verify (this machine's log, from scratch)", verify.seconds, verify.status ? "  FAILED" : "");
    const Run show = run({vectra, "fleet", "show", "--state-dir", scratch + "/base"});
    std::printf("  %-52s %8.3f s%s\n", "vectra fleet show (load against the head)", show.seconds, show.status ? "  FAILED" : "");
    std::printf("\n  %-8s %22s %30s %22s %24s\n", "k new", "fleet sync DIR", "fleet merge whole fleet.log", "sync over merge",
                "sync, no fleet.state");
    for (const uint64_t k : ks) {
        const identity::FleetLog grown = prefix(full, base + k);
        const std::string mirror = scratch + "/mirror-" + std::to_string(k), whole = scratch + "/whole-" + std::to_string(k) + ".log";
        write_mirror(mirror, grown);
        if (!files::write_file_atomically(whole, identity::encode_log(grown.statements()), 0644)) return 1;
        const std::string a = scratch + "/a-" + std::to_string(k), b = scratch + "/b-" + std::to_string(k),
                          c = scratch + "/c-" + std::to_string(k);
        write_state(a, at_base);
        write_state(b, at_base);
        write_state(c, at_base, /*without_verified_state=*/true);
        const Run sync = run({vectra, "fleet", "sync", mirror, "--state-dir", a});
        const Run merge = run({vectra, "fleet", "merge", whole, "--state-dir", b});
        const Run whole_log_sync = run({vectra, "fleet", "sync", mirror, "--state-dir", c});
        const auto whole_size = std::filesystem::file_size(whole);
        unsigned long long sync_bytes = 0;
        if (const auto at = sync.output.find(" requests, "); at != std::string::npos) sync_bytes = std::stoull(sync.output.substr(at + 11));
        std::printf("  %-8llu %8.3f s %9.2f MB %12.3f s %10.2f MB %20.1fx %22.3f s%s\n", static_cast<unsigned long long>(k), sync.seconds,
                    sync_bytes / 1e6, merge.seconds, whole_size / 1e6, merge.seconds / sync.seconds, whole_log_sync.seconds,
                    sync.status || merge.status || whole_log_sync.status ? "  FAILED" : "");
        if (sync.status) std::printf("%s", sync.output.c_str());
    }
    std::filesystem::remove_all(scratch);
    return 0;
}
