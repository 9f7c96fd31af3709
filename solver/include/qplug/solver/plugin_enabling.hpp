// Enabling and disabling installed plugins of a target as `qplug enable|disable`, the C ABI's
// qplug_target_enable and the Python binding's Target.enable|disable do it: the plugins must
// be installed in the profile, then [PythonPlugins] in its QGIS3.ini changes as QGIS's Plugin
// Manager writes it (docs/install.md, "Enabling plugins in QGIS").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/solver/target.hpp>

namespace qplug::solver {

/// Enables (or disables) the plugins `names` (folder names under the profile's
/// python/plugins) in one rewrite of the profile's QGIS3.ini. Refused (kind `refused`, nothing
/// written) for a plugins-folder target (a QGIS Server loads every plugin it finds) and when
/// any of them is not installed; a name that cannot be a folder name is `invalid`; a QGIS3.ini
/// that QSettings did not write is `refused`, naming where; a file that cannot be read or
/// written is `io`.
Expected<PythonPluginsReport> enable_plugins(const Target& target,
                                             const std::vector<std::string>& names, bool enable,
                                             const SettingsWriteOptions& options = {});

/// {"profile", "settings", "dry_run", "written", "plugins": [{"name", "enabled", "changed"}]}:
/// `qplug enable|disable --json`.
std::string enabling_json(const Target& target, const PythonPluginsReport& report, bool dry_run);

} // namespace qplug::solver
