// A static plugin repository from a folder of plugin ZIPs: plugins.xml in plugins.qgis.org's
// layout, with the ZIPs and icons beside it, for any static web server or object store.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/meta/diagnostic.hpp>

namespace qplug::cli {

struct StaticRepositoryOptions {
    std::filesystem::path source; ///< the folder of plugin ZIPs (*.zip, not recursive)
    std::filesystem::path output; ///< OUTDIR: plugins.xml, the ZIPs, icons/
    /// The URL OUTDIR is served at ("https://plugins.example.org/qgis/"); empty: its file://
    /// URL. download_url and icon are absolute URLs under it.
    std::string base_url;
    meta::Profile profile = meta::Profile::qgis; ///< what a ZIP must pass to be listed
};

struct RefusedPackage {
    std::string zip;
    std::string reason; ///< when it is not about findings (duplicate, unreadable ...)
    meta::Diagnostics diagnostics;
};

struct StaticRepositoryReport {
    std::vector<std::string> listed; ///< file names in plugins.xml, in its order
    std::vector<RefusedPackage> refused;
    std::size_t read = 0;   ///< ZIPs read and checked in this run
    std::size_t reused = 0; ///< ZIPs unchanged since the last run, not read again
    bool changed = false;   ///< plugins.xml was written (its content changed)
};

/// Builds or updates OUTDIR. Deterministic: the same ZIPs and options give the same bytes.
/// Incremental: a ZIP whose size and modification time match the last run's record
/// (OUTDIR/.qplug-repository.json) is not read again. Files it wrote before and no longer
/// needs are removed; nothing else in OUTDIR is touched.
Expected<StaticRepositoryReport> build_static_repository(const StaticRepositoryOptions& options);

} // namespace qplug::cli
