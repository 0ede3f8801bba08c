// The machine's state directory: its key, its copy of the fleet log, the head it has accepted
// and the lock its fleet ceremonies take. --state-dir, else $VECTRA_STATE_DIR, else
// ~/.local/state/vectra. Every command that reads the log goes through load_fleet, which
// checks it against fleet.head: a rolled-back log, or a missing or damaged head, is refused.
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "files/expected.h"
#include "files/files.h"
#include "identity/fleet_log.h"
#include "identity/fleet_state.h"
#include "identity/machine_key.h"

namespace commands {

struct StateDirectory {
    std::string path;
    std::string key_file() const { return path + "/machine.key"; }
    std::string name_file() const { return path + "/machine.name"; }
    std::string log_file() const { return path + "/fleet.log"; }
    std::string head_file() const { return path + "/fleet.head"; }
    std::string verified_state_file() const { return path + "/fleet.state"; }
    std::string lock_file() const { return path + "/fleet.lock"; }
};

StateDirectory state_directory(const std::string& option);

[[nodiscard]] files::Expected<identity::SigningKey> load_machine_key(const StateDirectory& state);
// This machine's name (machine.name), or empty.
std::string load_machine_name(const StateDirectory& state);

// nullopt when this machine follows no fleet yet (neither fleet.log nor fleet.head exists).
[[nodiscard]] files::Expected<std::optional<identity::AcceptedHead>> load_accepted_head(const StateDirectory& state);
// This machine's fleet log, checked against its accepted head (see FleetLog::restore);
// nullopt when it has none yet.
[[nodiscard]] files::Expected<std::optional<identity::FleetLog>> load_fleet(const StateDirectory& state);
// Verifies a log from elsewhere, every signature, back to `person` (or, without one, to the
// Person its genesis names: the caller must show that key to be confirmed).
[[nodiscard]] files::Expected<identity::FleetLog> verify_log_file(const std::string& path, const identity::PublicKey* person);
// This machine's log resumed from fleet.state (FleetLog::resume): what a sync needs, read in
// time independent of the log's length. nullopt when there is no usable state — none, damaged,
// for another head, or disagreeing with fleet.log's size or last record — and then the caller
// loads the whole log (load_fleet), which decides. A missing or damaged fleet.head refuses,
// as for load_fleet.
struct ResumedFleet {
    identity::FleetLog log;
    identity::SavedState saved;
};
[[nodiscard]] files::Expected<std::optional<ResumedFleet>> resume_fleet(const StateDirectory& state);
// Writes fleet.state for `log`, a whole log, if fleet.log holds exactly its statements.
[[nodiscard]] files::Expected<> refresh_verified_state(const StateDirectory& state, const identity::FleetLog& log);
// Writes the log, then records its head as accepted (in that order: a crash between leaves a
// log that extends the head, which loads), then fleet.state for the new head. Refuses to write
// what could not be loaded back. A resumed log (`resumed_from` its saved state) appends only
// its new statements, to a fleet.log still of the saved size.
[[nodiscard]] files::Expected<> save_fleet(const StateDirectory& state, const identity::FleetLog& log,
                                           const identity::SavedState* resumed_from = nullptr);

// The lock every fleet ceremony holds from reading the log to writing it, so two never
// interleave. Waits up to `wait_seconds`.
[[nodiscard]] std::expected<files::FileLock, files::FileLock::Failure> lock_fleet(const StateDirectory& state, int wait_seconds);

// Reads the 24 words and derives the Person's key (the ceremony's secret part). On failure the
// reason has been printed and the error is the exit status.
[[nodiscard]] std::expected<identity::SigningKey, int> person_key_from_words();

std::string describe(const identity::FleetError& error);
uint64_t now_seconds();
// Prints "vectra: MESSAGE" to stderr and returns `code`.
int report(const std::string& message, int code);

}  // namespace commands
