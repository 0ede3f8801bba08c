// vectra machine join SOURCE: the guided way into an existing fleet. The log comes first —
// from a mirror (http://…, a directory, a disk image) or a fleet.log file — and is verified
// back to its Person, whose fingerprint the person at the keyboard confirms (or --person
// states beforehand); only then do the 24 words sign this machine's certificate into that log.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "commands/fleet_sync.h"
#include "commands/state.h"
#include "commands/terminal.h"
#include "identity/fleet_mirror.h"
#include "identity/person.h"

namespace commands {

int enroll_into(const StateDirectory& state, std::optional<identity::FleetLog>& log, const identity::PublicKey& machine,
                const std::string& name);  // machine.cpp

namespace {

std::string* state_option = nullptr;
int* lock_wait_seconds = nullptr;
std::string source, person_option, name_option;
bool leave_forked_log = false;
int timeout_seconds = 10;

// A fleet.log file starts with its magic; anything else is a mirror (a disk image is a tar file).
bool is_log_file(const std::string& path) {
    std::FILE* file = std::fopen(path.c_str(), "rb");
    if (file == nullptr) return false;
    char magic[4];
    const bool log = std::fread(magic, 1, 4, file) == 4 && std::memcmp(magic, "VXFL", 4) == 0;
    std::fclose(file);
    return log;
}

// --person: the Person's key in hex, or its fingerprint as `vectra person recover` prints it.
bool person_matches(const identity::PublicKey& person) {
    return person_option == identity::to_hex(person.bytes) || person_option == identity::fingerprint(person);
}

// Keeps the abandoned branch of a fork beside the new log, never deleted.
files::Expected<> keep_forked_log(const StateDirectory& state) {
    const std::string suffix = ".forked-" + std::to_string(now_seconds());
    for (const std::string& path : {state.log_file(), state.head_file()}) {
        if (files::exists(path) && rename(path.c_str(), (path + suffix).c_str()) != 0)
            return files::failure("cannot keep " + path + " as " + path + suffix + ": " + std::strerror(errno));
    }
    return {};
}

int machine_join() {
    const StateDirectory state = state_directory(*state_option);
    auto own = load_machine_key(state);
    if (!own) return report(own.error(), kExitRefused);
    const identity::PublicKey machine = own->public_key();
    const std::string name = name_option.empty() ? load_machine_name(state) : name_option;
    if (!identity::valid_machine_name(name)) return report("machine name '" + name + "' must be 1-64 of a-z, 0-9 and '-'", kExitUsage);

    auto lock = lock_fleet(state, *lock_wait_seconds);
    if (!lock) return report(lock.error().message, lock.error().busy ? kExitBusy : kExitRefused);
    auto current = load_fleet(state);
    if (!current && !leave_forked_log) return report(current.error(), kExitRefused);
    if (current && *current && !leave_forked_log)
        return report("this machine already follows the fleet of Person " + identity::fingerprint((*current)->person()) +
                          "; take news with 'vectra fleet sync SOURCE'. If that log is a fork of the one to join, "
                          "'--leave-forked-log' keeps it aside and joins SOURCE's",
                      kExitRefused);

    // The log, verified back to the Person its genesis names: that is only a claim until the
    // fingerprint is confirmed below.
    std::optional<identity::FleetLog> log;
    if (is_log_file(source)) {
        auto verified = verify_log_file(source, nullptr);
        if (!verified) return report(verified.error(), kExitRefused);
        log.emplace(std::move(*verified));
    } else {
        auto mirror = packages::open_source(source, timeout_seconds);
        auto fetched = identity::fetch_log(fetch_from(*mirror), nullptr, mirror->describe());
        if (!fetched) return report("refused: fleet log from " + mirror->describe() + ": " + describe(fetched.error()), kExitRefused);
        log.emplace(std::move(*fetched));
    }
    std::printf("fleet log from %s: %llu statements, verified back to Person\n    %s   (key %s)\n", source.c_str(),
                static_cast<unsigned long long>(log->length()), identity::fingerprint(log->person()).c_str(),
                identity::to_hex(log->person().bytes).c_str());
    if (!person_option.empty()) {
        if (!person_matches(log->person()))
            return report("refused: the log belongs to Person " + identity::fingerprint(log->person()) + ", not " + person_option +
                              "; nothing changed",
                          kExitRefused);
    } else if (!stdin_is_terminal()) {
        return report("confirm the Person with --person FINGERPRINT (as 'vectra person recover' prints it) when not on a terminal",
                      kExitNotConfirmed);
    } else if (!confirm("Is this your fingerprint (compare with 'vectra person recover' or your records)?")) {
        return report("not joined; nothing changed", kExitNotConfirmed);
    }

    const identity::FleetMachine* known = log->find_machine(machine);
    if (known != nullptr && known->revoked)
        return report("refused: this machine's key was revoked in that fleet (statement " + std::to_string(known->revoked_sequence) +
                          "); make a new key in a fresh state directory and join with that",
                      kExitRefused);
    if (leave_forked_log) {
        // Setting a log aside drops this machine's rollback guard: only the Person may do that.
        auto person = person_key_from_words();
        if (!person) return person.error();
        if (person->public_key() != log->person())
            return report("refused: these words are another Person than the log's; nothing changed", kExitRefused);
        if (auto kept = keep_forked_log(state); !kept) return report(kept.error(), kExitRefused);
        if (known == nullptr) {
            auto appended = log->append_new(identity::StatementKind::MachineCertificate, machine, name, now_seconds(), *person);
            if (!appended) return report("refused: " + describe(appended.error()), kExitRefused);
        }
        if (auto saved = save_fleet(state, *log); !saved) return report(saved.error(), kExitRefused);
        std::printf("joined; the forked log is kept beside it as fleet.log.forked-*. Publish this log so the others see it\n");
        return kExitOk;
    }
    if (known != nullptr) {
        // Already certified there (enrolled from another machine): the log is all it needs.
        if (auto saved = save_fleet(state, *log); !saved) return report(saved.error(), kExitRefused);
        std::printf("joined: this machine is %s (statement %llu) in that fleet\n", known->name.c_str(),
                    static_cast<unsigned long long>(known->enrolled_sequence));
        return kExitOk;
    }
    const int enrolled = enroll_into(state, log, machine, name);
    if (enrolled == kExitOk) std::printf("publish the new certificate so the others see it: 'vectra fleet publish DIR'\n");
    return enrolled;
}

}  // namespace

void register_join_command(CLI::App& machine, std::string& state, int& lock_wait) {
    state_option = &state;
    lock_wait_seconds = &lock_wait;
    auto* join = machine.add_subcommand("join", "ceremony: join an existing fleet — get its log, confirm its Person, enroll this machine");
    join->add_option("source", source, "where the log is: http://…, a mirror directory, a disk image, or a fleet.log file")->required();
    join->add_option("--person", person_option, "the Person's fingerprint or public key, to confirm without a question");
    join->add_option("--name", name_option, "machine name (default: this machine's, from machine init)");
    join->add_flag("--leave-forked-log", leave_forked_log,
                   "this machine's log is a fork: keep it aside as fleet.log.forked-TIME and join SOURCE's (needs the words)");
    join->add_option("--timeout", timeout_seconds, "seconds to connect and per read before a silent mirror is given up")->capture_default_str();
    join->callback([] { throw CLI::RuntimeError(machine_join()); });
}

}  // namespace commands
