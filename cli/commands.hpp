// Each command family registers itself on the application (one file per family).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <CLI/CLI.hpp>

namespace qplug::cli {

/// The exit code the command that ran wants main() to return.
struct RunState {
    int exit_code = 0;
};

void register_version_commands(CLI::App& app, RunState& state);
void register_meta_commands(CLI::App& app, RunState& state);
void register_package_commands(CLI::App& app, RunState& state);
void register_repo_commands(CLI::App& app, RunState& state);
/// `repo build` (cmd_repo_build.cpp), on the `repo` group.
void register_repo_build_command(CLI::App& repo, RunState& state);
void register_query_commands(CLI::App& app, RunState& state);
void register_resolve_commands(CLI::App& app, RunState& state);
void register_install_commands(CLI::App& app, RunState& state);
void register_enable_commands(CLI::App& app, RunState& state);
/// `check` (cmd_check.cpp): the installed plugins against the target QGIS and each other.
void register_check_command(CLI::App& app, RunState& state);

} // namespace qplug::cli
