// qplug(1), generated from the command definitions (`qplug __man`; the build writes qplug.1
// with it and `cmake --install` installs it).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace qplug::cli {

/// The man page, in roff (man macros).
std::string man_page(CLI::App& app);

/// The hidden `__man` command.
void register_man_command(CLI::App& app, RunState& state);

} // namespace qplug::cli
