// The fleet log through any courier the package commands use (HTTP, a directory, a disk
// image — packages::open_source): the adapter to identity::sync_from_mirror, and the sync step
// shared by `vectra fleet sync`, `vectra machine join` and `vectra pkg fetch`.
#pragma once

#include <string>

#include "commands/state.h"
#include "identity/fleet_mirror.h"
#include "packages/source.h"

namespace commands {

identity::Fetch fetch_from(packages::Source& source);

struct SyncReport {
    identity::SyncOutcome outcome;
    int exit_code = 0;  // kExitOk, or why nothing was taken
};

// Syncs this machine's fleet log from `source` under the fleet lock and saves what verified.
// With `quiet_when_absent`, a source without a fleet log (or a machine without a fleet) is
// not an error (pkg fetch); a mirror behind this machine never is (its older log is not taken).
// Prints what happened; on any refusal the state directory is unchanged.
// With `require_fresh` (fleet sync), a fleet that grants the timestamp role makes the source
// prove it withholds nothing: its timestamp must be fresh, from an allowed machine, not older
// than the last one this machine accepted, and name a fleet head in the synced log (the freeze
// defence, docs/packages.md); else nothing is taken. pkg fetch checks the timestamp itself.
SyncReport sync_fleet(const StateDirectory& state, packages::Source& source, int lock_wait_seconds, bool quiet_when_absent,
                      bool require_fresh = false);

}  // namespace commands
