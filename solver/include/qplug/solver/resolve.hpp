// Resolution across backends with libsolv: given what is installed and a request, choose
// releases so that every dependency, QGIS and Python compatibility and pin holds and no Python
// module comes from two backends, or explain why no such choice exists (docs/resolve.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/problems.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// What the plan is for, and what it may do.
struct Policy {
    std::string qgis_version;               ///< the target QGIS, X.Y.Z (required)
    std::string python_version = "3.11";    ///< the target Python, for Requires-Python and markers
    std::string platform = "linux";         ///< linux, win32 or darwin, for markers
    bool allow_experimental = false;        ///< experimental plugin releases, globally ...
    std::set<std::string> experimental_for; ///< ... or for these plugins (key or name)
    bool allow_deprecated = false;
    /// false: caches (the .solv cache beside the index, the remembered `qgis --version`) are
    /// read but not written (a dry run writes nothing).
    bool write_caches = true;
    bool allow_downgrade = false; ///< an installed release may be replaced by an older one
    bool allow_uninstall = false; ///< installed releases may be removed to make room
    std::string exclude_newer;    ///< ISO date: releases updated later are left out
    /// Pins: the target (a package name, with an optional "backend:" prefix) must stay within
    /// the spec whenever it is installed.
    std::vector<std::pair<std::string, std::string>> pins;
    /// Which backend's release of a plugin that several backends offer is taken when the
    /// repositories' priorities and the versions are equal, most preferred first.
    std::vector<Backend> backend_preference = {Backend::legacy, Backend::pip, Backend::conda};
};

/// One thing the user asks for.
struct Request {
    enum class Action { install, upgrade, remove };
    Action action = Action::install;
    std::optional<Backend> backend; ///< "pip:name": only that backend
    std::string name;               ///< key or plugin name; "" with upgrade: everything
    std::string spec;               ///< in the backend's syntax: "==1.2", ">=1,<2", "1.2.*"
    std::string text;               ///< as written
    /// pip extras ("name[a,b]"), canonical (PEP 685), each once; only pip releases match a
    /// request with extras.
    std::vector<std::string> extras = {};
};

/// "Name", "Name==1.2" (as QGIS writes pins), "name>=1,<2", "pip:name>=1", "conda:name 1.2.*",
/// "legacy:Plugin Name==2.0", "pip:name[a,b]>=1". The name ends at the first of "=<>!~ " not
/// inside the name of a plugin with spaces: a plugin name may contain spaces, so a spec starts
/// at an operator. A name that is a PEP 508 name followed by "[extras]" asks for pip extras
/// (not with "legacy:" or "conda:"); with "pip:" the extras must be PEP 508 names.
Expected<Request> parse_request(std::string_view text, Request::Action action);

struct PlanStep {
    enum class Action { install, upgrade, downgrade, remove, keep };
    Action action = Action::install;
    Backend backend = Backend::legacy;
    std::string name;         ///< the key
    std::string display_name; ///< a plugin's name
    std::string version;      ///< the version the step leads to (removed: the one removed)
    std::string from_version; ///< upgrade, downgrade: the installed one
    std::string repository;
    std::string download_url;
    std::string file_name;
    std::string hash;
    std::optional<std::uint64_t> size;
    std::int64_t release_id = 0; ///< in the index (0 for an installed-only release)
    /// A QGIS plugin distributed as a pip or conda package: its module, the folder it is
    /// installed as in the plugins folder ("" for legacy steps, whose key is `name`, and for
    /// packages that are not plugins).
    std::string plugin_key;
    /// With plugin_key: the package's own requirements (a wheel's Requires-Dist and
    /// Requires-Python), which the target's state keeps (the plugin folder has no .dist-info).
    std::vector<Dependency> plugin_requirements;
    std::string reason; ///< "requested", "needed by X 1.0 (X requires ...)", ...
    /// A request names it (install, upgrade or remove; or a request to install what is
    /// installed already, a "keep"): its mark in the target becomes "requested".
    bool requested = false;
};

std::string_view action_name(PlanStep::Action action);

struct Plan {
    std::vector<PlanStep> steps;
    /// The plugins of the resulting installation in the order QGIS should load them: every
    /// plugin after the plugins it names in plugin_dependencies.
    std::vector<std::string> load_order;
    std::vector<std::string> warnings;
};

/// Why no plan exists, in terms a plugin user can act on (never libsolv's strings).
struct Explanation {
    std::vector<std::string> summary;   ///< root causes, grouped by package, versions merged
    std::vector<std::string> paths;     ///< how the request leads to each cause
    std::vector<std::string> solutions; ///< what would make it solvable, in user terms
    std::vector<std::string> proof;     ///< the full derivation (--proof)
    /// The same as data: summary[i] renders problems.causes[i], solutions[i]
    /// problems.solutions[i], paths[i] problems.paths[i].
    ProblemGraph problems;
};

struct Resolution {
    bool solved = false;
    Plan plan;
    Explanation explanation;
    /// For a solved plan: for each package of the result, the chain of requirements that
    /// brings it in ("qplug why"), keyed by name.
    std::vector<std::pair<std::string, std::vector<std::string>>> why;
    /// For a solved plan: every release of the resulting installation (action keep for what
    /// stays, install for what comes), sorted by backend and name; what a lock file records.
    std::vector<PlanStep> installation;
};

/// Resolves `requests` against the releases of the index and what is installed. Fails only
/// on bad input (a request that names nothing, a bad policy); "no solution" is a Resolution
/// with solved == false and an explanation.
Expected<Resolution> resolve(const std::vector<ReleaseRecord>& available,
                             const std::vector<ReleaseRecord>& installed,
                             const std::vector<Request>& requests, const Policy& policy);

/// The same against an index: its enabled repositories, its installed sources and its pins
/// (added to `policy.pins`).
Expected<Resolution> resolve(const Index& index, const std::vector<Request>& requests,
                             Policy policy);
/// Against an index's repositories and pins, with what a target has installed.
Expected<Resolution> resolve(const Index& index, const std::vector<ReleaseRecord>& installed,
                             const std::vector<Request>& requests, Policy policy);

/// The resolution as JSON: {"solved", "plan": {"steps", "load_order", "warnings"}, "why",
/// "explanation": {"summary", "paths", "solutions", "proof"}} (docs/resolve.md).
std::string resolution_json(const Resolution& resolution, bool with_proof = false);

/// Reads plugin_dependencies and the QGIS range from a plugin ZIP's metadata.txt as QGIS
/// does, and its requirements.txt (beside metadata.txt) as pip dependencies. `label` names
/// the ZIP in messages.
Expected<std::vector<Dependency>> plugin_dependencies_from_zip(const std::filesystem::path& zip,
                                                               const std::string& label,
                                                               std::vector<std::string>* warnings);

/// Fetches a plugin release's ZIP (plugins.xml releases do not say their dependencies) and
/// reads plugin_dependencies and the QGIS range from its metadata.txt as QGIS does.
Expected<std::vector<Dependency>> fetch_plugin_dependencies(const ReleaseRecord& release,
                                                            Fetcher& fetcher,
                                                            const std::string& credentials,
                                                            std::vector<std::string>* warnings);

} // namespace qplug::solver
