// One resolution as the commands run it: the target QGIS, the index's pins, the lock file,
// and the plugin_dependencies of plugins.xml releases read from their ZIPs until the plan
// stops changing.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <qplug/solver/index.hpp>
#include <qplug/solver/resolve.hpp>

#include "resolve_options.hpp"

namespace qplug::cli {

struct ResolutionRun {
    std::string qgis_version;
    solver::Resolution resolution;
    std::vector<std::string> notes;
    std::vector<std::string> requests; ///< as written (what a lock file records)
    /// --locked / --frozen and the result differs from the lock file: what differs.
    std::vector<std::string> lock_differences;
};

/// Resolves `requests` (with the lock file's requests when none are given and a lock file
/// exists). Fails on bad input or when a ZIP cannot be fetched; "no solution" is a run whose
/// resolution is not solved.
Expected<ResolutionRun> run_resolution(solver::Index& index, ResolveOptions& options,
                                       std::vector<solver::Request> requests);

/// Writes the lock file for a solved run (when --lock-file is given and not --locked).
Expected<void> update_lock_file(const ResolveOptions& options, const ResolutionRun& run);

} // namespace qplug::cli
