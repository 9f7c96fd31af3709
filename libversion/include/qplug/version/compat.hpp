// Plugin <-> QGIS compatibility: qgisMinimumVersion / qgisMaximumVersion against a running
// QGIS, as the Python plugin installer (pyplugin_installer.version_compare.isCompatible) and
// as the C++ plugin loader (QgsPluginRegistry::checkQgisVersion) decide it. They differ
// (docs/versions.md, "Compatibility").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

#include <qplug/expected.hpp>

namespace qplug::version::compat {

enum class Rules {
    installer, ///< the plugin manager: lists, installs and upgrades
    loader,    ///< QGIS at start-up: loads or disables an installed plugin
};

struct Options {
    Rules rules = Rules::installer;
    /// QGIS X.99 (a development build before a major release) behaves as (X+1).0.0. True in
    /// every released QGIS up to 3.40; some 2025/26 trees drop it.
    bool bump_dev_major = true;
    /// The installer defaults a missing qgisMinimumVersion to "0" for an installed plugin
    /// and to "2" for a repository entry (both are then incompatible).
    bool installed_plugin = false;
};

struct Result {
    bool compatible = false;
    std::string qgis;    ///< the QGIS version as compared (after the X.99 bump), X.Y.Z
    std::string minimum; ///< qgisMinimumVersion as compared (after defaulting)
    std::string maximum; ///< qgisMaximumVersion as compared (after defaulting)
    std::string reason;  ///< why not, in words; empty when compatible
};

/// `qgis` is a QGIS version such as "3.34.5", "3.34.5-Prizren" or "3.34" (X.Y means X.Y.0);
/// `minimum` / `maximum` are the metadata values (an empty maximum takes the default).
/// Fails only when `qgis` is not a QGIS version.
Expected<Result> check(std::string_view qgis, std::string_view minimum, std::string_view maximum,
                       const Options& options = {});

/// The maximum a plugin gets when qgisMaximumVersion is empty: the installer uses the first
/// character of the minimum + ".99" (so "10.0" gives "1.99"), the loader the minimum's major
/// version + ".99".
std::string default_maximum(std::string_view minimum, Rules rules);

/// pyQgisVersion(): X.Y.Z of a QGIS version string, with the X.99 bump when asked.
Expected<std::string> qgis_api_version(std::string_view qgis, bool bump_dev_major = true);

} // namespace qplug::version::compat
