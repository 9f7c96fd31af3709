// qplug resolve REQUEST... | why NAME | lock REQUEST... | pin TARGET | unpin TARGET
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/planner.hpp>
#include <qplug/solver/plugin_install.hpp>

#include "commands.hpp"
#include "resolve_options.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

/// Opens the index (read-only) and the target, parses the requests, plans; exit code in
/// `code` when it fails. Nothing is written: what a ZIP says is used for this plan only.
std::optional<solver::PlanRun> resolve_for(ResolveOptions& o, const std::vector<std::string>& texts,
                                           solver::Request::Action action, int& code) {
    auto requests = parse_requests(texts, action);
    if (!requests) {
        code = report_invalid(requests.error(), o);
        return std::nullopt;
    }
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return std::nullopt;
    }
    auto target = open_target(o, o, code);
    if (!target) {
        return std::nullopt;
    }
    auto run = solver::make_plan(*index, &*target, std::move(*requests), o.plan_options());
    if (!run) {
        code = report_error(run.error(), o); // a refused download: a finding, as at install
        return std::nullopt;
    }
    print_notes(*run); // stderr, also with --json
    return std::move(*run);
}

int run_resolve(ResolveOptions& o) {
    if (o.requests.empty() && o.lock_file.empty()) {
        std::cerr << "qplug: resolve needs a REQUEST, or --lock-file\n";
        return exit_usage;
    }
    int code = exit_ok;
    auto run = resolve_for(o, o.requests, solver::Request::Action::install, code);
    if (!run) {
        return code;
    }
    code = print_resolution(run->resolution, o, *run);
    if (!run->lock_differences.empty()) {
        for (const auto& d : run->lock_differences) {
            std::cerr << "qplug: lock file " << o.lock_file << ": " << d << '\n';
        }
        std::cerr << "qplug: the lock file needs updating, which --locked forbids\n";
        return exit_findings;
    }
    return code;
}

struct WhyOptions : ResolveOptions {
    std::string name;
};

int run_why(WhyOptions& o) {
    int code = exit_ok;
    auto run = resolve_for(o, o.requests, solver::Request::Action::install, code);
    if (!run) {
        return code;
    }
    const auto& r = run->resolution;
    if (!r.solved) {
        return print_resolution(r, o, *run);
    }
    // The name as a key, a plugin name or a pip name in any spelling.
    std::vector<std::pair<std::string, std::vector<std::string>>> found;
    for (const auto& step : r.installation) {
        if (step.name == o.name || step.display_name == o.name ||
            (step.backend == solver::Backend::pip &&
             step.name == solver::normalize_pip_name(o.name))) {
            for (const auto& [name, chain] : r.why) {
                if (name == step.name) {
                    found.emplace_back(step.display_name, chain);
                    break;
                }
            }
        }
    }
    if (o.json) {
        json out = json::array();
        for (const auto& [name, chain] : found) {
            out.push_back({{"name", name}, {"chain", chain}});
        }
        print_json({{"name", o.name}, {"found", out}});
        return found.empty() ? exit_findings : exit_ok;
    }
    if (found.empty()) {
        std::cerr << fmt::format("qplug: '{}' is not part of the {} installation\n", o.name,
                                 o.requests.empty() ? "current" : "requested");
        return exit_findings;
    }
    for (const auto& [name, chain] : found) {
        std::cout << name << ":\n";
        for (const auto& line : chain) {
            std::cout << "  " << line << '\n';
        }
    }
    return exit_ok;
}

int run_lock(ResolveOptions& o) {
    if (o.lock_file.empty()) {
        o.lock_file = "qplug.lock";
    }
    int code = exit_ok;
    auto run = resolve_for(o, o.requests, solver::Request::Action::install, code);
    if (!run) {
        return code;
    }
    if (!run->resolution.solved) {
        return print_resolution(run->resolution, o, *run);
    }
    if (!run->lock_differences.empty()) {
        for (const auto& d : run->lock_differences) {
            std::cerr << "qplug: lock file " << o.lock_file << ": " << d << '\n';
        }
        std::cerr << "qplug: the lock file needs updating, which --locked forbids\n";
        return exit_findings;
    }
    if (auto w = solver::update_lock_file(o.plan_options(), *run); !w) {
        return report_failure(w.error().to_string(), o);
    }
    const auto packages = solver::resulting_packages(run->resolution);
    if (o.json) {
        print_json({{"lock_file", o.lock_file}, {"packages", packages.size()}});
    } else {
        std::cout << fmt::format("{}: {} package{} for QGIS {}, Python {}\n", o.lock_file,
                                 packages.size(), packages.size() == 1 ? "" : "s",
                                 run->qgis_version, run->python_version);
    }
    return exit_ok;
}

struct PinOptions : IndexOptions, TargetCliOptions {
    std::string target;
};

/// Pins belong to a target (its state file); the index's own pins (from qplug versions
/// before targets) still apply everywhere and are listed as such.
int run_pin(const PinOptions& o, bool remove) {
    int code = exit_ok;
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    auto state = target->load_state();
    if (!state) {
        return report_failure(state.error().to_string(), o);
    }
    if (o.target.empty()) {
        std::vector<std::pair<std::string, std::string>> global;
        if (auto index = solver::Index::open(o.index.empty() ? solver::Index::default_path()
                                                             : std::filesystem::path(o.index),
                                             solver::Index::Mode::read_only)) {
            global = index->pins();
        }
        if (o.json) {
            json out = json::array();
            for (const auto& [t, spec] : state->pins) {
                out.push_back({{"target", t}, {"spec", spec}, {"scope", "target"}});
            }
            for (const auto& [t, spec] : global) {
                out.push_back({{"target", t}, {"spec", spec}, {"scope", "index"}});
            }
            print_json(out);
        } else {
            for (const auto& [t, spec] : state->pins) {
                std::cout << t << " " << spec << '\n';
            }
            for (const auto& [t, spec] : global) {
                std::cout << t << " " << spec << " (the index's, for every target)\n";
            }
        }
        return exit_ok;
    }
    auto request = solver::parse_request(o.target, solver::Request::Action::install);
    if (!request) {
        return report_invalid(request.error(), o);
    }
    std::string pinned = request->name;
    if (request->backend) {
        pinned = std::string(solver::backend_name(*request->backend)) + ":" + pinned;
    }
    auto lock = solver::ProfileLock::acquire(target->plugins_dir(), std::chrono::seconds(30));
    if (!lock) {
        return report_failure(lock.error().to_string(), o);
    }
    state = target->load_state(); // under the lock
    if (!state) {
        return report_failure(state.error().to_string(), o);
    }
    auto& pins = state->pins;
    const auto same = [&](const auto& p) { return p.first == pinned; };
    if (remove) {
        if (std::none_of(pins.begin(), pins.end(), same)) {
            std::cerr << fmt::format("qplug: {} is not pinned in {}\n", pinned, target->describe());
            return exit_findings;
        }
        std::erase_if(pins, same);
    } else {
        // A pin naming a backend may have no spec: it keeps a plugin on that backend
        // ("pip:B Plugin", docs/resolve.md "One plugin, several backends").
        if (request->spec.empty() && !request->backend) {
            Error e;
            e.kind = Error::Kind::invalid;
            e.what = "pin";
            e.input = o.target;
            e.message = "needs a spec, e.g. 'pip:numpy<2', 'Common Lib==1.0', or a backend "
                        "for a plugin, e.g. 'pip:B Plugin'";
            return report_invalid(e, o);
        }
        std::erase_if(pins, same);
        pins.emplace_back(pinned, request->spec);
    }
    if (auto w = target->save_state(*state); !w) {
        return report_failure(w.error().to_string(), o);
    }
    if (!o.json) {
        std::cout << (remove ? fmt::format("unpinned {}\n", pinned)
                             : fmt::format("pinned {} {}\n", pinned, request->spec));
    }
    return exit_ok;
}

} // namespace

void register_resolve_commands(CLI::App& app, RunState& state) {
    {
        auto o = std::make_shared<ResolveOptions>();
        auto* cmd = app.add_subcommand(
            "resolve", "Plan the installation of plugins and packages (installs nothing and "
                       "leaves the index as it is; plugin ZIPs it reads for their dependencies "
                       "go to the download cache, the pool to the .solv cache)");
        cmd->add_option("REQUEST", o->requests,
                        "'Name', 'Name==1.2', 'pip:numpy>=1.26', 'conda:gdal 3.8.*' ... "
                        "(default with --lock-file: the lock file's requests)");
        add_resolve_options(cmd, *o, true);
        cmd->callback([&state, o] { state.exit_code = run_resolve(*o); });
    }
    {
        auto o = std::make_shared<WhyOptions>();
        auto* cmd =
            app.add_subcommand("why", "Show the chain of requirements that brings a package in");
        cmd->add_option("NAME", o->name, "A plugin name or key, or a pip or conda name")
            ->required();
        cmd->add_option("--for", o->requests,
                        "Explain within the installation these requests lead to (default: "
                        "the current one)");
        add_resolve_options(cmd, *o, false);
        cmd->callback([&state, o] { state.exit_code = run_why(*o); });
    }
    {
        auto o = std::make_shared<ResolveOptions>();
        auto* cmd = app.add_subcommand(
            "lock", "Resolve and write a lock file (default qplug.lock) for later installs");
        cmd->add_option("REQUEST", o->requests,
                        "What to lock (default: the lock file's own requests)");
        add_resolve_options(cmd, *o, true);
        cmd->callback([&state, o] { state.exit_code = run_lock(*o); });
    }
    {
        auto o = std::make_shared<PinOptions>();
        auto* cmd = app.add_subcommand(
            "pin", "Keep a package within a spec whenever it is installed ('pip:numpy<2'); "
                   "without an argument, list the pins");
        cmd->add_option("TARGET", o->target, "e.g. 'pip:numpy<2', 'Common Lib==1.0'");
        add_index_options(cmd, *o);
        add_target_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_pin(*o, false); });
    }
    {
        auto o = std::make_shared<PinOptions>();
        auto* cmd = app.add_subcommand("unpin", "Remove a pin");
        cmd->add_option("TARGET", o->target, "e.g. 'pip:numpy'")->required();
        add_index_options(cmd, *o);
        add_target_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_pin(*o, true); });
    }
}

} // namespace qplug::cli
