// The `vectra` tool's exit statuses: one small set, the same for every command, so scripts can
// tell a refusal from a typo (docs/identity.md, "Exit statuses").
#pragma once

namespace commands {

enum ExitCode : int {
    kExitOk = 0,
    kExitRefused = 1,       // a check refused the input, or the work could not be done (I/O)
    kExitUsage = 2,         // bad command line or bad input text (words, names, reasons)
    kExitBusy = 3,          // another vectra command holds this state directory's lock
    kExitNotConfirmed = 4,  // a question was declined, or could not be asked without a terminal
};

}  // namespace commands
