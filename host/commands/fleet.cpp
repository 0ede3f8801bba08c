// vectra fleet revoke | verify | show | merge: the signed log of the Person's machines.
#include <unistd.h>

#include <cstdio>

#include "commands/commands.h"
#include "commands/state.h"

namespace commands {
namespace {

std::string state_option, target, log_path, person_option, reason;

void print_machines(const identity::FleetLog& log) {
    std::printf("person %s, %llu statements\n", identity::to_hex(log.person().bytes).c_str(),
                static_cast<unsigned long long>(log.length()));
    for (const auto& m : log.machines()) {
        std::printf("  %-20s %s  %s\n", m.name.c_str(), identity::to_hex(m.key.bytes).c_str(),
                    m.revoked ? ("REVOKED (statement " + std::to_string(m.revoked_sequence) + ")").c_str() : "active");
    }
}

int fleet_revoke() {
    const StateDirectory state = state_directory(state_option);
    auto person = person_key_from_words();
    if (!person) return 1;
    const identity::PublicKey person_public = person->public_key();
    std::optional<identity::FleetLog> log;
    if (!load_log_file(state.log_file(), &person_public, log)) return 1;
    identity::PublicKey machine;
    if (const auto* by_name = log->find_machine_by_name(target)) machine = by_name->key;
    else if (!identity::from_hex(target, machine.bytes)) {
        std::fprintf(stderr, "vectra: no enrolled machine is named '%s' (and it is not a 64-digit key)\n", target.c_str());
        return 1;
    }
    auto failure = log->append_new(identity::StatementKind::Revocation, machine, reason, now_seconds(), *person);
    person->wipe();
    if (failure) {
        print_fleet_error(*failure);
        return 1;
    }
    if (!save_log(state, *log)) return 1;
    std::printf("revoked %s as statement %llu\n", target.c_str(), static_cast<unsigned long long>(log->length() - 1));
    return 0;
}

int fleet_verify() {
    identity::PublicKey person;
    const identity::PublicKey* expected = nullptr;
    if (!person_option.empty()) {
        if (!identity::from_hex(person_option, person.bytes)) {
            std::fprintf(stderr, "vectra: --person must be 64 hex digits\n");
            return 2;
        }
        expected = &person;
    }
    std::optional<identity::FleetLog> log;
    if (!load_log_file(log_path, expected, log)) return 1;
    // What this machine accepted before must still be there (no rollback, no fork).
    if (const auto accepted = load_accepted_head(state_directory(state_option))) {
        if (expected == nullptr || accepted->person == *expected) {
            if (auto failure = log->check_against(*accepted)) {
                print_fleet_error(*failure);
                return 1;
            }
        }
    }
    std::printf("valid fleet log%s\n", expected ? "" : " (Person taken from its genesis: compare the key with yours)");
    print_machines(*log);
    return 0;
}

int fleet_show() {
    const StateDirectory state = state_directory(state_option);
    std::optional<identity::FleetLog> log;
    const auto accepted = load_accepted_head(state);
    if (!load_log_file(state.log_file(), accepted ? &accepted->person : nullptr, log)) return 1;
    if (accepted) {
        if (auto failure = log->check_against(*accepted)) {
            print_fleet_error(*failure);
            return 1;
        }
    }
    print_machines(*log);
    return 0;
}

int fleet_merge() {
    const StateDirectory state = state_directory(state_option);
    std::optional<identity::FleetLog> ours, theirs;
    const auto accepted = load_accepted_head(state);
    if (access(state.log_file().c_str(), F_OK) != 0) {
        // A machine with no log yet adopts one — but only for a Person it was told about:
        // taking the key from the log itself would trust whoever handed the log over.
        identity::PublicKey person;
        if (person_option.empty() || !identity::from_hex(person_option, person.bytes)) {
            std::fprintf(stderr, "vectra: this machine has no fleet log yet; adopt one with --person KEY (the Person's public key)\n");
            return 2;
        }
        if (!load_log_file(log_path, &person, theirs) || !save_log(state, *theirs)) return 1;
        std::printf("adopted the fleet log: %llu statements\n", static_cast<unsigned long long>(theirs->length()));
        return 0;
    }
    if (!load_log_file(state.log_file(), accepted ? &accepted->person : nullptr, ours)) return 1;
    const identity::PublicKey person = ours->person();
    if (!load_log_file(log_path, &person, theirs)) return 1;
    const uint64_t before = ours->length();
    if (auto failure = ours->merge(*theirs)) {
        print_fleet_error(*failure);
        return 1;
    }
    if (!save_log(state, *ours)) return 1;
    std::printf("merged: %llu new statements\n", static_cast<unsigned long long>(ours->length() - before));
    return 0;
}

}  // namespace

void register_fleet_commands(CLI::App& app) {
    auto* fleet = app.add_subcommand("fleet", "the Person's signed log of machines");
    fleet->require_subcommand(1);
    fleet->add_option("--state-dir", state_option, "state directory (default $VECTRA_STATE_DIR or ~/.local/state/vectra)");
    auto* revoke = fleet->add_subcommand("revoke", "ceremony: one signed statement revoking a machine");
    revoke->add_option("machine", target, "machine name or public key (hex)")->required();
    revoke->add_option("--reason", reason, "why (printable text, up to 200 characters)");
    revoke->callback([] { throw CLI::RuntimeError(fleet_revoke()); });
    auto* verify = fleet->add_subcommand("verify", "check a log file back to the Person's key");
    verify->add_option("log", log_path, "fleet log file")->required();
    verify->add_option("--person", person_option, "the Person's public key (hex)");
    verify->callback([] { throw CLI::RuntimeError(fleet_verify()); });
    auto* show = fleet->add_subcommand("show", "this machine's fleet: machines, revoked ones marked");
    show->callback([] { throw CLI::RuntimeError(fleet_show()); });
    auto* merge = fleet->add_subcommand("merge", "accept a longer valid log from another machine");
    merge->add_option("log", log_path, "fleet log file")->required();
    merge->add_option("--person", person_option, "the Person's public key (hex), to adopt a first log");
    merge->callback([] { throw CLI::RuntimeError(fleet_merge()); });
}

}  // namespace commands
