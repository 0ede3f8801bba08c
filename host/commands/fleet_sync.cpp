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
    using State = identity::SyncOutcome::State;
    // What follows a sync that the rules allowed: save what is new and say what happened.
    // `resumed_from`: the log was resumed from that saved state (see below).
    const auto finish = [&](identity::FleetLog& log, const identity::SyncOutcome& synced, uint64_t before,
                            const identity::SavedState* resumed_from) {
        report_.outcome = synced;
        switch (synced.state) {
            case State::NoFleetLog:
                if (!quiet_when_absent) report_.exit_code = report(source.describe() + " carries no fleet log (no fleet/head)", kExitRefused);
                break;
            case State::UpToDate:
                // On the whole log the saved state was missing or did not match: make it again.
                if (resumed_from == nullptr)
                    if (auto refreshed = refresh_verified_state(state, log); !refreshed) std::fprintf(stderr, "vectra: note: %s\n", refreshed.error().c_str());
                if (!quiet_when_absent) std::printf("fleet log up to date: %llu statements\n", static_cast<unsigned long long>(before));
                break;
            case State::MirrorBehind: {
                // Never taken; for `fleet sync` a refusal (an older log is a rollback or a stale
                // mirror), for pkg fetch a note (this machine's newer log is what it checks against).
                const std::string what = source.describe() + " holds an older fleet log (" + std::to_string(synced.mirror_length) +
                                         " statements; this machine has " + std::to_string(before) + "); kept this machine's";
                if (quiet_when_absent) std::fprintf(stderr, "vectra: note: %s\n", what.c_str());
                else report_.exit_code = report("refused: " + what, kExitRefused);
                break;
            }
            case State::Extended:
                if (auto saved = save_fleet(state, log, resumed_from); !saved) {
                    report_.exit_code = report(saved.error(), kExitRefused);
                    break;
                }
                std::printf("fleet log: %llu new statements from %s (%llu requests, %llu bytes), now %llu\n",
                            static_cast<unsigned long long>(synced.new_statements), source.describe().c_str(),
                            static_cast<unsigned long long>(synced.requests), static_cast<unsigned long long>(synced.bytes),
                            static_cast<unsigned long long>(log.length()));
                break;
        }
        return report_;
    };
    const auto fresh_enough = [&](const identity::FleetLog& log, const identity::SyncOutcome& synced) -> files::Expected<> {
        if (!require_fresh || (synced.state != State::UpToDate && synced.state != State::Extended)) return {};
        return check_freshness(state, source, log);
    };

    // The common case, in time proportional to what is new: the log resumed from fleet.state.
    // That path only ever accepts: a refusal of any kind (a fork, a forgery, a stale
    // timestamp, a statement older than the resumed window) is decided again on the whole log.
    auto resumed = resume_fleet(state);
    if (!resumed) {
        report_.exit_code = report(resumed.error(), kExitRefused);
        return report_;
    }
    if (*resumed) {
        identity::FleetLog& log = (*resumed)->log;
        const uint64_t before = log.length();
        auto synced = identity::sync_from_mirror(log, fetch_from(source), source.describe());
        if (synced && fresh_enough(log, *synced)) return finish(log, *synced, before, &(*resumed)->saved);
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
    if (auto fresh = fresh_enough(log, *synced); !fresh) {
        report_.outcome = *synced;
        report_.exit_code = report("refused: " + source.describe() + ": " + fresh.error() +
                                       " (this machine's fleet log is unchanged; --allow-stale takes it anyway)",
                                   kExitRefused);
        return report_;
    }
    return finish(log, *synced, before, nullptr);
}

}  // namespace commands
