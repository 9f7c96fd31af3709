// The rule selection of a checked path: the command line's --select/--ignore, else the
// [tool.qplug] of the nearest pyproject.toml.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <string>

#include <qplug/expected.hpp>

#include "diagnostics_output.hpp"
#include "project_config.hpp"

namespace qplug::cli {

class SelectionFinder {
public:
    explicit SelectionFinder(const CheckOutputOptions& options) : options_(options) {}

    /// Fails when a pattern names no rule, or the project's pyproject.toml is broken.
    Expected<RuleSelection> for_path(const std::string& path);
    /// The project configuration that applies to `path` (cached per folder).
    Expected<ProjectConfig> config_for(const std::string& path);

private:
    const CheckOutputOptions& options_;
    std::map<std::string, Expected<ProjectConfig>> configs_;
};

} // namespace qplug::cli
