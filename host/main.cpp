// The `vectra` host tool: a CLI11 app whose command families live in commands/.
#include <cstdio>

#include "commands/commands.h"
#include "identity/crypto.h"

int main(int argc, char** argv) {
    if (!identity::crypto_init()) {
        std::fprintf(stderr, "vectra: cannot initialise the crypto library\n");
        return 1;
    }
    CLI::App app{"vectra: identity, fleet and packages for VectraOS", "vectra"};
    app.require_subcommand(1);
    commands::register_person_commands(app);
    commands::register_machine_commands(app);
    commands::register_fleet_commands(app);
    commands::register_pkg_commands(app);
    CLI11_PARSE(app, argc, argv);
    return 0;
}
