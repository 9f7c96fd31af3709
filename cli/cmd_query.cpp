// qplug search TEXT | info NAME [--versions] | list [--installed] [--outdated]
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <string>

#include <fmt/format.h>

#include <qplug/solver/installed_list.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/plugin_offer.hpp>
#include <qplug/solver/queries.hpp>
#include <qplug/solver/source.hpp>
#include <qplug/solver/versions.hpp>

#include "commands.hpp"
#include "index_access.hpp"
#include "target_options.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

struct QueryOptions : IndexOptions {
    std::string qgis; ///< "" = the default QGIS version
    bool allow_deprecated = false;
    /// --qgis, else as resolution detects it ($QPLUG_QGIS_VERSION, `qgis --version`, the
    /// default).
    std::string target_qgis() const { return solver::target_qgis_version(qgis, nullptr); }
    solver::OfferOptions offer() const { return {target_qgis(), allow_deprecated}; }
};

int run_search(const QueryOptions& o, const std::string& text) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return code;
    }
    const auto found = index->search(text);
    if (o.json) {
        std::cout << solver::search_json(text, found) << '\n';
    } else {
        for (const auto& p : found) {
            const std::string summary = p.summary.substr(0, p.summary.find('\n')).substr(0, 160);
            std::cout << fmt::format("{} {} [{}]{}\n    {}\n", p.display_name,
                                     p.versions.empty() ? "" : p.versions.back(), p.repository,
                                     p.display_name == p.name ? "" : " (" + p.name + ")", summary);
        }
        if (found.empty()) {
            std::cerr << "qplug: nothing matches '" << text << "'\n";
        }
    }
    return found.empty() ? exit_findings : exit_ok;
}

int run_info(const QueryOptions& o, const std::string& name, bool versions) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return code;
    }
    const std::string qgis = o.target_qgis();
    const auto packages = solver::package_info(*index, name, o.offer());
    if (packages.empty()) {
        const auto listing = index->listing_unread(solver::normalize_pip_name(name));
        if (listing.empty()) {
            std::cerr << "qplug: no package named '" << name << "' in the index\n";
        } else {
            // A pip index lists it without releases: they are read when a resolution reaches it.
            std::cerr << fmt::format("qplug: '{}' is listed by the pip repository '{}', whose "
                                     "projects are read when a resolution reaches them (qplug "
                                     "resolve 'pip:{}'), or at sync with --option "
                                     "'projects=[...]'\n",
                                     name, listing.front(), name);
        }
        if (o.json) {
            std::cout << solver::info_json(name, qgis, packages) << '\n';
        }
        return exit_findings;
    }
    if (o.json) {
        std::cout << solver::info_json(name, qgis, packages) << '\n';
        return exit_ok;
    }
    for (const auto& info : packages) {
        const solver::ReleaseRecord& newest = info.newest();
        const std::string_view backend = solver::backend_name(newest.backend);
        std::cout << fmt::format(
            "{} ({}) in {} [{}]\n", newest.display_name, newest.package, info.repository,
            newest.kind == backend ? newest.kind : newest.kind + ", " + std::string(backend));
        if (!newest.summary.empty()) {
            std::cout << "    " << newest.summary << '\n';
        }
        if (const std::string key =
                solver::plugin_key(newest.backend, newest.package, newest.release);
            newest.backend != solver::Backend::legacy && !key.empty()) {
            std::cout << fmt::format("    a QGIS plugin ({} package): installed as the plugin "
                                     "folder {}/\n",
                                     backend, key);
        }
        auto show = [&](const char* label, const solver::ReleaseRecord* r) {
            if (r == nullptr) {
                std::cout << fmt::format("  {}: none for QGIS {}\n", label, qgis);
                return;
            }
            const auto& rel = r->release;
            std::cout << fmt::format("  {}: {}{}", label, rel.version,
                                     rel.deprecated ? " (deprecated)" : "");
            if (!rel.qgis_minimum.empty() || !rel.qgis_maximum.empty()) {
                std::cout << fmt::format(" (QGIS {} to {})", rel.qgis_minimum,
                                         rel.qgis_maximum.empty() ? "default" : rel.qgis_maximum);
            }
            std::cout << '\n';
            if (!rel.download_url.empty()) {
                std::cout << "    " << solver::redact_url(rel.download_url) << '\n';
            }
            if (!rel.path.empty()) {
                std::cout << "    installed in " << rel.path << '\n';
            }
            if (!rel.dependencies_known) {
                std::cout << (r->backend == solver::Backend::pip
                                  ? "    needs: (read from its wheel when a resolution needs it)\n"
                                  : "    needs: (read from its ZIP when it is fetched)\n");
            }
            for (const auto& d : rel.dependencies) {
                if (d.kind == solver::DependencyKind::qgis) {
                    continue; // shown above
                }
                if (solver::pip::is_declared_extra(d)) {
                    std::cout << fmt::format("    extra {}\n", d.extra);
                    continue;
                }
                std::cout << fmt::format("    needs {} {}{}\n",
                                         solver::dependency_kind_name(d.kind), d.target,
                                         d.spec.empty() ? "" : " " + d.spec);
            }
        };
        if (newest.kind == "installed") {
            show("installed", &newest);
        } else {
            show("stable", info.stable_release());
            show("experimental", info.experimental_release());
            if (!info.deprecated.empty() && !o.allow_deprecated) {
                std::cout << fmt::format("  deprecated, not offered: {} (--allow-deprecated)\n",
                                         fmt::join(info.deprecated, ", "));
            }
        }
        if (versions) {
            std::cout << "  versions:\n";
            for (const auto& r : info.releases) {
                const auto& rel = r.release;
                const bool compatible = solver::offered(r, {qgis, /*allow_deprecated=*/true});
                std::cout << fmt::format("    {} {}{}{}{}\n", rel.version,
                                         solver::channel_name(rel.channel),
                                         rel.deprecated ? " deprecated" : "",
                                         compatible ? "" : " (not for QGIS " + qgis + ")",
                                         rel.update_date.empty() ? "" : "  " + rel.update_date);
            }
        }
    }
    return exit_ok;
}

struct ListOptions : QueryOptions, TargetCliOptions {
    bool installed = false;
    bool outdated = false;
    bool environment = false;
    bool versions = false;
};

int run_list_available(const ListOptions& o) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return code;
    }
    const std::string qgis = o.target_qgis();
    const auto list = solver::list_available(*index, o.offer(), o.versions);
    if (o.json) {
        std::cout << solver::available_json(qgis, list, o.versions) << '\n';
        return exit_ok;
    }
    for (const auto& a : list) {
        const std::string latest = a.latest();
        std::cout << fmt::format("{} {} [{}]\n", a.package.name,
                                 !latest.empty() ? latest : "(none for QGIS " + qgis + ")",
                                 a.package.repository);
        for (const auto& r : a.releases) {
            std::cout << fmt::format("    {} {}{}{}\n", r.version, solver::channel_name(r.channel),
                                     r.deprecated ? " deprecated" : "",
                                     r.compatible ? "" : " (not for QGIS " + qgis + ")");
        }
    }
    return exit_ok;
}

int run_list(const ListOptions& o) {
    if (!o.installed && !o.outdated) {
        return run_list_available(o);
    }
    int code = exit_ok;
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    const std::string qgis = o.target_qgis();
    std::vector<std::string> warnings;
    auto installed = solver::list_installed(*target, qgis, o.environment, &warnings);
    if (!installed) {
        return report_failure(installed.error().to_string(), o);
    }
    for (const auto& w : warnings) {
        std::cerr << "qplug: warning: " << w << '\n';
    }
    if (!o.outdated) {
        if (o.json) {
            std::cout << solver::installed_json(*target, qgis, *installed) << '\n';
            return exit_ok;
        }
        std::cout << fmt::format("{} (QGIS {}):\n", target->describe(), qgis);
        for (const auto& p : *installed) {
            std::vector<std::string> flags;
            if (p.mark) {
                flags.emplace_back(solver::mark_name(*p.mark));
            }
            if (p.external) {
                flags.emplace_back("the environment's");
            }
            if (p.enabled) {
                flags.emplace_back(*p.enabled ? "enabled" : "not enabled");
            }
            if (p.experimental) {
                flags.emplace_back("experimental");
            }
            std::cout << fmt::format("  {} {} [{}] {}\n", p.name, p.version,
                                     solver::backend_name(p.backend), fmt::join(flags, ", "));
            if (!p.broken.empty()) {
                std::cout << "      broken: " << p.broken << '\n';
            }
            if (!p.incompatible.empty()) {
                std::cout << "      incompatible: " << p.incompatible << '\n';
            }
        }
        return exit_ok;
    }
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return code;
    }
    json list = json::array();
    for (const auto& inst : *installed) {
        if (inst.external) {
            continue;
        }
        const solver::Backend backend = inst.plugin ? solver::Backend::legacy : inst.backend;
        std::optional<solver::ReleaseRecord> newer;
        for (auto& cand : index->releases_named(inst.name)) {
            if (cand.kind == "installed" || cand.backend != backend ||
                !solver::offered(cand, o.offer()) ||
                (cand.release.channel == solver::Channel::experimental && !inst.experimental)) {
                continue;
            }
            const auto& best = newer ? newer->release.version : inst.version;
            if (solver::version_less(backend, best, cand.release.version)) {
                newer = std::move(cand);
            }
        }
        if (!newer) {
            continue;
        }
        if (o.json) {
            list.push_back({{"name", inst.name},
                            {"display_name", inst.display_name},
                            {"version", inst.version},
                            {"backend", solver::backend_name(backend)},
                            {"available", newer->release.version},
                            {"from", newer->repository}});
        } else {
            std::cout << fmt::format("{} {} -> {} [{}]\n", inst.name, inst.version,
                                     newer->release.version, newer->repository);
        }
    }
    if (o.json) {
        print_json({{"target", target->describe()}, {"qgis", qgis}, {"outdated", list}});
    }
    return exit_ok;
}

} // namespace

void register_query_commands(CLI::App& app, RunState& state) {
    {
        auto o = std::make_shared<QueryOptions>();
        auto text = std::make_shared<std::string>();
        auto* cmd = app.add_subcommand(
            "search", "Find packages whose name, summary or tags contain TEXT (exit 1: none)");
        cmd->add_option("TEXT", *text, "What to look for (case-insensitive)")->required();
        add_index_options(cmd, *o);
        cmd->callback([&state, o, text] { state.exit_code = run_search(*o, *text); });
    }
    {
        auto o = std::make_shared<QueryOptions>();
        auto name = std::make_shared<std::string>();
        auto versions = std::make_shared<bool>(false);
        auto* cmd = app.add_subcommand(
            "info", "Show a package: its newest stable and experimental release for the QGIS "
                    "version, dependencies, download (exit 1: unknown)");
        cmd->add_option("NAME", *name, "Its key (folder, pip or conda name) or display name")
            ->required();
        cmd->add_flag("--versions", *versions, "List every version");
        cmd->add_option("--qgis", o->qgis, "The QGIS version to judge compatibility for");
        cmd->add_flag("--allow-deprecated", o->allow_deprecated,
                      "Offer deprecated releases too (QGIS hides them unless asked)");
        add_index_options(cmd, *o);
        cmd->callback(
            [&state, o, name, versions] { state.exit_code = run_info(*o, *name, *versions); });
    }
    {
        auto o = std::make_shared<ListOptions>();
        auto* cmd = app.add_subcommand(
            "list", "List the packages of the index, or with --installed what is installed");
        cmd->add_flag("--installed", o->installed,
                      "What is installed in the target (a QGIS profile or a plugins folder)");
        cmd->add_flag("--outdated", o->outdated,
                      "Installed packages with a newer release for the QGIS version");
        cmd->add_flag("--environment", o->environment,
                      "With --installed: also the Python environment's own packages");
        cmd->add_flag("--versions", o->versions,
                      "With each package, every release and whether QGIS would list it");
        cmd->add_option("--qgis", o->qgis, "The QGIS version to judge compatibility for");
        cmd->add_flag("--allow-deprecated", o->allow_deprecated,
                      "Offer deprecated releases too (QGIS hides them unless asked)");
        add_index_options(cmd, *o);
        add_target_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_list(*o); });
    }
}

} // namespace qplug::cli
