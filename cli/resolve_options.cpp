// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve_options.hpp"

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/qgis_program.hpp>
#include <qplug/solver/source.hpp>

#include "output.hpp"

namespace qplug::cli {

using json = nlohmann::ordered_json;

solver::Policy ResolveOptions::policy() const {
    solver::Policy p;
    p.qgis_version = qgis;
    p.python_version = python;
    p.platform = platform;
    p.allow_experimental = allow_experimental;
    p.experimental_for.insert(experimental_for.begin(), experimental_for.end());
    p.allow_deprecated = allow_deprecated;
    p.allow_downgrade = allow_downgrade;
    p.allow_uninstall = allow_uninstall;
    p.exclude_newer = exclude_newer;
    const char* preference = std::getenv("QPLUG_BACKEND_PREFERENCE");
    if (const std::string text = !prefer_backends.empty() ? prefer_backends
                                 : preference != nullptr  ? std::string(preference)
                                                          : std::string();
        !text.empty()) {
        if (auto order = solver::parse_backend_preference(text)) {
            p.backend_preference = std::move(*order);
        }
    }
    for (const auto& text : pins) {
        // A pin is written as a request: "pip:numpy<2", "Common Lib==1.0".
        if (auto r = solver::parse_request(text, solver::Request::Action::install)) {
            std::string pinned = r->name;
            if (r->backend) {
                pinned = std::string(solver::backend_name(*r->backend)) + ":" + pinned;
            }
            p.pins.emplace_back(pinned, r->spec);
        }
    }
    return p;
}

solver::PlanOptions ResolveOptions::plan_options() const {
    solver::PlanOptions p;
    p.policy = policy();
    p.lock_file = lock_file;
    p.locked = is_locked();
    p.offline = is_offline();
    p.download = download;
    return p;
}

void print_notes(const solver::PlanRun& run) {
    for (const auto& n : run.notes) {
        std::cerr << "qplug: " << n << '\n';
    }
}

void add_resolve_options(CLI::App* cmd, ResolveOptions& o, bool with_lock) {
    add_index_options(cmd, o);
    add_target_options(cmd, o);
    add_download_options(cmd, o);
    cmd->add_option("--qgis", o.qgis,
                    "Target QGIS version X.Y.Z (default: $QPLUG_QGIS_VERSION, else `qgis "
                    "--version`, else 3.40.0)");
    cmd->add_option("--python", o.python,
                    "Target Python version for Requires-Python and markers (default: the "
                    "target interpreter's, else 3.11)");
    cmd->add_option("--platform", o.platform,
                    "linux, win32 or darwin, for markers (default: the target interpreter's)")
        ->check(CLI::IsMember({"linux", "win32", "darwin"}));
    cmd->add_flag("--allow-experimental", o.allow_experimental,
                  "Consider experimental plugin releases");
    cmd->add_option("--experimental-for", o.experimental_for,
                    "Consider experimental releases of this plugin (repeatable)");
    cmd->add_flag("--allow-deprecated", o.allow_deprecated, "Consider deprecated releases");
    cmd->add_flag("--allow-downgrade", o.allow_downgrade,
                  "An installed release may be replaced by an older one");
    cmd->add_flag("--allow-uninstall", o.allow_uninstall,
                  "Installed releases may be removed to make room");
    cmd->add_option("--exclude-newer", o.exclude_newer,
                    "Leave out releases updated after this date (YYYY-MM-DD)");
    cmd->add_option("--pin", o.pins,
                    "Keep a package within a spec for this run, e.g. 'pip:numpy<2' "
                    "(repeatable; `qplug pin` records pins)");
    cmd->add_option("--prefer-backends", o.prefer_backends,
                    "Which backend's release of a plugin that several offer at one priority "
                    "and version, e.g. pip,legacy,conda (default: $QPLUG_BACKEND_PREFERENCE, "
                    "else legacy,pip,conda)")
        ->check([](const std::string& text) {
            auto order = solver::parse_backend_preference(text);
            return order ? std::string() : order.error().message;
        });
    cmd->add_flag("--proof", o.proof, "With an explanation, print the full derivation too");
    if (with_lock) {
        cmd->add_option("--lock-file", o.lock_file,
                        "Resolve towards this lock file and update it (docs/resolve.md)");
        cmd->add_flag("--locked", o.locked, "Fail (exit 1) when the lock file would change");
        cmd->add_flag("--offline", o.offline,
                      "Use no network: only local files and file: URLs are fetched");
        cmd->add_flag("--frozen", o.frozen, "--locked and --offline");
    }
}

Expected<std::vector<solver::Request>> parse_requests(const std::vector<std::string>& texts,
                                                      solver::Request::Action action) {
    std::vector<solver::Request> out;
    for (const auto& t : texts) {
        auto r = solver::parse_request(t, action);
        if (!r) {
            return std::move(r).error();
        }
        out.push_back(std::move(*r));
    }
    return out;
}

namespace {

std::string step_line(const solver::PlanStep& s) {
    std::string version = s.from_version.empty() ? s.version : s.from_version + " -> " + s.version;
    std::string where = std::string(solver::backend_name(s.backend));
    if (!s.repository.empty() && s.action != solver::PlanStep::Action::remove &&
        s.action != solver::PlanStep::Action::keep) {
        where += ", " + s.repository;
    }
    return fmt::format("  {:<9} {} {} ({})\n            {}\n", solver::action_name(s.action),
                       s.display_name, version, where, s.reason);
}

} // namespace

nlohmann::ordered_json plan_json(const solver::Resolution& r, const ResolveOptions& o,
                                 const solver::PlanRun& run) {
    (void)r; // (always run.resolution)
    return nlohmann::ordered_json::parse(solver::plan_json(run, o.proof));
}

int print_resolution(const solver::Resolution& r, const ResolveOptions& o,
                     const solver::PlanRun& run) {
    const std::string& qgis_version = run.qgis_version;
    const std::string& python_version = run.python_version;
    if (o.json) {
        std::cout << plan_json(r, o, run).dump(2) << '\n';
        return r.solved ? exit_ok : exit_findings;
    }
    for (const auto& w : r.plan.warnings) {
        std::cerr << "qplug: warning: " << w << '\n';
    }
    if (!r.solved) {
        const auto& e = r.explanation;
        std::cerr << fmt::format("qplug: no installation satisfies the request (QGIS {}, "
                                 "Python {}):\n",
                                 qgis_version, python_version);
        for (const auto& line : e.summary) {
            std::cerr << "  - " << line << '\n';
        }
        if (!e.paths.empty()) {
            std::cerr << "How the request leads there:\n";
            for (const auto& line : e.paths) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (!e.solutions.empty()) {
            std::cerr << "What would solve it:\n";
            for (const auto& line : e.solutions) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (o.proof && !e.proof.empty()) {
            std::cerr << "Proof:\n";
            for (const auto& line : e.proof) {
                std::cerr << "  " << line << '\n';
            }
        } else if (!e.proof.empty()) {
            std::cerr << "(--proof shows the full derivation)\n";
        }
        return exit_findings;
    }
    std::size_t changes = 0;
    for (const auto& s : r.plan.steps) {
        changes += s.action == solver::PlanStep::Action::keep ? 0 : 1;
    }
    if (changes == 0) {
        std::cout << fmt::format("Nothing to do for QGIS {}, Python {}.\n", qgis_version,
                                 python_version);
    } else {
        std::cout << fmt::format("Plan for QGIS {}, Python {} ({} change{}):\n", qgis_version,
                                 python_version, changes, changes == 1 ? "" : "s");
    }
    for (const auto& s : r.plan.steps) {
        std::cout << step_line(s);
    }
    if (!r.plan.load_order.empty()) {
        // QGIS promises only "dependencies first" (its sort of the folder listing), not
        // one sequence: say so.
        std::cout << "QGIS starts each plugin after the plugins it needs, e.g.: "
                  << fmt::format("{}", fmt::join(r.plan.load_order, ", ")) << '\n';
    }
    return exit_ok;
}

} // namespace qplug::cli
