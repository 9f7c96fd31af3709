// A project's qplug settings: [tool.qplug] in the nearest pyproject.toml, as Python tools
// (ruff, black, pytest) keep theirs.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::cli {

struct ProjectConfig {
    std::filesystem::path file; ///< the pyproject.toml read; empty when there is none
    /// [tool.qplug] select / ignore: rule ids or prefixes (META-URL, PKG-)
    std::optional<std::vector<std::string>> select, ignore;
    /// [tool.qplug.package] exclude / include: name or path patterns for `package build`,
    /// and default-excludes = false to drop the built-in list
    std::optional<std::vector<std::string>> exclude, include;
    std::optional<bool> default_excludes;
};

/// The nearest pyproject.toml holding a [tool.qplug] table, from `path` (a file: its folder)
/// up to the root; an empty config when there is none. Fails (with file:line:column) when that
/// file is not TOML or [tool.qplug] has a key or a type qplug does not know.
Expected<ProjectConfig> find_project_config(const std::filesystem::path& path);

} // namespace qplug::cli
