// What the resolving commands share: the policy options, the target, the lock file, reading
// requests, printing a plan or an explanation.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <qplug/solver/planner.hpp>
#include <qplug/solver/resolve.hpp>

#include "index_access.hpp"
#include "target_options.hpp"

namespace qplug::cli {

struct ResolveOptions : IndexOptions, TargetCliOptions {
    std::vector<std::string> requests;
    std::string qgis;
    std::string python;   ///< "" = the target's interpreter's
    std::string platform; ///< "" = the target's interpreter's
    bool allow_experimental = false;
    std::vector<std::string> experimental_for;
    bool allow_deprecated = false;
    bool allow_downgrade = false;
    bool allow_uninstall = false;
    std::string exclude_newer;
    std::vector<std::string> pins; ///< "target spec" or "target<spec" as requests are written
    /// "pip,legacy,conda": which backend's release of a plugin several offer ("" = the
    /// default, else $QPLUG_BACKEND_PREFERENCE; docs/resolve.md)
    std::string prefer_backends;
    bool proof = false;
    std::string lock_file;
    bool locked = false;
    bool frozen = false;
    bool offline = false;

    solver::Policy policy() const;
    /// The policy, the lock file and offline as the library's planner takes them.
    solver::PlanOptions plan_options() const;
    bool is_offline() const { return offline || frozen; }
    bool is_locked() const { return locked || frozen; }
};

/// --qgis, --python, --allow-*, --exclude-newer, --pin, --proof, --lock-file, --locked ...
void add_resolve_options(CLI::App* cmd, ResolveOptions& options, bool with_lock);

/// Parses requests written on the command line; an error names the request.
Expected<std::vector<solver::Request>> parse_requests(const std::vector<std::string>& texts,
                                                      solver::Request::Action action);

/// The plan as text (stdout), or the explanation (stderr); the exit code (0 solved, 1 not).
int print_resolution(const solver::Resolution& resolution, const ResolveOptions& options,
                     const solver::PlanRun& run);

/// The plan as `--json` prints it: resolution_json() with the target versions (qgis,
/// python, platform) the planner used.
nlohmann::ordered_json plan_json(const solver::Resolution& resolution,
                                 const ResolveOptions& options, const solver::PlanRun& run);

/// Prints the planner's notes on stderr ("qplug: ..."), unless -q.
void print_notes(const solver::PlanRun& run);

} // namespace qplug::cli
