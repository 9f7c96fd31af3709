// What `--help` and `qplug --list` say beyond CLI11's defaults: an example for every command,
// and the list of commands with the external ones.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include <CLI/CLI.hpp>

namespace qplug::cli {

/// Puts "Example: ..." into the help of every registered command that has one.
void add_examples(CLI::App& app);

/// The example of a command ("" when none), by its path ("repo add").
std::string command_example(const std::string& path);

/// `qplug --list`: the commands (built in, then external), as text or JSON.
int list_commands(const CLI::App& app, bool json);

} // namespace qplug::cli
