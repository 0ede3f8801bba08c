#include "commands/fleet_sync.h"

#include <cstdio>
#include <ctime>

#include "commands/exit_codes.h"
#include "packages/store.h"
#include "packages/timestamp.h"

namespace commands {
namespace {

// The freeze defence for a synced log: the source's timestamp, checked against it and against
// the last timestamp this machine's store accepted (kept there on success, so a replay of an
// older one is caught next time). Nothing is written when it fails.
files::Expected<> check_freshness(const StateDirectory& state, packages::Source& source, const identity::FleetLog& log) {
    if (!packages::fleet_requires_timestamps(log)) return {};
    packages::Store store(state.path + "/store");
    auto last = store.read_timestamp();
    if (!last) return std::unexpected("this machine's store: " + last.error());
    const auto bytes = source.get("timestamp", packages::kMaxTimestampSize);
    if (!bytes) return std::unexpected("timestamp: " + bytes.error().message + " (this fleet requires a fresh timestamp from every source)");
    auto decoded = packages::decode_timestamp(*bytes);
    if (!decoded) return std::unexpected(source.describe() + ": " + decoded.error());
    VECTRA_TRY(packages::check_timestamp(*decoded, log, *last, static_cast<uint64_t>(::time(nullptr))));
    VECTRA_TRY(store.put_timestamp(*decoded));
    return {};
}

}  // namespace

identity::Fetch fetch_from(packages::Source& source) {
    return [&source](const std::string& path, size_t limit) { return source.get(path, limit); };
}

SyncReport sync_fleet(const StateDirectory& state, packages::Source& source, int lock_wait_seconds, bool quiet_when_absent,
                      bool require_fresh) {
    SyncReport report_;
    auto lock = lock_fleet(state, lock_wait_seconds);
    if (!lock) {
        report_.exit_code = report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
        return report_;
    }
    auto loaded = load_fleet(state);
    if (!loaded) {
        report_.exit_code = report(loaded.error(), kExitRefused);
        return report_;
    }
    if (!*loaded) {
        if (!quiet_when_absent)
            report_.exit_code = report("this machine follows no fleet yet: join one first ('vectra machine join " + source.describe() + "')",
                                       kExitRefused);
        return report_;
    }
    identity::FleetLog& log = **loaded;
    const uint64_t before = log.length();
    auto synced = identity::sync_from_mirror(log, fetch_from(source), source.describe());
    if (!synced) {
        report_.exit_code = report("refused: fleet log from " + source.describe() + ": " + describe(synced.error()) +
                                       " (this machine's fleet log is unchanged)",
                                   kExitRefused);
        return report_;
    }
    report_.outcome = *synced;
    using State = identity::SyncOutcome::State;
    if (require_fresh && (synced->state == State::UpToDate || synced->state == State::Extended)) {
        if (auto fresh = check_freshness(state, source, log); !fresh) {
            report_.exit_code = report("refused: " + source.describe() + ": " + fresh.error() +
                                           " (this machine's fleet log is unchanged; --allow-stale takes it anyway)",
                                       kExitRefused);
            return report_;
        }
    }
    switch (synced->state) {
        case State::NoFleetLog:
            if (!quiet_when_absent) report_.exit_code = report(source.describe() + " carries no fleet log (no fleet/head)", kExitRefused);
            break;
        case State::UpToDate:
            if (!quiet_when_absent) std::printf("fleet log up to date: %llu statements\n", static_cast<unsigned long long>(before));
            break;
        case State::MirrorBehind: {
            // Never taken; for `fleet sync` a refusal (an older log is a rollback or a stale
            // mirror), for pkg fetch a note (this machine's newer log is what it checks against).
            const std::string what = source.describe() + " holds an older fleet log (" + std::to_string(synced->mirror_length) +
                                     " statements; this machine has " + std::to_string(before) + "); kept this machine's";
            if (quiet_when_absent) std::fprintf(stderr, "vectra: note: %s\n", what.c_str());
            else report_.exit_code = report("refused: " + what, kExitRefused);
            break;
        }
        case State::Extended:
            if (auto saved = save_fleet(state, log); !saved) {
                report_.exit_code = report(saved.error(), kExitRefused);
                break;
            }
            std::printf("fleet log: %llu new statements from %s (%llu requests, %llu bytes), now %llu\n",
                        static_cast<unsigned long long>(synced->new_statements), source.describe().c_str(),
                        static_cast<unsigned long long>(synced->requests), static_cast<unsigned long long>(synced->bytes),
                        static_cast<unsigned long long>(log.length()));
            break;
    }
    return report_;
}

}  // namespace commands
