// External commands, as git and cargo have them: `qplug NAME ARGS...` runs the executable
// qplug-NAME found on PATH when NAME is not a built-in command.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qplug::cli {

/// The qplug-NAME executables on PATH: (NAME, path), the first of each NAME, sorted by NAME.
std::vector<std::pair<std::string, std::string>> external_commands();

/// Runs qplug-NAME with the arguments after NAME (--index given before NAME is passed as
/// QPLUG_INDEX) and does not return; nullopt when there is no such executable, exit_failure
/// when it cannot be started.
std::optional<int> run_external_command(const std::string& name,
                                        const std::vector<std::string>& args);

} // namespace qplug::cli
