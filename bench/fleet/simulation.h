// The fleet-log simulation of `./vectra bench fleet` (simulation.cpp).
#pragma once

#include "identity/fleet_log.h"

namespace bench {

// 10,000 machines and 20 mirrors (some hostile) in one process, over `full`: the log starts at
// `base` statements and grows to `end` in steps. Prints the table; false if an honest machine
// ever took a statement that is not the Person's log, or never converged.
bool simulate_fleet(const identity::FleetLog& full, uint64_t base, uint64_t end, const identity::SigningKey& person);

}  // namespace bench
