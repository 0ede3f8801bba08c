// vectra fleet revoke | verify | show | merge | publish | sync: the signed log of the Person's
// machines. Ceremonies and every command that changes the log hold the fleet lock; every
// command that reads this machine's log checks it against its accepted head (state.h).
#include <cstdio>
#include <ctime>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/fleet_sync.h"
#include "commands/state.h"
#include "identity/fleet_mirror.h"
#include "identity/person.h"

namespace commands {
namespace {

std::string state_option, target, log_path, person_option, reason, directory, source;
int lock_wait_seconds = 30, timeout_seconds = 10;

std::string date(uint64_t seconds) {
    const std::time_t time = static_cast<std::time_t>(seconds);
    std::tm utc{};
    gmtime_r(&time, &utc);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M UTC", &utc);
    return text;
}

void print_machines(const identity::FleetLog& log, const identity::PublicKey* this_machine) {
    std::printf("fleet of Person %s (key %s), %llu statements\n", identity::fingerprint(log.person()).c_str(),
                identity::to_hex(log.person().bytes).c_str(), static_cast<unsigned long long>(log.length()));
    for (const auto& m : log.machines()) {
        const bool self = this_machine != nullptr && m.key == *this_machine;
        std::string status = "active";
        if (m.revoked) {
            status = "REVOKED " + date(log.statements()[m.revoked_sequence].time) + " (statement " + std::to_string(m.revoked_sequence) + ")";
            if (!m.revocation_reason.empty()) status += ": " + m.revocation_reason;
        }
        std::printf("  %-20s %s  %s; enrolled %s (statement %llu)%s\n", m.name.c_str(), identity::to_hex(m.key.bytes).c_str(),
                    status.c_str(), date(m.enrolled_time).c_str(), static_cast<unsigned long long>(m.enrolled_sequence),
                    self ? "  <- this machine" : "");
    }
    // The freeze defence: who may sign timestamps, and since when (a grant lapses with its machine).
    std::string granted;
    for (const auto& m : log.machines()) {
        if (!m.may_sign_timestamps) continue;
        granted += "  " + m.name + " since " + date(m.timestamp_grant_time) + " (statement " + std::to_string(m.timestamp_grant_sequence) +
                   ")" + (m.revoked ? ", lapsed: the machine is revoked" : "") + "\n";
    }
    if (granted.empty()) std::printf("timestamp signers: none (no source has to show a fresh timestamp)\n");
    else std::printf("timestamp signers (every source must show a fresh timestamp from one that stands):\n%s", granted.c_str());
}

// The fleet lock, then this machine's log checked against its head; the log must exist.
struct Held {
    files::FileLock lock;
    identity::FleetLog log;
};
std::expected<Held, int> lock_and_load(const StateDirectory& state) {
    auto lock = lock_fleet(state, lock_wait_seconds);
    if (!lock) return std::unexpected(report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused));
    auto loaded = load_fleet(state);
    if (!loaded) return std::unexpected(report(loaded.error(), kExitRefused));
    if (!*loaded)
        return std::unexpected(report("this machine has no fleet log (" + state.log_file() +
                                          "); join a fleet with 'vectra machine join SOURCE'",
                                      kExitRefused));
    return Held{std::move(*lock), std::move(**loaded)};
}

int fleet_revoke() {
    const StateDirectory state = state_directory(state_option);
    // The text is checked before anything else, the words included: what would be refused is
    // never signed, so it can never be saved and block every later load.
    if (auto text = identity::check_statement_text(identity::StatementKind::Revocation, reason); !text)
        return report("--reason: " + text.error(), kExitUsage);
    auto held = lock_and_load(state);
    if (!held) return held.error();
    identity::FleetLog& log = held->log;
    identity::PublicKey machine;
    if (const auto* by_name = log.find_machine_by_name(target)) machine = by_name->key;
    else if (!identity::from_hex(target, machine.bytes))
        return report("no enrolled machine is named '" + target + "' (and it is not a 64-digit key)", kExitUsage);
    if (const auto* known = log.find_machine(machine); known == nullptr || known->revoked)
        return report("refused: " + target + (known ? " is already revoked" : " was never enrolled") + "; nothing signed", kExitRefused);
    auto person = person_key_from_words();
    if (!person) return person.error();
    if (person->public_key() != log.person())
        return report("refused: these words are another Person (" + identity::fingerprint(person->public_key()) + ") than this fleet's (" +
                          identity::fingerprint(log.person()) + "); nothing signed",
                      kExitRefused);
    auto appended = log.append_new(identity::StatementKind::Revocation, machine, reason, now_seconds(), *person);
    person->wipe();
    if (!appended) return report("refused: " + describe(appended.error()), kExitRefused);
    if (auto saved = save_fleet(state, log); !saved) return report(saved.error(), kExitRefused);
    std::printf("revoked %s as statement %llu; publish it ('vectra fleet publish DIR') so every machine learns of it\n",
                target.c_str(), static_cast<unsigned long long>(log.length() - 1));
    return kExitOk;
}

int fleet_verify() {
    const StateDirectory state = state_directory(state_option);
    identity::PublicKey person;
    const identity::PublicKey* expected = nullptr;
    if (!person_option.empty()) {
        if (!identity::from_hex(person_option, person.bytes)) return report("--person must be 64 hex digits", kExitUsage);
        expected = &person;
    }
    const auto accepted = load_accepted_head(state);
    if (!accepted) return report(accepted.error(), kExitRefused);
    if (expected == nullptr && *accepted) expected = &(*accepted)->person;
    // Without a file: this machine's own log, every signature from scratch.
    const std::string path = log_path.empty() ? state.log_file() : log_path;
    auto log = verify_log_file(path, expected);
    if (!log) return report(log.error(), kExitRefused);
    // What this machine accepted before must still be there (no rollback, no fork).
    if (*accepted && (*accepted)->person == log->person()) {
        if (auto checked = log->check_against(**accepted); !checked)
            return report("refused: " + path + ": " + describe(checked.error()), kExitRefused);
    }
    std::printf("valid fleet log%s\n", expected ? "" : " (Person taken from its genesis: compare the fingerprint with yours)");
    print_machines(*log, nullptr);
    return kExitOk;
}

int fleet_show() {
    const StateDirectory state = state_directory(state_option);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    if (!*loaded) return report("this machine has no fleet log yet; join one with 'vectra machine join SOURCE'", kExitRefused);
    const auto own = load_machine_key(state);
    const identity::PublicKey own_key = own ? own->public_key() : identity::PublicKey{};
    print_machines(**loaded, own ? &own_key : nullptr);
    if (own && !(*loaded)->find_machine(own_key)) std::printf("this machine (%s) is not enrolled in this fleet\n", identity::to_hex(own_key.bytes).c_str());
    return kExitOk;
}

int fleet_merge() {
    const StateDirectory state = state_directory(state_option);
    auto lock = lock_fleet(state, lock_wait_seconds);
    if (!lock) return report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    if (!*loaded) {
        // A machine with no log yet adopts one — but only for a Person it was told about:
        // taking the key from the log itself would trust whoever handed the log over.
        identity::PublicKey person;
        if (person_option.empty() || !identity::from_hex(person_option, person.bytes))
            return report("this machine has no fleet log yet; adopt one with --person KEY (the Person's public key), or use "
                          "'vectra machine join', which shows the fingerprint to confirm",
                          kExitUsage);
        auto theirs = verify_log_file(log_path, &person);
        if (!theirs) return report(theirs.error(), kExitRefused);
        if (auto saved = save_fleet(state, *theirs); !saved) return report(saved.error(), kExitRefused);
        std::printf("adopted the fleet log: %llu statements\n", static_cast<unsigned long long>(theirs->length()));
        return kExitOk;
    }
    identity::FleetLog& ours = **loaded;
    const identity::PublicKey person = ours.person();
    auto theirs = verify_log_file(log_path, &person);
    if (!theirs) return report(theirs.error(), kExitRefused);
    const uint64_t before = ours.length();
    if (auto merged = ours.merge(*theirs); !merged) return report("refused: " + log_path + ": " + describe(merged.error()), kExitRefused);
    if (auto saved = save_fleet(state, ours); !saved) return report(saved.error(), kExitRefused);
    std::printf("merged: %llu new statements\n", static_cast<unsigned long long>(ours.length() - before));
    return kExitOk;
}

int fleet_publish() {
    const StateDirectory state = state_directory(state_option);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    if (!*loaded) return report("this machine has no fleet log to publish", kExitRefused);
    const identity::FleetLog& log = **loaded;
    // What the directory holds already: only what follows it is written, and a directory
    // holding a newer or different log is never overwritten with ours.
    uint64_t published = 0;
    // Two publishers into one directory take turns: otherwise a shorter log could rewrite the
    // last segment under a longer log's head, and the mirror would be torn until the next publish.
    if (auto made = files::make_directories(directory + "/fleet/segments", 0755); !made) return report(made.error(), kExitRefused);
    auto lock = files::FileLock::acquire(directory + "/fleet/publish.lock", std::chrono::seconds(lock_wait_seconds));
    if (!lock) return report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
    const std::string head_path = directory + "/" + identity::kMirrorHeadPath;
    if (files::exists(head_path)) {
        const auto bytes = files::read_file(head_path, identity::kMirrorHeadSize);
        const auto head = bytes ? identity::parse_head(*bytes) : files::failure(bytes.error());
        if (!head) return report("refused: " + head_path + " is not a fleet head; move it away to publish here", kExitRefused);
        if (head->person != log.person())
            return report("refused: " + directory + " carries the fleet of another Person (" + identity::fingerprint(head->person) + ")",
                          kExitRefused);
        if (head->length > log.length() || log.hash_at(head->length - 1) != head->last_hash)
            return report("refused: " + directory + " holds a " + (head->length > log.length() ? "newer" : "different") +
                              " fleet log than this machine; take it first ('vectra fleet sync " + directory + "')",
                          kExitRefused);
        published = head->length;
    }
    if (published == log.length()) {
        std::printf("%s already holds this fleet log (%llu statements)\n", directory.c_str(), static_cast<unsigned long long>(published));
        return kExitOk;
    }
    size_t written = 0;
    for (const auto& [path, bytes] : identity::mirror_files(log, published)) {
        if (auto done = files::write_file_atomically(directory + "/" + path, bytes, 0644); !done) return report(done.error(), kExitRefused);
        ++written;
    }
    std::printf("published %llu statements to %s (%zu files written)\n", static_cast<unsigned long long>(log.length()), directory.c_str(), written);
    return kExitOk;
}

bool sync_allow_stale = false;

int fleet_sync() {
    const StateDirectory state = state_directory(state_option);
    auto mirror = packages::open_source(source, timeout_seconds);
    if (sync_allow_stale)
        std::fprintf(stderr, "vectra: warning: --allow-stale: not checking that %s is fresh; it may be withholding newer statements\n",
                     mirror->describe().c_str());
    return sync_fleet(state, *mirror, lock_wait_seconds, /*quiet_when_absent=*/false, /*require_fresh=*/!sync_allow_stale).exit_code;
}

}  // namespace

void register_fleet_commands(CLI::App& app) {
    auto* fleet = app.add_subcommand("fleet", "the Person's signed log of machines");
    fleet->require_subcommand(1);
    fleet->add_option("--state-dir", state_option, "state directory (default: $VECTRA_STATE_DIR, else ~/.local/state/vectra)");
    fleet->add_option("--lock-wait", lock_wait_seconds, "seconds to wait for another fleet command to finish")->capture_default_str();
    auto* revoke = fleet->add_subcommand("revoke", "ceremony: one signed statement revoking a machine");
    revoke->add_option("machine", target, "machine name or public key (hex)")->required();
    revoke->add_option("--reason", reason, "why: printable ASCII on one line, up to 200 characters (default: none)");
    revoke->callback([] { throw CLI::RuntimeError(fleet_revoke()); });
    auto* verify = fleet->add_subcommand("verify", "check a log file (default: this machine's) back to the Person, every signature");
    verify->add_option("log", log_path, "fleet log file (default: this machine's fleet.log)");
    verify->add_option("--person", person_option, "the Person's public key (hex) (default: this machine's fleet's)");
    verify->callback([] { throw CLI::RuntimeError(fleet_verify()); });
    auto* show = fleet->add_subcommand("show", "this machine's fleet: machines, dates, revocations and reasons, which one is this machine");
    show->callback([] { throw CLI::RuntimeError(fleet_show()); });
    auto* merge = fleet->add_subcommand("merge", "accept a longer valid log from a file");
    merge->add_option("log", log_path, "fleet log file")->required();
    merge->add_option("--person", person_option, "the Person's public key (hex), to adopt a first log");
    merge->callback([] { throw CLI::RuntimeError(fleet_merge()); });
    auto* publish = fleet->add_subcommand("publish", "write this machine's fleet log into a mirror directory (fleet/head, fleet/segments/N)");
    publish->add_option("directory", directory, "mirror directory")->required();
    publish->callback([] { throw CLI::RuntimeError(fleet_publish()); });
    auto* sync = fleet->add_subcommand("sync", "take what follows this machine's head from a mirror (http://…, a directory, a disk image)");
    sync->add_option("source", source, "mirror")->required();
    sync->add_option("--timeout", timeout_seconds, "seconds to connect and per read before a silent mirror is given up")->capture_default_str();
    sync->add_flag("--allow-stale", sync_allow_stale,
                   "take the log even without a fresh timestamp when the fleet requires one (a freeze goes unnoticed)");
    sync->callback([] { throw CLI::RuntimeError(fleet_sync()); });
}

}  // namespace commands
