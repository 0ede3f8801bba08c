// The machine's state directory: its key, its copy of the fleet log and the head it has
// accepted. --state-dir, else $VECTRA_STATE_DIR, else ~/.local/state/vectra.
#pragma once

#include <optional>
#include <string>

#include "identity/fleet_log.h"
#include "identity/machine_key.h"

namespace commands {

struct StateDirectory {
    std::string path;
    std::string key_file() const { return path + "/machine.key"; }
    std::string name_file() const { return path + "/machine.name"; }
    std::string log_file() const { return path + "/fleet.log"; }
    std::string head_file() const { return path + "/fleet.head"; }
};

StateDirectory state_directory(const std::string& option);

// Each returns false and prints "vectra: ..." on failure.
bool load_machine_key(const StateDirectory& state, std::optional<identity::SigningKey>& key);
bool load_log_file(const std::string& path, const identity::PublicKey* person, std::optional<identity::FleetLog>& log);
// Writes the log and records its head as accepted.
bool save_log(const StateDirectory& state, const identity::FleetLog& log);
std::optional<identity::AcceptedHead> load_accepted_head(const StateDirectory& state);
// Reads the 24 words and derives the Person's key (the ceremony's secret part).
std::optional<identity::SigningKey> person_key_from_words();
void print_fleet_error(const identity::FleetError& error);
uint64_t now_seconds();

}  // namespace commands
