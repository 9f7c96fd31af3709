// qplug search TEXT | info NAME [--versions] | list [--installed] [--outdated]
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iostream>
#include <map>
#include <memory>
#include <span>
#include <string>

#include <fmt/format.h>

#include <qplug/solver/installed_list.hpp>
#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/plugin_offer.hpp>
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

json dependency_json(const solver::Dependency& d) {
    json j = {
        {"kind", solver::dependency_kind_name(d.kind)}, {"target", d.target}, {"spec", d.spec}};
    if (!d.markers.empty()) {
        j["markers"] = d.markers;
    }
    if (!d.extra.empty()) {
        j["extra"] = d.extra;
    }
    if (d.constraint) {
        j["constraint"] = true;
    }
    return j;
}

json release_json(const solver::ReleaseRecord& rec) {
    const solver::Release& r = rec.release;
    json deps = json::array();
    json extras = json::array(); // a pip release's declared extras (kept among dependencies)
    for (const auto& d : r.dependencies) {
        if (solver::pip::is_declared_extra(d)) {
            extras.push_back(d.extra);
        } else {
            deps.push_back(dependency_json(d));
        }
    }
    json j = {{"version", r.version},
              {"channel", solver::channel_name(r.channel)},
              {"deprecated", r.deprecated},
              {"trusted", r.trusted},
              {"qgis_minimum", r.qgis_minimum},
              {"qgis_maximum", r.qgis_maximum},
              {"requires_python", r.requires_python},
              {"download_url", solver::redact_url(r.download_url)},
              {"file_name", r.file_name},
              {"size", r.size ? json(*r.size) : json(nullptr)},
              {"hash", r.hash},
              {"update_date", r.update_date},
              {"dependencies_known", r.dependencies_known},
              {"dependencies", deps},
              {"modules", r.modules}};
    if (!extras.empty()) {
        j["extras"] = extras;
    }
    if (!r.build.empty()) {
        j["build"] = r.build;
        j["subdir"] = r.subdir;
    }
    if (!r.path.empty()) {
        j["path"] = r.path;
        j["owner"] = solver::backend_name(r.owner);
    }
    j["metadata"] = json::parse(r.metadata_json, nullptr, false);
    return j;
}

int run_search(const QueryOptions& o, const std::string& text) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_only, code);
    if (!index) {
        return code;
    }
    const auto found = index->search(text);
    if (o.json) {
        json list = json::array();
        for (const auto& p : found) {
            list.push_back({{"name", p.name},
                            {"display_name", p.display_name},
                            {"summary", p.summary},
                            {"repository", p.repository},
                            {"backend", solver::backend_name(p.backend)},
                            {"latest", p.versions.empty() ? "" : p.versions.back()},
                            {"versions", p.versions}});
        }
        print_json({{"query", text}, {"packages", list}});
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
    auto releases = index->releases_named(name);
    std::erase_if(releases, [](const auto& r) { return r.kind == "installed"; });
    for (auto& r : index->installed()) {
        if (r.package == name || r.display_name == name) {
            releases.push_back(std::move(r));
        }
    }
    if (releases.empty()) {
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
            print_json({{"name", name}, {"packages", json::array()}});
        }
        return exit_findings;
    }
    // Group by (repository, package), versions oldest first.
    std::map<std::pair<std::string, std::string>, std::vector<const solver::ReleaseRecord*>> groups;
    for (const auto& r : releases) {
        groups[{r.repository, r.package}].push_back(&r);
    }
    const std::string qgis = o.target_qgis();
    const solver::OfferOptions offer_options = o.offer();
    json packages = json::array();
    for (auto& [key, list] : groups) {
        // The offer first, in the order the repository lists them (QGIS's merge keeps the
        // later of equal versions); then oldest first for showing.
        const solver::Offer offer = solver::qgis_offer(list, offer_options);
        const solver::ReleaseRecord* stable = offer.stable;
        const solver::ReleaseRecord* experimental = offer.experimental;
        std::stable_sort(list.begin(), list.end(), [](const auto* a, const auto* b) {
            return solver::version_less(a->backend, a->release.version, b->release.version);
        });
        const solver::ReleaseRecord& newest = *list.back();
        std::vector<std::string> deprecated;
        for (const auto* r : list) {
            if (r->release.deprecated) {
                deprecated.push_back(r->release.version);
            }
        }
        if (o.json) {
            json all = json::array();
            for (const auto* r : list) {
                all.push_back(release_json(*r));
            }
            packages.push_back({{"repository", key.first},
                                {"kind", newest.kind},
                                {"backend", solver::backend_name(newest.backend)},
                                {"name", newest.package},
                                {"display_name", newest.display_name},
                                {"summary", newest.summary},
                                {"qgis", qgis},
                                {"stable", stable ? json(stable->release.version) : json(nullptr)},
                                {"experimental", experimental ? json(experimental->release.version)
                                                              : json(nullptr)},
                                {"deprecated", deprecated},
                                {"releases", all}});
            continue;
        }
        const std::string_view backend = solver::backend_name(newest.backend);
        std::cout << fmt::format(
            "{} ({}) in {} [{}]\n", newest.display_name, newest.package, key.first,
            newest.kind == backend ? newest.kind : newest.kind + ", " + std::string(backend));
        if (!newest.summary.empty()) {
            std::cout << "    " << newest.summary << '\n';
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
            show("stable", stable);
            show("experimental", experimental);
            if (!deprecated.empty() && !o.allow_deprecated) {
                std::cout << fmt::format("  deprecated, not offered: {} (--allow-deprecated)\n",
                                         fmt::join(deprecated, ", "));
            }
        }
        if (versions) {
            std::cout << "  versions:\n";
            for (const auto* r : list) {
                const auto& rel = r->release;
                const bool compatible = solver::offered(*r, {qgis, /*allow_deprecated=*/true});
                std::cout << fmt::format("    {} {}{}{}{}\n", rel.version,
                                         solver::channel_name(rel.channel),
                                         rel.deprecated ? " deprecated" : "",
                                         compatible ? "" : " (not for QGIS " + qgis + ")",
                                         rel.update_date.empty() ? "" : "  " + rel.update_date);
            }
        }
    }
    if (o.json) {
        print_json({{"name", name}, {"packages", packages}});
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
    // What QGIS would offer of each package for the QGIS version (the newest of its
    // stable and experimental offer): the releases in the order the repository lists them.
    const std::vector<solver::ReleaseRecord> releases = index->available();
    std::map<std::pair<std::string_view, std::string_view>,
             std::vector<const solver::ReleaseRecord*>>
        by_package;
    for (const auto& r : releases) {
        by_package[{r.repository, r.package}].push_back(&r);
    }
    const solver::OfferOptions offer_options = o.offer();
    json list = json::array();
    for (const auto& p : index->search("")) {
        if (p.kind == "installed") {
            continue;
        }
        solver::Offer offer;
        const std::vector<const solver::ReleaseRecord*>* own = nullptr;
        if (auto it = by_package.find({p.repository, p.name}); it != by_package.end()) {
            own = &it->second;
            offer = solver::qgis_offer(it->second, offer_options);
        }
        // --versions: every release as the repository lists it, and whether QGIS would
        // list it for the version (compatible; deprecated ones count here).
        json releases_json = json::array();
        using Releases = std::span<const solver::ReleaseRecord* const>;
        for (const auto* r : own != nullptr && o.versions ? Releases(*own) : Releases()) {
            const bool compatible = solver::offered(*r, {qgis, /*allow_deprecated=*/true});
            releases_json.push_back({{"version", r->release.version},
                                     {"channel", solver::channel_name(r->release.channel)},
                                     {"deprecated", r->release.deprecated},
                                     {"compatible", compatible}});
        }
        const solver::ReleaseRecord* latest = offer.latest();
        auto version = [](const solver::ReleaseRecord* r) {
            return r != nullptr ? json(r->release.version) : json(nullptr);
        };
        if (o.json) {
            json j = {{"name", p.name},
                      {"display_name", p.display_name},
                      {"repository", p.repository},
                      {"backend", solver::backend_name(p.backend)},
                      {"latest", latest != nullptr ? latest->release.version : ""},
                      {"stable", version(offer.stable)},
                      {"experimental", version(offer.experimental)}};
            if (o.versions) {
                j["releases"] = std::move(releases_json);
            }
            list.push_back(std::move(j));
            continue;
        }
        std::cout << fmt::format("{} {} [{}]\n", p.name,
                                 latest != nullptr ? latest->release.version
                                                   : "(none for QGIS " + qgis + ")",
                                 p.repository);
        for (const auto& r : releases_json) {
            std::cout << fmt::format(
                "    {} {}{}{}\n", r["version"].get<std::string>(), r["channel"].get<std::string>(),
                r["deprecated"].get<bool>() ? " deprecated" : "",
                r["compatible"].get<bool>() ? "" : " (not for QGIS " + qgis + ")");
        }
    }
    if (o.json) {
        print_json({{"qgis", qgis}, {"packages", list}});
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
