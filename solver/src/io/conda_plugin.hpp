// A conda package holding a QGIS plugin (docs/index-sources.md, "Plugins as wheels and conda
// packages"): its one top-level module under site-packages is the plugin folder. Read at the
// sync of a channel on disk; made into a plugin ZIP for the installer (docs/install.md,
// "Plugins from conda packages").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/plugin_distribution.hpp>

#include "io/conda_archive.hpp"

namespace qplug::solver::detail {

struct CondaPlugin {
    PluginModule module;      ///< what the site-packages paths say (find_plugin_module)
    std::string metadata_txt; ///< the module's metadata.txt (plugin)
};

/// Reads a conda package file (.conda, .tar.bz2) for the plugin module it holds, if any.
Expected<CondaPlugin> read_conda_plugin(const std::filesystem::path& package,
                                        const CondaArchiveLimits& limits = {});

struct CondaPluginZip {
    std::size_t files = 0;          ///< files written into the ZIP
    std::vector<std::string> notes; ///< what was left out, and why
};

/// Writes `zip` (which must not exist): the plugin folder `key/` of the conda package, as a
/// legacy plugin ZIP holds it, for libmeta's package check and the installer's extraction.
/// Refused: a package whose plugin module is not `key`, a link or special file in the folder.
/// Compiled caches (__pycache__/, *.pyc) are left out, with a note, as is everything outside
/// the folder (the package's .dist-info, info/, ...).
Expected<CondaPluginZip> write_conda_plugin_zip(const std::filesystem::path& package,
                                                const std::string& key,
                                                const std::filesystem::path& zip,
                                                const CondaArchiveLimits& limits = {});

} // namespace qplug::solver::detail
