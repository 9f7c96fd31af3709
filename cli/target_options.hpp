// What the commands that act on an installation share: which target (--profile, --plugins-dir,
// --profiles-path) with which Python environment (--python-exe, --conda-prefix).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include <qplug/solver/target.hpp>

#include "output.hpp"

namespace qplug::cli {

struct TargetCliOptions {
    solver::TargetOptions target;
};

void add_target_options(CLI::App* cmd, TargetCliOptions& options);

/// Finds the target, or reports why not (exit code in `exit_code`).
std::optional<solver::Target> open_target(const TargetCliOptions& options,
                                          const CommonOptions& common, int& exit_code);

} // namespace qplug::cli
