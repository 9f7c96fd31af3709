// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolve_options.hpp"

#include <cstdlib>
#include <iostream>
#include <map>
#include <set>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/qgis_program.hpp>
#include <qplug/solver/source.hpp>

#include "choice.hpp"
#include "color.hpp"
#include "global_options.hpp"
#include "output.hpp"
#include "suggest.hpp"

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
    if (globals().quiet > 0) {
        return; // -q: no notes (warnings and explanations stay)
    }
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
        ->transform(choice({"linux", "win32", "darwin"}));
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
        QPLUG_RETURN_IF_ERROR(r);
        out.push_back(std::move(*r));
    }
    return out;
}

namespace {

std::string_view action_color(solver::PlanStep::Action a, const Palette& p) {
    switch (a) {
    case solver::PlanStep::Action::install:
    case solver::PlanStep::Action::upgrade:
        return p.good();
    case solver::PlanStep::Action::remove:
        return p.error();
    case solver::PlanStep::Action::keep:
        return p.dim();
    case solver::PlanStep::Action::downgrade:
        break;
    }
    return p.warning();
}

std::string step_line(const solver::PlanStep& s, const Palette& p) {
    std::string version = s.from_version.empty() ? s.version : s.from_version + " -> " + s.version;
    std::string where = std::string(solver::backend_name(s.backend));
    if (!s.repository.empty() && s.action != solver::PlanStep::Action::remove &&
        s.action != solver::PlanStep::Action::keep) {
        where += ", " + s.repository;
    }
    return fmt::format("  {}{:<9}{} {}{}{} {} ({})\n            {}{}{}\n",
                       action_color(s.action, p), solver::action_name(s.action), p.reset(),
                       p.bold(), s.display_name, p.reset(), version, where, p.dim(), s.reason,
                       p.reset());
}

/// The names the explanation says no repository offers.
std::vector<std::string> unknown_names(const solver::Explanation& e) {
    static constexpr std::string_view kPrefix = "no repository offers '";
    std::vector<std::string> out;
    for (const auto& line : e.summary) {
        if (line.starts_with(kPrefix) && line.back() == '\'') {
            out.push_back(line.substr(kPrefix.size(), line.size() - kPrefix.size() - 1));
        }
    }
    return out;
}

/// For each unknown name, the index's nearest package names (keys and display names).
std::vector<std::pair<std::string, std::vector<std::string>>>
name_suggestions(const solver::Explanation& e, const ResolveOptions& o) {
    std::vector<std::pair<std::string, std::vector<std::string>>> out;
    const auto unknown = unknown_names(e);
    if (unknown.empty()) {
        return out;
    }
    auto index = solver::Index::open(o.index.empty() ? solver::Index::default_path()
                                                     : std::filesystem::path(o.index),
                                     solver::Index::Mode::read_only);
    if (!index) {
        return out;
    }
    // Keys and display names both count; one suggestion per package, its nearest name.
    std::vector<std::string> names;
    std::map<std::string, std::int64_t> package_of;
    for (const auto& p : index->search("")) {
        for (const auto* n : {&p.display_name, &p.name}) {
            if (!n->empty() && package_of.emplace(*n, p.id).second) {
                names.push_back(*n);
            }
        }
    }
    for (const auto& name : unknown) {
        // "pip:numpi": the suggestion keeps the backend prefix the request was written with.
        const std::size_t colon = name.find(':');
        const std::string bare = colon == std::string::npos ? name : name.substr(colon + 1);
        std::vector<std::string> near;
        std::set<std::int64_t> packages;
        for (auto& n : suggestions(bare, names, 10)) {
            if (packages.insert(package_of[n]).second && near.size() < 3) {
                near.push_back(std::move(n));
            }
        }
        if (!near.empty()) {
            out.emplace_back(name, std::move(near));
        }
    }
    return out;
}

} // namespace

nlohmann::ordered_json plan_json(const solver::Resolution& r, const ResolveOptions& o,
                                 const solver::PlanRun& run) {
    auto out = nlohmann::ordered_json::parse(solver::plan_json(run, o.proof));
    if (!r.solved) {
        json near = json::object();
        for (const auto& [name, names] : name_suggestions(r.explanation, o)) {
            near[name] = names;
        }
        if (!near.empty()) {
            out["did_you_mean"] = std::move(near);
        }
    }
    return out;
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
        const Palette err{use_color(ColorMode::automatic, STDERR_FILENO)};
        const auto& e = r.explanation;
        std::cerr << fmt::format("{}qplug: no installation satisfies the request{} (QGIS {}, "
                                 "Python {}):\n",
                                 err.error(), err.reset(), qgis_version, python_version);
        for (const auto& line : e.summary) {
            std::cerr << "  - " << line << '\n';
        }
        for (const auto& [name, near] : name_suggestions(e, o)) {
            std::cerr << fmt::format("  {}'{}' is not a name the index knows{}\n", err.info(), name,
                                     err.reset())
                      << "    " << did_you_mean(near).substr(2) << '\n';
        }
        if (!e.paths.empty()) {
            std::cerr << err.bold() << "How the request leads there:" << err.reset() << "\n";
            for (const auto& line : e.paths) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (!e.solutions.empty()) {
            std::cerr << err.bold() << "What would solve it:" << err.reset() << "\n";
            for (const auto& line : e.solutions) {
                std::cerr << "  - " << line << '\n';
            }
        }
        if (o.proof && !e.proof.empty()) {
            std::cerr << err.bold() << "Proof:" << err.reset() << "\n";
            for (const auto& line : e.proof) {
                std::cerr << "  " << line << '\n';
            }
        } else if (!e.proof.empty()) {
            std::cerr << "(--proof shows the full derivation)\n";
        }
        return exit_findings;
    }
    const Palette p{use_color(ColorMode::automatic, STDOUT_FILENO)};
    std::size_t changes = 0;
    for (const auto& s : r.plan.steps) {
        changes += s.action == solver::PlanStep::Action::keep ? 0 : 1;
    }
    if (changes == 0) {
        std::cout << fmt::format("Nothing to do for QGIS {}, Python {}.\n", qgis_version,
                                 python_version);
    } else {
        std::cout << fmt::format("{}Plan for QGIS {}, Python {} ({} change{}):{}\n", p.bold(),
                                 qgis_version, python_version, changes, changes == 1 ? "" : "s",
                                 p.reset());
    }
    for (const auto& s : r.plan.steps) {
        std::cout << step_line(s, p);
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
