// 10,000 machines, 20 mirrors, a log of 100,000 statements growing by revocations and
// certificates. Each round every machine syncs from one mirror picked at random. Honest mirrors
// republish the Person's newest log now and then; hostile ones withhold (frozen at the start),
// replay an older log, carry a fork signed by the Person, corrupt a statement, forge their head
// or truncate their last segment. Every sync runs the real identity::sync_from_mirror — once
// per distinct (mirror contents, machine head), since the outcome depends on nothing else;
// machines at the same head asking the same mirror in the same state share it. A machine's
// state is its head; what it accepted is checked against the Person's log.
#include "simulation.h"

#include <cstdio>
#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "identity/fleet_mirror.h"

namespace bench {
namespace {

enum class Kind { Honest, Withholding, Replaying, Forking, Corrupting, ForgedHead, Truncating };
const char* name(Kind kind) {
    switch (kind) {
        case Kind::Honest: return "honest";
        case Kind::Withholding: return "withholds (frozen)";
        case Kind::Replaying: return "replays an old log";
        case Kind::Forking: return "carries a fork";
        case Kind::Corrupting: return "corrupts a statement";
        case Kind::ForgedHead: return "forges its head";
        case Kind::Truncating: return "truncates a segment";
    }
    return "?";
}

struct Mirror {
    Kind kind;
    uint64_t length;  // the Person's log prefix it serves (hostile: what it builds on)
};

struct Outcome {
    bool refused = false;
    uint64_t new_length = 0;
    uint64_t bytes = 0, requests = 0;
};

// A mirror's files, made on demand from the statements it holds.
class MirrorFiles {
public:
    MirrorFiles(const Mirror& mirror, const identity::FleetLog& full, const std::vector<identity::Statement>& fork)
        : mirror_(mirror), full_(full), fork_(fork) {}

    std::expected<std::vector<uint8_t>, identity::FetchFailure> get(const std::string& path, size_t limit) const {
        std::vector<uint8_t> bytes = make(path);
        if (bytes.empty()) return std::unexpected(identity::FetchFailure{"mirror/" + path + ": not found", true});
        if (bytes.size() > limit) return std::unexpected(identity::FetchFailure{"mirror/" + path + ": too large", false});
        return bytes;
    }

private:
    uint64_t length() const { return mirror_.kind == Kind::Forking ? mirror_.length + fork_.size() : mirror_.length; }
    const identity::Statement& at(uint64_t i) const { return i < mirror_.length ? full_.statements()[i] : fork_[i - mirror_.length]; }

    std::vector<uint8_t> make(const std::string& path) const {
        const uint64_t n = length();
        if (path == identity::kMirrorHeadPath) {
            identity::AcceptedHead head{full_.person(), n, at(n - 1).hash()};
            if (mirror_.kind == Kind::ForgedHead) head.length += 5;
            return identity::encode_head(head);
        }
        const uint64_t index = std::stoull(path.substr(std::string("fleet/segments/").size()));
        const uint64_t first = index * identity::kSegmentStatements;
        if (first >= n) return {};
        std::vector<identity::Statement> statements;
        for (uint64_t i = first; i < std::min(n, first + identity::kSegmentStatements); ++i) statements.push_back(at(i));
        const bool last = first + identity::kSegmentStatements >= n;
        if (last && mirror_.kind == Kind::Corrupting) statements.back().signature.bytes[7] ^= 1;
        if (last && mirror_.kind == Kind::Truncating && statements.size() > 1) statements.pop_back();
        return identity::encode_log(statements);
    }

    const Mirror& mirror_;
    const identity::FleetLog& full_;
    const std::vector<identity::Statement>& fork_;
};

}  // namespace

bool simulate_fleet(const identity::FleetLog& full, uint64_t base, uint64_t end, const identity::SigningKey& person) {
    constexpr size_t kMachines = 10'000, kGrowthRounds = 10;
    const uint64_t step = (end - base) / kGrowthRounds;
    std::mt19937_64 random(2026);
    // A fork: statements the Person signed (two machines enrolling apart) that branch off 100
    // statements before the start head, so every machine holds statements the fork contradicts.
    // (A fork from a head a machine holds exactly would look like news to it: only the Person
    // can sign one, and the way out is docs/identity.md's "Forks".)
    const uint64_t fork_point = base - 100;
    std::vector<identity::Statement> fork;
    for (uint64_t i = 0; i < 200; ++i) {
        identity::Statement s;
        s.kind = identity::StatementKind::MachineCertificate;
        s.sequence = fork_point + i;
        s.previous = i == 0 ? full.hash_at(fork_point - 1) : fork.back().hash();
        s.time = full.statements()[fork_point - 1].time + 1;
        std::vector<uint8_t> seed(32, static_cast<uint8_t>(0xf0 + i));
        s.key = identity::SigningKey::from_seed(seed).public_key();
        s.text = "forked-" + std::to_string(i);
        identity::sign_statement(s, person);
        fork.push_back(s);
    }
    std::vector<Mirror> mirrors;
    for (int i = 0; i < 13; ++i) mirrors.push_back({Kind::Honest, base});
    mirrors.push_back({Kind::Withholding, base});
    mirrors.push_back({Kind::Withholding, base});
    mirrors.push_back({Kind::Replaying, base - 5'000});
    mirrors.push_back({Kind::Forking, fork_point});
    mirrors.push_back({Kind::Corrupting, base});
    mirrors.push_back({Kind::ForgedHead, base});
    mirrors.push_back({Kind::Truncating, base});
    std::vector<uint64_t> machines(kMachines, base);
    // One restored log per head some machine holds, copied for each real sync.
    std::map<uint64_t, identity::FleetLog> logs;
    auto log_at = [&](uint64_t length) -> const identity::FleetLog& {
        auto it = logs.find(length);
        if (it != logs.end()) return it->second;
        const std::vector<identity::Statement> statements(full.statements().begin(), full.statements().begin() + static_cast<long>(length));
        auto restored = identity::FleetLog::restore(statements, {full.person(), length, full.hash_at(length - 1)});
        return logs.emplace(length, std::move(restored.value())).first->second;
    };

    std::printf("\nsimulation: %zu machines, %zu mirrors (7 hostile), log of %llu growing to %llu over %zu rounds\n", kMachines,
                mirrors.size(), static_cast<unsigned long long>(base), static_cast<unsigned long long>(end), kGrowthRounds);
    std::printf("  %-5s %10s %12s %14s %12s %10s\n", "round", "Person's", "machines at", "bytes moved", "real syncs", "refused");
    std::map<Kind, uint64_t> refusals, attempts, advanced;
    uint64_t total_bytes = 0, true_length = base;
    // A mirror's contents depend only on its kind and the prefix it holds, so one real sync per
    // (kind, prefix, machine head) serves every machine and round that meets it again.
    std::map<std::tuple<Kind, uint64_t, uint64_t>, Outcome> memo;
    size_t real_syncs = 0;
    bool ok = true;
    size_t round = 1;
    for (; round <= 60; ++round) {
        if (round <= kGrowthRounds) true_length = base + step * round;
        // Honest mirrors catch up now and then; hostile ones build on what they had.
        for (auto& mirror : mirrors) {
            const bool publishes = random() % 2 == 0;
            if (mirror.kind == Kind::Honest && publishes) mirror.length = true_length;
            if ((mirror.kind == Kind::Corrupting || mirror.kind == Kind::ForgedHead || mirror.kind == Kind::Truncating) && publishes)
                mirror.length = true_length;
        }
        uint64_t round_bytes = 0, round_refused = 0;
        const size_t syncs_before = real_syncs;
        for (uint64_t& head : machines) {
            const size_t m = random() % mirrors.size();
            const auto key = std::make_tuple(mirrors[m].kind, mirrors[m].length, head);
            auto found = memo.find(key);
            if (found == memo.end()) {
                ++real_syncs;
                identity::FleetLog log = log_at(head);
                const MirrorFiles files(mirrors[m], full, fork);
                const auto synced = identity::sync_from_mirror(
                    log, [&](const std::string& path, size_t limit) { return files.get(path, limit); }, "mirror");
                Outcome outcome;
                if (!synced) outcome.refused = true;
                else {
                    outcome.new_length = log.length();
                    outcome.bytes = synced->bytes;
                    outcome.requests = synced->requests;
                    // What was accepted must be the Person's log, nothing else.
                    if (log.head_hash() != full.hash_at(log.length() - 1)) ok = false;
                }
                if (!synced) outcome.bytes = 0;
                found = memo.emplace(key, outcome).first;
            }
            const Outcome& outcome = found->second;
            ++attempts[mirrors[m].kind];
            if (outcome.refused) {
                ++refusals[mirrors[m].kind];
                ++round_refused;
                continue;
            }
            if (outcome.new_length > head) ++advanced[mirrors[m].kind];
            head = std::max(head, outcome.new_length);
            round_bytes += outcome.bytes;
        }
        total_bytes += round_bytes;
        size_t at_newest = 0;
        for (uint64_t head : machines) at_newest += head == end;
        // Forget restored logs no machine holds any more (memory stays bounded).
        for (auto it = logs.begin(); it != logs.end();) {
            bool held = false;
            for (uint64_t head : machines) held |= head == it->first;
            it = held ? std::next(it) : logs.erase(it);
        }
        std::printf("  %-5zu %10llu %12zu %14llu %12zu %10llu\n", round, static_cast<unsigned long long>(true_length), at_newest,
                    static_cast<unsigned long long>(round_bytes), real_syncs - syncs_before, static_cast<unsigned long long>(round_refused));
        if (round >= kGrowthRounds && at_newest == kMachines) break;
    }
    const bool converged = std::all_of(machines.begin(), machines.end(), [&](uint64_t head) { return head == end; });
    std::printf("  every machine has the newest head after %zu rounds%s; %.1f MB moved in all, %.0f bytes per machine per new "
                "statement\n",
                round, converged ? "" : " (NOT converged)", total_bytes / 1e6,
                double(total_bytes) / double(kMachines) / double(end - base));
    // Withholding and replaying mirrors are not refused — their heads are genuine, only old
    // (catching that is the freeze defence's job) — but they never move a machine.
    std::printf("  %-24s %10s %10s %18s\n", "mirror", "syncs", "refused", "machines advanced");
    for (const auto& [kind, count] : attempts) {
        std::printf("  %-24s %10llu %10llu %18llu\n", name(kind), static_cast<unsigned long long>(count),
                    static_cast<unsigned long long>(refusals[kind]), static_cast<unsigned long long>(advanced[kind]));
        // A hostile mirror may leave machines where they are (withholding is invisible without
        // the freeze defence), but must never move one forward, and attacks must be refused.
        if (kind != Kind::Honest && advanced[kind] > 0) ok = false;
        if ((kind == Kind::Forking || kind == Kind::Corrupting || kind == Kind::ForgedHead || kind == Kind::Truncating) && refusals[kind] == 0)
            ok = false;
    }
    if (!ok) std::printf("  FAILED: an attack was accepted or moved a machine\n");
    return ok && converged;
}

}  // namespace bench
