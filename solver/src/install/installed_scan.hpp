// Reading what is installed in a plugins folder and in site-packages folders, as QGIS's
// plugin manager lists it: the "installed" source syncs it into the index, a target reads it
// for a resolution (docs/index-sources.md, docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <qplug/solver/records.hpp>

namespace qplug::solver::detail {

struct InstalledScanConfig {
    /// The plugins folder (<profile>/python/plugins, or a plain plugins folder).
    std::filesystem::path plugins_dir;
    /// Names the plugins folder's owner in warnings ("the profile /p").
    std::string owner;
    std::vector<std::filesystem::path> site_packages;
};

struct InstalledScan {
    std::vector<Package> packages; ///< by name; a plugin installed twice has two releases
    /// A digest of every scanned folder's metadata.txt, requirements.txt, RECORD and conda
    /// record (size and time): unchanged means nothing changed.
    std::string digest;
};

/// Each plugin folder read from its metadata.txt as QGIS reads it (broken ones marked
/// "broken" with QGIS's reason), its requirements.txt as pip dependencies, the backend that
/// installed it (a dist-info RECORD or a conda-meta record listing its files).
InstalledScan scan_installed(const InstalledScanConfig& config,
                             const std::function<void(std::string)>& warn);

/// Only the digest (cheap: no metadata is parsed).
std::string installed_digest(const InstalledScanConfig& config);

} // namespace qplug::solver::detail
