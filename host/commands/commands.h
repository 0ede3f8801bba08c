// Each command family registers its subcommands on the CLI11 app; main.cpp only wires them.
#pragma once

#include <CLI/CLI.hpp>

namespace commands {

void register_person_commands(CLI::App& app);
void register_machine_commands(CLI::App& app);
void register_fleet_commands(CLI::App& app);
void register_pkg_commands(CLI::App& app);  // and "mirror"

}  // namespace commands
