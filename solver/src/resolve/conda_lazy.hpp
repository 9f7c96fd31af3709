// Packages of remote conda channels read as a resolution reaches them (docs/index-sources.md,
// "Plugins as wheels and conda packages"): a sync does not download a remote channel's
// packages (a channel holds thousands), so a QGIS plugin published only there would stay an
// ordinary conda package, installed into site-packages where QGIS 3.22 never looks. A plan
// downloads the few it reaches, once, into the download cache the install then takes them
// from, and makes the plugins among them plugin releases for itself (LearntReleases).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/resolve.hpp>

#include "resolve/pip_lazy.hpp"

namespace qplug::solver::detail {

/// Reads the conda package `release` for its plugin module: downloaded into `downloads`
/// (download_release: size and sha256 or md5 checked, a mismatch refused) and opened with
/// read_conda_plugin. A plugin package gives its plugin (read_plugin_metadata: its conda
/// dependencies stay, its metadata.txt adds the QGIS range and plugin_dependencies); a package
/// with a metadata.txt that is no plugin (two modules) gives the sync's warning, naming the
/// file; an ordinary package gives nothing. Fails when the file cannot be fetched or read.
Expected<WheelRequirements> read_conda_release(const Index& index, const ReleaseRecord& release,
                                               DownloadCache& downloads, const Cancellation* cancel,
                                               std::vector<std::string>& warnings);

struct CondaReadOptions {
    DownloadCache* downloads = nullptr; ///< where packages are fetched (not used offline)
    bool offline = false;               ///< fetch nothing (a note says what was left)
    const Cancellation* cancel = nullptr;
};

/// After a resolution of `requests`: reads the conda packages of remote channels it reached
/// and the plan has not read, and keeps the plugins among them in `learnt`; returns whether a
/// plugin was learnt (then resolve again). `read` holds the releases read in this plan, so
/// that none is read twice.
///
/// Reached are the conda projects a request names (without a backend, or with `conda:`), and,
/// when everything is upgraded, the conda projects of the installed plugins. Of a project's
/// releases in remote channels that are Python packages (noarch python, or depending on
/// python: the sync's test), read is the one the resolution chose, else the newest (version,
/// then build number) that fits the requests' specifiers.
Expected<bool> read_reached_conda(const Index& index, const std::vector<Request>& requests,
                                  const std::vector<ReleaseRecord>& installed,
                                  const Resolution& resolution, const CondaReadOptions& options,
                                  std::set<std::int64_t>& read, LearntReleases& learnt,
                                  std::vector<std::string>& notes);

} // namespace qplug::solver::detail
