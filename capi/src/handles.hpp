// The handles of the index API (docs/capi.md, "The plugin manager"): what each holds, and
// the helpers the C entry points share (strings in, progress out, cancellation).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <atomic>
#include <cstddef>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug.h>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/target.hpp>

/// An open index: its own SQLite connection serves the queries (one call at a time, under
/// `mutex`); a sync, a resolution and an apply open connections of their own on `path`, so
/// they never hold the handle and never block its readers (the index is in WAL mode).
struct qplug_index {
    qplug_index(qplug::solver::Index opened, bool opened_read_only)
        : index(std::move(opened)), path(index.path().string()), read_only(opened_read_only) {}
    qplug::solver::Index index;
    const std::string path;
    const bool read_only;
    std::mutex mutex;
};

/// A target and the options it was opened with; its calls are serialized (the Python
/// environment is asked lazily, and an apply holds the target).
struct qplug_target {
    qplug_target(qplug::solver::Target opened, qplug::solver::TargetOptions given)
        : target(std::move(opened)), options(std::move(given)), root(target.root().string()),
          plugins_dir(target.plugins_dir().string()), description(target.describe()) {}
    qplug::solver::Target target;
    const qplug::solver::TargetOptions options;
    const std::string root;
    const std::string plugins_dir;
    const std::string description;
    std::mutex mutex;
};

/// A plan and what it was made from: the requests and options, so that applying it makes
/// the same plan again under the target's lock and can tell when it is no longer the same.
struct qplug_resolution {
    qplug::solver::PlanRun run;
    std::vector<std::string> actions;  ///< per step, for the C strings
    std::vector<std::string> backends; ///< per step
    std::vector<qplug::solver::Request> requests;
    qplug::solver::PlanOptions plan; ///< policy, lock file, offline (no pointers kept)
    std::string target_root;         ///< the target it was made for
    const qplug::solver::Resolution& resolution() const { return run.resolution; }
};

namespace qplug::capi {

/// `s` when it is neither NULL nor "", else `fallback`.
inline const char* text_or(const char* s, const char* fallback) {
    return s != nullptr && *s != '\0' ? s : fallback;
}

/// An argument that must not be NULL: records QPLUG_EINVALID naming it.
int null_argument(const char* name);
/// An options struct of an unknown version.
int bad_options_version(const char* what, unsigned version);

/// Turns a C progress callback into the library's cancellation: each report goes to the
/// callback, and a non-zero answer raises `cancel` (and is remembered, so that the failure
/// the library returns at its next check point is reported as QPLUG_ECANCELED).
class ProgressBridge {
public:
    ProgressBridge(qplug_progress_fn fn, void* user_data) : fn_(fn), user_data_(user_data) {}
    void report(int phase, std::string_view name, std::uint64_t done, std::uint64_t total);
    const solver::Cancellation* cancellation() const { return &cancel_; }
    bool cancelled() const { return cancel_.requested(); }

private:
    qplug_progress_fn fn_;
    void* user_data_;
    std::string name_; ///< NUL-terminated copy for the callback
    solver::Cancellation cancel_;
};

/// Reads the C request strings; QPLUG_EINVALID for a NULL one, the parse error otherwise.
int parse_requests(std::vector<solver::Request>& out, int action, const char* const* requests,
                   size_t count);

/// The library's PlanOptions from a (version 1 or 2) resolve options struct; NULL: defaults.
/// The target fields go to `target_options`.
int plan_options(const qplug_resolve_options* options, solver::PlanOptions& plan,
                 solver::TargetOptions& target_options);

} // namespace qplug::capi
