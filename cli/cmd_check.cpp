// qplug check: the installed plugins QGIS would refuse for the target QGIS version, or whose
// plugin_dependencies the other installed plugins do not meet (as qgis-plugin-manager's
// `check`).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/meta/model.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/solver/installed_list.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/versions.hpp>

#include "color.hpp"
#include "commands.hpp"
#include "target_options.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

struct CheckInstalledOptions : CommonOptions, TargetCliOptions {
    std::string qgis; ///< "" = as resolution detects it
};

struct Problem {
    const solver::InstalledPackage* plugin;
    std::string kind; ///< broken, incompatible, missing_dependency, dependency_version
    std::string reason;
};

/// plugin_dependencies of an installed plugin, read as QGIS reads its metadata.txt.
std::vector<meta::PluginDependency> dependencies_of(const solver::InstalledPackage& p) {
    auto doc = meta::parse_file((std::filesystem::path(p.path) / "metadata.txt").string(), {});
    if (!doc) {
        return {};
    }
    auto deps = meta::make_metadata(*doc).plugin_dependencies;
    return deps;
}

std::vector<Problem> find_problems(const std::vector<solver::InstalledPackage>& installed) {
    std::vector<Problem> out;
    // QGIS matches plugin_dependencies against the plugins' names (metadata `name`).
    std::map<std::string, const solver::InstalledPackage*> by_name;
    for (const auto& p : installed) {
        if (p.plugin) {
            by_name.emplace(p.display_name, &p);
        }
    }
    for (const auto& p : installed) {
        if (!p.plugin) {
            continue;
        }
        if (!p.broken.empty()) {
            out.push_back({&p, "broken", p.broken});
            continue; // its metadata cannot be trusted for the rest
        }
        if (!p.incompatible.empty()) {
            out.push_back({&p, "incompatible", p.incompatible});
        }
        for (const auto& dep : dependencies_of(p)) {
            const auto it = by_name.find(dep.name);
            if (it == by_name.end()) {
                out.push_back({&p, "missing_dependency",
                               fmt::format("needs the plugin '{}'{}, which is not installed",
                                           dep.name, dep.version ? " " + *dep.version : "")});
                continue;
            }
            const solver::InstalledPackage& have = *it->second;
            if (dep.version && *dep.version != have.version) {
                const bool older =
                    solver::version_less(solver::Backend::legacy, have.version, *dep.version);
                out.push_back({&p, "dependency_version",
                               fmt::format("needs '{}' =={}, but {} is installed ({})", dep.name,
                                           *dep.version, have.version, older ? "older" : "newer")});
            }
        }
    }
    return out;
}

int run_check_installed(const CheckInstalledOptions& o) {
    int code = exit_ok;
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    const std::string qgis = solver::target_qgis_version(o.qgis, nullptr);
    std::vector<std::string> warnings;
    auto installed = solver::list_installed(*target, qgis, false, &warnings);
    if (!installed) {
        return report_failure(installed.error().to_string(), o);
    }
    for (const auto& w : warnings) {
        std::cerr << "qplug: warning: " << w << '\n';
    }
    const auto problems = find_problems(*installed);
    std::size_t plugins = 0;
    for (const auto& p : *installed) {
        plugins += p.plugin ? 1 : 0;
    }
    if (o.json) {
        json list = json::array();
        for (const auto& pr : problems) {
            list.push_back({{"name", pr.plugin->name},
                            {"display_name", pr.plugin->display_name},
                            {"version", pr.plugin->version},
                            {"problem", pr.kind},
                            {"reason", pr.reason}});
        }
        print_json({{"target", target->describe()},
                    {"qgis", qgis},
                    {"plugins", plugins},
                    {"ok", problems.empty()},
                    {"problems", std::move(list)}});
        return problems.empty() ? exit_ok : exit_findings;
    }
    const Palette c{use_color(ColorMode::automatic, STDOUT_FILENO)};
    for (const auto& pr : problems) {
        std::cout << fmt::format("{}{}{} {}: {}{}{}: {}\n", c.bold(), pr.plugin->name, c.reset(),
                                 pr.plugin->version, pr.kind == "broken" ? c.error() : c.warning(),
                                 pr.kind, c.reset(), pr.reason);
    }
    if (problems.empty()) {
        std::cout << fmt::format("{}ok{}: {} plugin{} in {} fit QGIS {} and each other\n", c.good(),
                                 c.reset(), plugins, plugins == 1 ? "" : "s", target->describe(),
                                 qgis);
        return exit_ok;
    }
    std::cout << fmt::format("{} problem{} among {} plugin{} in {} (QGIS {})\n", problems.size(),
                             problems.size() == 1 ? "" : "s", plugins, plugins == 1 ? "" : "s",
                             target->describe(), qgis);
    return exit_findings;
}

} // namespace

void register_check_command(CLI::App& app, RunState& state) {
    auto o = std::make_shared<CheckInstalledOptions>();
    auto* cmd = app.add_subcommand(
        "check", "Check the installed plugins against the target QGIS version and each other "
                 "(their plugin_dependencies); exit 1 when any is broken or incompatible");
    cmd->add_option("--qgis", o->qgis,
                    "Target QGIS version X.Y.Z (default: $QPLUG_QGIS_VERSION, else `qgis "
                    "--version`, else 3.40.0)");
    cmd->add_flag("--json", o->json, "Print JSON on stdout");
    add_target_options(cmd, *o);
    cmd->callback([&state, o] { state.exit_code = run_check_installed(*o); });
}

} // namespace qplug::cli
