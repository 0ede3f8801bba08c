// vectra machine init | enroll | key: this machine's key pair and its certificate.
// (vectra machine join, which brings a fleet log here before enrolling: join.cpp.)
#include <unistd.h>

#include <cstdio>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/state.h"
#include "commands/terminal.h"
#include "identity/person.h"

namespace commands {
namespace {

std::string state_option, name_option, machine_key_option;
bool new_fleet = false;
int lock_wait_seconds = 30;

int machine_init() {
    const StateDirectory state = state_directory(state_option);
    if (files::exists(state.key_file())) return report(state.key_file() + " exists already; this machine has its key", kExitRefused);
    std::string name = name_option;
    if (name.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        name = host;
    }
    if (!identity::valid_machine_name(name))
        return report("machine name '" + name + "' must be 1-64 of a-z, 0-9 and '-' (choose one with --name)", kExitUsage);
    if (auto made = files::make_directories(state.path, 0700); !made) return report(made.error(), kExitRefused);
    identity::SecretBuffer seed(identity::kSeedSize);
    identity::random_bytes(seed.span());
    const auto key = identity::SigningKey::from_seed(seed.bytes());
    const identity::SecretBuffer file = identity::encode_machine_key(seed.bytes(), key.public_key());
    seed.wipe();
    if (auto written = files::write_file_atomically(state.key_file(), file.bytes(), 0600); !written)
        return report(written.error(), kExitRefused);
    if (auto written = files::write_file_atomically(state.name_file(), files::Bytes(reinterpret_cast<const uint8_t*>(name.data()), name.size()), 0644);
        !written)
        return report(written.error(), kExitRefused);
    std::printf("machine %s\nmachine public key: %s\n", name.c_str(), identity::to_hex(key.public_key().bytes).c_str());
    return kExitOk;
}

}  // namespace

// Shared with join.cpp: signs `machine`'s certificate into `log` (or a new log when there is
// none) with the Person's words, under the fleet lock the caller holds, and saves it.
int enroll_into(const StateDirectory& state, std::optional<identity::FleetLog>& log, const identity::PublicKey& machine,
                const std::string& name) {
    auto person = person_key_from_words();
    if (!person) return person.error();
    if (log && log->person() != person->public_key())
        return report("refused: these words are another Person (" + identity::fingerprint(person->public_key()) +
                          ") than this fleet's (" + identity::fingerprint(log->person()) + "); nothing signed",
                      kExitRefused);
    if (!log) log.emplace(identity::FleetLog::create(*person, now_seconds()));
    auto appended = log->append_new(identity::StatementKind::MachineCertificate, machine, name, now_seconds(), *person);
    person->wipe();
    if (!appended) return report("refused: " + describe(appended.error()), kExitRefused);
    if (auto saved = save_fleet(state, *log); !saved) return report(saved.error(), kExitRefused);
    std::printf("enrolled %s (%s) as statement %llu of the fleet of Person %s\n", name.c_str(), identity::to_hex(machine.bytes).c_str(),
                static_cast<unsigned long long>(log->length() - 1), identity::fingerprint(log->person()).c_str());
    return kExitOk;
}

namespace {

int machine_enroll() {
    const StateDirectory state = state_directory(state_option);
    identity::PublicKey machine;
    std::string name = name_option;
    if (!machine_key_option.empty()) {
        // Enrolling another machine by its public key.
        if (!identity::from_hex(machine_key_option, machine.bytes)) return report("--machine-key must be 64 hex digits", kExitUsage);
        if (name.empty()) return report("--machine-key needs --name", kExitUsage);
    } else {
        auto own = load_machine_key(state);
        if (!own) return report(own.error(), kExitRefused);
        machine = own->public_key();
        if (name.empty()) name = load_machine_name(state);
    }
    if (!identity::usable_public_key(machine))
        return report("refused: " + identity::to_hex(machine.bytes) +
                          " is not a usable Ed25519 public key (small order or not on the curve): no signature under it "
                          "could ever verify; nothing signed",
                      kExitUsage);
    if (!identity::valid_machine_name(name)) return report("machine name '" + name + "' must be 1-64 of a-z, 0-9 and '-'", kExitUsage);

    auto lock = lock_fleet(state, lock_wait_seconds);
    if (!lock) return report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
    auto loaded = load_fleet(state);
    if (!loaded) return report(loaded.error(), kExitRefused);
    std::optional<identity::FleetLog> log = std::move(*loaded);
    if (!log && !new_fleet) {
        static constexpr char kNewFleet[] =
            "this machine has no fleet log, so enrolling here starts a NEW fleet, separate from any other of your "
            "machines. To join the fleet your other machines follow, use 'vectra machine join SOURCE' (a mirror, "
            "a directory, a disk image or a fleet.log file).";
        if (!stdin_is_terminal())
            return report(std::string(kNewFleet) + " Pass --new-fleet to start one without this question.", kExitNotConfirmed);
        std::fprintf(stderr, "vectra: %s\n", kNewFleet);
        if (!confirm("Start a new fleet?")) return report("nothing signed", kExitNotConfirmed);
    }
    return enroll_into(state, log, machine, name);
}

int machine_key() {
    auto key = load_machine_key(state_directory(state_option));
    if (!key) return report(key.error(), kExitRefused);
    std::printf("%s\n", identity::to_hex(key->public_key().bytes).c_str());
    return kExitOk;
}

}  // namespace

void register_join_command(CLI::App& machine, std::string& state_option, int& lock_wait_seconds);  // join.cpp

void register_machine_commands(CLI::App& app) {
    auto* machine = app.add_subcommand("machine", "this machine's key and its certificate");
    machine->require_subcommand(1);
    machine->add_option("--state-dir", state_option, "state directory (default: $VECTRA_STATE_DIR, else ~/.local/state/vectra)");
    machine->add_option("--lock-wait", lock_wait_seconds, "seconds to wait for another fleet command to finish")->capture_default_str();
    auto* init = machine->add_subcommand("init", "make this machine's Ed25519 key pair (never leaves the machine)");
    init->add_option("--name", name_option, "machine name (default: the host name)");
    init->callback([] { throw CLI::RuntimeError(machine_init()); });
    auto* enroll = machine->add_subcommand("enroll", "ceremony: the Person signs a machine's certificate into this machine's fleet log");
    enroll->add_option("--name", name_option, "machine name (default: this machine's, from machine init)");
    enroll->add_option("--machine-key", machine_key_option, "enroll another machine by its public key (hex)");
    enroll->add_flag("--new-fleet", new_fleet, "there is no fleet log here: start a new fleet without asking");
    enroll->callback([] { throw CLI::RuntimeError(machine_enroll()); });
    auto* key = machine->add_subcommand("key", "print this machine's public key");
    key->callback([] { throw CLI::RuntimeError(machine_key()); });
    register_join_command(*machine, state_option, lock_wait_seconds);
}

}  // namespace commands
