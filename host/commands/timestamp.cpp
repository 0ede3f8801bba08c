// vectra pkg timestamp allow MACHINE | sign: the freeze defence's two acts (docs/packages.md,
// "Freeze defence"). `allow` is a Person ceremony (the 24 words) appending a TimestampGrant to
// the fleet log; `sign` runs on a granted machine, on demand or from a timer, and writes the
// store's `timestamp` file, which mirrors of that store then carry.
#include <cstdio>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/state.h"
#include "packages/store.h"
#include "packages/timestamp.h"

namespace commands {
namespace {

std::string state_option, store_option, machine_option;
const std::string* pkg_state_option = nullptr;  // `vectra pkg --state-dir D timestamp …`
const std::string* pkg_store_option = nullptr;

StateDirectory state_here() { return state_directory(state_option.empty() ? *pkg_state_option : state_option); }
std::string store_here(const StateDirectory& state) {
    const std::string& chosen = store_option.empty() ? *pkg_store_option : store_option;
    return chosen.empty() ? state.path + "/store" : chosen;
}
uint64_t lifetime_seconds = 24 * 3600;

int timestamp_allow() {
    const StateDirectory state = state_here();
    auto lock = lock_fleet(state, 30);
    if (!lock) return report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    if (!*loaded) return report("this machine has no fleet log; join a fleet first", kExitRefused);
    identity::FleetLog& log = **loaded;
    identity::PublicKey machine;
    if (const auto* by_name = log.find_machine_by_name(machine_option)) machine = by_name->key;
    else if (!identity::from_hex(machine_option, machine.bytes))
        return report("no enrolled machine is named '" + machine_option + "' (and it is not a 64-digit key)", kExitUsage);
    if (log.machine_may_sign_timestamps(machine)) return report(machine_option + " may already sign timestamps; nothing signed", kExitRefused);
    auto person = person_key_from_words();
    if (!person) return person.error();
    if (person->public_key() != log.person())
        return report("refused: these words are another Person than this fleet's; nothing signed", kExitRefused);
    auto appended = log.append_new(identity::StatementKind::TimestampGrant, machine, "", now_seconds(), *person);
    person->wipe();
    if (!appended) return report("refused: " + describe(appended.error()), kExitRefused);
    if (auto saved = save_fleet(state, log); !saved) return report(saved.error(), kExitRefused);
    std::printf("%s may now sign timestamps (statement %llu). From now on every machine that has this statement requires a fresh\n"
                "timestamp from each source: run 'vectra pkg timestamp sign' on %s regularly, and publish the fleet log.\n",
                machine_option.c_str(), static_cast<unsigned long long>(log.length() - 1), machine_option.c_str());
    return kExitOk;
}

int timestamp_sign() {
    const StateDirectory state = state_here();
    if (lifetime_seconds == 0 || lifetime_seconds > packages::kMaxTimestampLifetime)
        return report("--expires-in must be 1 second to 30 days", kExitUsage);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    if (!*loaded) return report("this machine has no fleet log, so no timestamp it signs could be checked", kExitRefused);
    const identity::FleetLog& log = **loaded;
    auto key = load_machine_key(state);
    if (!key) return report(key.error(), kExitRefused);
    if (!log.machine_may_sign_timestamps(key->public_key()))
        return report("this machine may not sign timestamps (the Person allows it with 'vectra pkg timestamp allow NAME'); nothing signed",
                      kExitRefused);
    packages::Store store(store_here(state));
    const auto held = store.lock();
    if (!held) return report(held.error(), kExitBusy);
    const auto list = store.list_releases();
    if (!list.problems.empty()) return report(list.problems.front() + "; nothing signed", kExitRefused);
    packages::Timestamp timestamp;
    timestamp.fleet_length = log.length();
    timestamp.fleet_head = log.head_hash();
    timestamp.issued = now_seconds();
    timestamp.expires = timestamp.issued + lifetime_seconds;
    for (const auto& release : list.releases) {
        if (auto stands = packages::signer_is_trusted(release, &log, {}))  // a revoked machine's release is not vouched for
            timestamp.packages.push_back({release.name, release.version, release.manifest});
        else
            std::fprintf(stderr, "vectra: not listed: %s %s (%s)\n", release.name.c_str(), release.version.text().c_str(),
                         stands.error().c_str());
    }
    packages::sign_timestamp(timestamp, *key);
    if (auto kept = store.put_timestamp(timestamp); !kept) return report(kept.error(), kExitRefused);
    std::printf("timestamp: %zu packages, fleet statement %llu, valid until %llu (in %llu s)\n", timestamp.packages.size(),
                static_cast<unsigned long long>(timestamp.fleet_length), static_cast<unsigned long long>(timestamp.expires),
                static_cast<unsigned long long>(lifetime_seconds));
    return kExitOk;
}

}  // namespace

void register_timestamp_commands(CLI::App& pkg, const std::string& pkg_state, const std::string& pkg_store) {
    pkg_state_option = &pkg_state;
    pkg_store_option = &pkg_store;
    auto* timestamp = pkg.add_subcommand("timestamp", "the freeze defence: allow a machine to sign timestamps, or sign one");
    timestamp->require_subcommand(1);
    auto* allow = timestamp->add_subcommand("allow", "ceremony: the Person allows MACHINE to sign timestamps (asks for the 24 words)");
    allow->add_option("machine", machine_option, "machine name or public key")->required();
    allow->add_option("--state-dir", state_option, "state directory");
    allow->callback([] { throw CLI::RuntimeError(timestamp_allow()); });
    auto* sign = timestamp->add_subcommand("sign", "sign the store's timestamp: fleet head, latest releases, expiry");
    sign->add_option("--expires-in", lifetime_seconds, "seconds it stays valid (at most 30 days)")->capture_default_str();
    sign->add_option("--state-dir", state_option, "state directory");
    sign->add_option("--store", store_option, "package store (default: <state-dir>/store)");
    sign->callback([] { throw CLI::RuntimeError(timestamp_sign()); });
}

}  // namespace commands
