// The options every command takes, before or after the command's name: --index, --json,
// --color, -q and -v (docs/cli.md, "Global options").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "color.hpp"

namespace qplug::cli {

struct GlobalOptions {
    bool json = false;
    std::string index; ///< "" = the command's own --index, $QPLUG_INDEX or the XDG default
    ColorMode color = ColorMode::automatic;
    int quiet = 0;
    int verbose = 0;
};

/// The process's global options (set while the command line is parsed).
GlobalOptions& globals();
/// Makes globals() the given object: qplug-commands.so, which has its own copy of this code,
/// reads the executable's (heavy_layer.hpp).
void use_globals(GlobalOptions& shared);

/// Defines the global options on the application.
void add_global_options(CLI::App& app);

/// Gives every command (a subcommand without subcommands) the global options it does not
/// define itself, bound to globals(): each is then accepted after any command name.
void add_global_options_to_commands(CLI::App& app);

/// Whether `arg` is a global option taking a value (--index, --color) written without it.
bool global_option_takes_value(const std::string& arg);
/// Whether `arg` is a global option, with or without an attached value.
bool is_global_option(const std::string& arg);

/// Where the command line leads: the command it names and the global options written before
/// that command's name, moved after it, so that the command itself reads them.
struct CommandLine {
    std::vector<std::string> path; ///< the names from the application to the command
    CLI::App* command = nullptr;   ///< the command, or the group where naming stopped
    bool complete = false;         ///< `command` has no subcommands (a command that runs)
    std::string unknown;           ///< a word where a subcommand's name was expected
    std::vector<std::string> args; ///< the arguments to parse, globals moved after the command
};

CommandLine locate_command(CLI::App& app, const std::vector<std::string>& args);

} // namespace qplug::cli
