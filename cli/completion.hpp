// Shell completion from the command definitions: `qplug completion bash|zsh|fish` prints a
// script that asks the hidden `qplug __complete -- WORDS...` for the candidates of the word
// being typed (commands, options, choice values, repository and package names of the index),
// so the candidates always match the program that runs.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "commands.hpp"

namespace qplug::cli {

/// Candidates for the last of `words` (the words after "qplug"; the last is the one being
/// typed, possibly empty), one per line; the single line ":files" asks the shell for file
/// names.
std::vector<std::string> complete_words(CLI::App& app, const std::vector<std::string>& words);

/// The script for `shell` (bash, zsh or fish).
std::string completion_script(const std::string& shell);

/// `completion SHELL` and the hidden `__complete`.
void register_completion_commands(CLI::App& app, RunState& state);

} // namespace qplug::cli
