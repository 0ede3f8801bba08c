// vectra machine init | enroll | key: this machine's key pair and its certificate.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "commands/commands.h"
#include "commands/state.h"

namespace commands {
namespace {

std::string state_option, name_option, machine_key_option;

int machine_init() {
    const StateDirectory state = state_directory(state_option);
    if (access(state.key_file().c_str(), F_OK) == 0) {
        std::fprintf(stderr, "vectra: %s exists already; this machine has its key\n", state.key_file().c_str());
        return 1;
    }
    std::string name = name_option;
    if (name.empty()) {
        char host[256] = {};
        gethostname(host, sizeof host - 1);
        name = host;
    }
    if (!identity::valid_machine_name(name)) {
        std::fprintf(stderr, "vectra: machine name '%s' must be 1-64 of a-z, 0-9 and '-'\n", name.c_str());
        return 2;
    }
    mkdir(state.path.c_str(), 0700);
    identity::SecretBuffer seed(identity::kSeedSize);
    identity::random_bytes(seed.span());
    const auto key = identity::SigningKey::from_seed(seed.bytes());
    auto file = identity::encode_machine_key(seed.bytes(), key.public_key());
    seed.wipe();
    std::string error;
    const bool written = identity::write_file_atomically(state.key_file(), file, 0600, error) &&
                         identity::write_file_atomically(state.name_file(), identity::Bytes(reinterpret_cast<const uint8_t*>(name.data()), name.size()), 0644, error);
    identity::secure_wipe(file.data(), file.size());
    if (!written) {
        std::fprintf(stderr, "vectra: %s\n", error.c_str());
        return 1;
    }
    std::printf("machine %s\nmachine public key: %s\n", name.c_str(), identity::to_hex(key.public_key().bytes).c_str());
    return 0;
}

int machine_enroll() {
    const StateDirectory state = state_directory(state_option);
    identity::PublicKey machine;
    std::string name = name_option;
    if (!machine_key_option.empty()) {
        // Enrolling another machine by its public key.
        if (!identity::from_hex(machine_key_option, machine.bytes)) {
            std::fprintf(stderr, "vectra: --machine-key must be 64 hex digits\n");
            return 2;
        }
        if (name.empty()) {
            std::fprintf(stderr, "vectra: --machine-key needs --name\n");
            return 2;
        }
    } else {
        std::optional<identity::SigningKey> own;
        if (!load_machine_key(state, own)) return 1;
        machine = own->public_key();
        if (name.empty()) {
            std::vector<uint8_t> bytes;
            std::string error;
            if (identity::read_file(state.name_file(), bytes, error, 256)) name.assign(bytes.begin(), bytes.end());
        }
    }
    if (!identity::valid_machine_name(name)) {
        std::fprintf(stderr, "vectra: machine name '%s' must be 1-64 of a-z, 0-9 and '-'\n", name.c_str());
        return 2;
    }

    auto person = person_key_from_words();
    if (!person) return 1;
    std::optional<identity::FleetLog> log;
    if (access(state.log_file().c_str(), F_OK) == 0) {
        const identity::PublicKey person_public = person->public_key();
        if (!load_log_file(state.log_file(), &person_public, log)) return 1;
    } else {
        log.emplace(identity::FleetLog::create(*person, now_seconds()));
    }
    auto failure = log->append_new(identity::StatementKind::MachineCertificate, machine, name, now_seconds(), *person);
    person->wipe();
    if (failure) {
        print_fleet_error(*failure);
        return 1;
    }
    if (!save_log(state, *log)) return 1;
    std::printf("enrolled %s (%s) as statement %llu\n", name.c_str(), identity::to_hex(machine.bytes).c_str(),
                static_cast<unsigned long long>(log->length() - 1));
    return 0;
}

int machine_key() {
    std::optional<identity::SigningKey> key;
    if (!load_machine_key(state_directory(state_option), key)) return 1;
    std::printf("%s\n", identity::to_hex(key->public_key().bytes).c_str());
    return 0;
}

}  // namespace

void register_machine_commands(CLI::App& app) {
    auto* machine = app.add_subcommand("machine", "this machine's key and its certificate");
    machine->require_subcommand(1);
    machine->add_option("--state-dir", state_option, "state directory (default $VECTRA_STATE_DIR or ~/.local/state/vectra)");
    auto* init = machine->add_subcommand("init", "make this machine's Ed25519 key pair (never leaves the machine)");
    init->add_option("--name", name_option, "machine name (default: the host name)");
    init->callback([] { throw CLI::RuntimeError(machine_init()); });
    auto* enroll = machine->add_subcommand("enroll", "ceremony: the Person signs a machine's certificate");
    enroll->add_option("--name", name_option, "machine name");
    enroll->add_option("--machine-key", machine_key_option, "enroll another machine by its public key (hex)");
    enroll->callback([] { throw CLI::RuntimeError(machine_enroll()); });
    auto* key = machine->add_subcommand("key", "print this machine's public key");
    key->callback([] { throw CLI::RuntimeError(machine_key()); });
}

}  // namespace commands
