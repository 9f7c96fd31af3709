// qplug resolve REQUEST... | why NAME | lock REQUEST... | pin TARGET | unpin TARGET
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "commands.hpp"
#include "resolution_run.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

void print_notes(const ResolutionRun& run) {
    for (const auto& n : run.notes) {
        std::cerr << "qplug: " << n << '\n';
    }
}

/// Opens the index, parses the requests, resolves; exit code in `code` when it fails.
std::optional<ResolutionRun> resolve_for(ResolveOptions& o, const std::vector<std::string>& texts,
                                         solver::Request::Action action, int& code) {
    auto requests = parse_requests(texts, action);
    if (!requests) {
        code = report_invalid(requests.error(), o);
        return std::nullopt;
    }
    auto index = open_index(o, solver::Index::Mode::read_write, code);
    if (!index) {
        return std::nullopt;
    }
    auto run = run_resolution(*index, o, std::move(*requests));
    if (!run) {
        code = run.error().kind == Error::Kind::parse ? report_invalid(run.error(), o)
                                                      : report_failure(run.error().to_string(), o);
        return std::nullopt;
    }
    print_notes(*run);
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
    code = print_resolution(run->resolution, o, run->qgis_version);
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
        return print_resolution(r, o, run->qgis_version);
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
        return print_resolution(run->resolution, o, run->qgis_version);
    }
    if (!run->lock_differences.empty()) {
        for (const auto& d : run->lock_differences) {
            std::cerr << "qplug: lock file " << o.lock_file << ": " << d << '\n';
        }
        std::cerr << "qplug: the lock file needs updating, which --locked forbids\n";
        return exit_findings;
    }
    if (auto w = update_lock_file(o, *run); !w) {
        return report_failure(w.error().to_string(), o);
    }
    const auto packages = resulting_packages(run->resolution);
    if (o.json) {
        print_json({{"lock_file", o.lock_file}, {"packages", packages.size()}});
    } else {
        std::cout << fmt::format("{}: {} package{} for QGIS {}, Python {}\n", o.lock_file,
                                 packages.size(), packages.size() == 1 ? "" : "s",
                                 run->qgis_version, o.python);
    }
    return exit_ok;
}

struct PinOptions : IndexOptions {
    std::string target;
};

int run_pin(const PinOptions& o, bool remove) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_write, code);
    if (!index) {
        return code;
    }
    if (o.target.empty()) {
        const auto pins = index->pins();
        if (o.json) {
            json out = json::array();
            for (const auto& [target, spec] : pins) {
                out.push_back({{"target", target}, {"spec", spec}});
            }
            print_json(out);
        } else {
            for (const auto& [target, spec] : pins) {
                std::cout << target << " " << spec << '\n';
            }
        }
        return exit_ok;
    }
    auto request = solver::parse_request(o.target, solver::Request::Action::install);
    if (!request) {
        return report_invalid(request.error(), o);
    }
    std::string target = request->name;
    if (request->backend) {
        target = std::string(solver::backend_name(*request->backend)) + ":" + target;
    }
    if (remove) {
        if (auto r = index->remove_pin(target); !r) {
            return report_invalid(r.error(), o);
        }
        if (!o.json) {
            std::cout << "unpinned " << target << '\n';
        }
        return exit_ok;
    }
    if (request->spec.empty()) {
        Error e;
        e.kind = Error::Kind::invalid;
        e.what = "pin";
        e.input = o.target;
        e.message = "needs a spec, e.g. 'pip:numpy<2' or 'Common Lib==1.0'";
        return report_invalid(e, o);
    }
    if (auto r = index->set_pin(target, request->spec); !r) {
        return report_failure(r.error().to_string(), o);
    }
    if (!o.json) {
        std::cout << fmt::format("pinned {} {}\n", target, request->spec);
    }
    return exit_ok;
}

} // namespace

void register_resolve_commands(CLI::App& app, RunState& state) {
    {
        auto o = std::make_shared<ResolveOptions>();
        auto* cmd = app.add_subcommand(
            "resolve", "Plan the installation of plugins and packages (changes nothing)");
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
        cmd->callback([&state, o] { state.exit_code = run_pin(*o, false); });
    }
    {
        auto o = std::make_shared<PinOptions>();
        auto* cmd = app.add_subcommand("unpin", "Remove a pin");
        cmd->add_option("TARGET", o->target, "e.g. 'pip:numpy'")->required();
        add_index_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_pin(*o, true); });
    }
}

} // namespace qplug::cli
