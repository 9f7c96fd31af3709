// Changing a target as one run: under the target's lock, finish or roll back what an
// interrupted run left, read what is installed, plan, confirm, then apply the plan (conda and
// pip packages by their own tools, plugin folders atomically), record the marks, enable the
// plugins in QGIS's settings and write the lock file. The CLI, the C ABI and the Python
// binding all change targets through this (docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/plugin_install.hpp>
#include <qplug/solver/target.hpp>

namespace qplug::solver {

/// One step carried out (or, in a dry run, checked).
struct AppliedStep {
    PlanStep::Action action = PlanStep::Action::install;
    Backend backend = Backend::legacy;
    std::string name;
    std::string version;
    std::string path;   ///< the plugin folder, for plugins
    std::string sha256; ///< of the download, for plugins
    bool applied = false;
    std::vector<std::string> notes;
};

struct ChangeOptions {
    PlanOptions plan;
    /// Plan, download, verify and check everything; change nothing (no lock is taken, no
    /// file of the target, the index or the lock file is written).
    bool dry_run = false;
    /// How long to wait for another qplug run on the same target.
    std::chrono::milliseconds lock_wait = std::chrono::seconds(30);
    /// conda, mamba or micromamba, for a plan that changes conda packages.
    std::string conda_executable = "conda";
    /// pip may install into an externally managed interpreter (PEP 668).
    bool break_system_packages = false;
    /// Where the output of pip and conda goes ("" = nowhere).
    std::string log_file;
    /// Asked once the plan is known and before anything changes; false: nothing changes.
    std::function<bool(const PlanRun&)> confirm;
    /// Download progress: (what, bytes so far, total or 0 when unknown).
    std::function<void(std::string_view what, std::uint64_t done, std::uint64_t total)> progress;
    /// Called as steps are carried out: (the step, how many are done, how many change
    /// something in all).
    std::function<void(const AppliedStep& step, std::size_t done, std::size_t total)> step_done;
    /// Stops the run: while planning (a ZIP being fetched), while plugins are downloaded and
    /// staged, and between the conda, pip and plugin steps. Plugin folders are then as they
    /// were; pip's and conda's changes made before the stop are named in the error (kind
    /// `cancelled`). Once the plugin folders are being swapped the swap completes.
    const Cancellation* cancel = nullptr;
};

struct ChangeReport {
    PlanRun plan;
    bool dry_run = false;
    bool confirmed = false; ///< false: the plan was not solved, or confirm said no
    std::vector<AppliedStep> applied;
    RecoveryReport recovery;           ///< an interrupted run finished or rolled back first
    std::vector<std::string> notes;    ///< also pip's and conda's lines, QGIS3.ini changes
    std::vector<std::string> enabled;  ///< plugin keys enabled in QGIS3.ini
    std::vector<std::string> disabled; ///< plugin keys whose QGIS3.ini entry was removed
};

/// Plans `requests` for the target and carries the plan out (see the file comment). Fails
/// on bad input, a lock not obtained in time, or a step that fails (then every plugin
/// folder is as it was, and pip's and conda's changes up to that step are named); an
/// unsolvable request is a report whose plan is not solved.
Expected<ChangeReport> change_target(Index& index, const Target& target,
                                     std::vector<Request> requests, const ChangeOptions& options);

/// `qplug install|upgrade|remove --json`: plan_json() of the run with "target", "dry_run",
/// "applied": [{"action", "backend", "key", "version", "path", "applied", "sha256",
/// "notes"}], "enabled" and "disabled" (docs/install.md).
std::string change_json(const Target& target, const ChangeReport& report, bool with_proof);

/// Sets the mark of installed packages (`qplug mark`): fails naming a package that is not
/// installed in the target.
Expected<void> set_marks(const Target& target, const std::vector<std::string>& names, Mark mark);

/// Runs recovery of an interrupted run on the target (any run that changes the target does
/// this first; `qplug install` with nothing to do too).
Expected<RecoveryReport> recover_target(const Target& target, std::chrono::milliseconds wait);

} // namespace qplug::solver
