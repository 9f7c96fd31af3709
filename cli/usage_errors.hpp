// Usage errors (exit 2) in plain words, with "did you mean" for commands and options, on
// stderr, and as {"error": {"kind": "usage", "message"}} on stdout under --json.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "global_options.hpp"

namespace qplug::cli {

/// Whether --json is on the command line (before any "--"): errors found before or while
/// parsing are then JSON too.
bool wants_json(const std::vector<std::string>& args);

/// "add, list, remove" for a group's commands.
std::string command_names(const CLI::App& group);

/// Reports `message` as a usage error of the command `line` names; returns exit_usage.
int report_usage(const CLI::App& app, const CommandLine& line, const std::string& message,
                 bool json);

/// "'instal' is not a qplug command; did you mean 'install'?"
int report_unknown_command(const CommandLine& line, bool json);

/// CLI11's error, said in plain words where CLI11's are not (unknown options get a
/// suggestion, a group without its command lists its commands).
int report_parse_error(CLI::App& app, const CommandLine& line, const CLI::ParseError& e, bool json);

} // namespace qplug::cli
