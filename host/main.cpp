// The `vectra` host tool: a CLI11 app whose command families live in commands/.
// Exit statuses are the small documented set of commands/exit_codes.h: a command's own status
// comes back as a CLI::RuntimeError, and every command-line error CLI11 finds is a usage error.
#include <cstdio>

#include "commands/commands.h"
#include "commands/exit_codes.h"
#include "identity/crypto.h"

int main(int argc, char** argv) {
    if (!identity::crypto_init()) {
        std::fprintf(stderr, "vectra: cannot initialise the crypto library\n");
        return commands::kExitRefused;
    }
    CLI::App app{"vectra: identity, fleet and packages for VectraOS", "vectra"};
    app.require_subcommand(1);
    // Inherited by every subcommand made below: an option a subcommand does not know goes to
    // its parent, so `machine init --state-dir D` works as well as `machine --state-dir D init`.
    app.fallthrough();
    commands::register_person_commands(app);
    commands::register_machine_commands(app);
    commands::register_fleet_commands(app);
    commands::register_pkg_commands(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::RuntimeError& status) {  // a command finished with this status
        return status.get_exit_code();
    } catch (const CLI::ParseError& error) {
        const int printed = app.exit(error);  // prints help, or the error with a hint
        return printed == 0 ? commands::kExitOk : commands::kExitUsage;
    }
    return commands::kExitOk;
}
