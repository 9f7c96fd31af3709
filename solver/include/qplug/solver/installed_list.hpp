// What is installed in a target, as `qplug list --installed` shows it and a plugin manager
// needs it: per package its backend, mark, whether QGIS starts it, and what QGIS would call
// broken or incompatible (docs/install.md, "Listing a target").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/target.hpp>

namespace qplug::solver {

struct InstalledPackage {
    std::string name;         ///< the key: plugin folder, normalized pip name, conda name
    std::string display_name; ///< a plugin's name, else the distribution's
    std::string version;
    Backend backend = Backend::legacy; ///< who installed it (a plugin's folder: its owner)
    bool plugin = false;               ///< a QGIS plugin folder
    std::string path;
    /// requested or automatic; nullopt for the environment's own packages (external).
    std::optional<Mark> mark;
    bool external = false;
    /// Plugins of a profile: QGIS3.ini says QGIS starts it; nullopt elsewhere.
    std::optional<bool> enabled;
    bool experimental = false;
    bool deprecated = false;
    std::string broken;       ///< QGIS's reason ("Error reading metadata: ..."), "" when fine
    std::string incompatible; ///< why QGIS would not load it for the target QGIS, "" when fine
};

/// The target's plugins and the Python and conda packages qplug installed there; with
/// `environment`, also the environment's own packages. Sorted by backend and name.
Expected<std::vector<InstalledPackage>> list_installed(const Target& target,
                                                       const std::string& qgis_version,
                                                       bool environment,
                                                       std::vector<std::string>* warnings);

/// {"target", "qgis", "installed": [{name, display_name, version, backend, plugin, path,
/// requested, external, enabled, experimental, deprecated, broken, incompatible}]}: the
/// shape `qplug list --installed --json` prints (docs/install.md).
std::string installed_json(const Target& target, const std::string& qgis_version,
                           const std::vector<InstalledPackage>& packages);

} // namespace qplug::solver
