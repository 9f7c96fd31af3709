// One resolution as every front end runs it (the CLI, the C ABI, the Python binding): the
// target QGIS and Python, the target's installed state, marks and pins, the lock file, and
// the plugin_dependencies and requirements of plugins.xml releases read from their ZIPs
// until the plan stops changing (docs/resolve.md, docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/lock_file.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/target.hpp>

namespace qplug::solver {

struct PlanOptions {
    /// qgis_version "": detected (target_qgis_version); python_version and platform "":
    /// the target's interpreter, else 3.11 on linux.
    Policy policy;
    /// Resolve towards this lock file: its requests when none are given, its versions as
    /// pins while they still fit ("" = none).
    std::string lock_file;
    /// Fail (lock_differences) when the result differs from the lock file.
    bool locked = false;
    /// Fetch nothing from the network (local files and file: URLs only).
    bool offline = false;
    /// Store what a ZIP says about a release's dependencies in the index (a read-write
    /// index); otherwise it is used for this plan only and the index is not written.
    bool record_dependencies = false;
    /// Where plugin ZIPs are downloaded to and found again; nullptr: a cache for this plan
    /// only, in memory.
    DownloadCache* downloads = nullptr;
    /// The limits of every download the plan makes (sizes, timeouts, stalls).
    FetchLimits download;
    /// Stops the plan (a ZIP being fetched for its dependencies) with a `cancelled` error.
    const Cancellation* cancel = nullptr;
};

struct PlanRun {
    std::string qgis_version;
    std::string python_version;
    std::string platform;
    Resolution resolution;
    std::vector<std::string> notes;    ///< what the user should know (detected versions ...)
    std::vector<std::string> requests; ///< as written (what a lock file records)
    /// With `locked`: how the result differs from the lock file ("" entries never).
    std::vector<std::string> lock_differences;
    /// The installed state the plan was made against.
    std::vector<ReleaseRecord> installed;
};

/// The QGIS version to resolve for: `given`, else $QPLUG_QGIS_VERSION, else the version of a
/// `qgis` program on PATH (`qgis --version`), else the default (docs/resolve.md). Says which
/// in `notes`.
/// `remember` false: a detected version is not written to the cache.
std::string target_qgis_version(const std::string& given, std::vector<std::string>* notes,
                                bool remember = true);

/// Plans `requests` for `target` (nullptr: against the index's installed sources, as
/// `resolve(const Index&, ...)` does). Fails on bad input, an unreadable target or lock
/// file, or a ZIP that cannot be fetched; "no solution" is a run whose resolution is not
/// solved.
Expected<PlanRun> make_plan(Index& index, const Target* target, std::vector<Request> requests,
                            const PlanOptions& options);

/// Writes the lock file of a solved run (not with `locked`).
Expected<void> update_lock_file(const PlanOptions& options, const PlanRun& run);

/// The run as `qplug resolve --json` prints it: resolution_json() with "qgis", "python" and
/// "platform" added (the explanation's "proof" only `with_proof`, as --proof).
std::string plan_json(const PlanRun& run, bool with_proof);

} // namespace qplug::solver
