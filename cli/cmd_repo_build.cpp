// qplug repo build: a static plugin repository from a folder of plugin ZIPs.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <memory>
#include <unistd.h>

#include "choice.hpp"
#include "color.hpp"
#include "commands.hpp"
#include "diagnostics_output.hpp"
#include "output.hpp"
#include "static_repository.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

struct RepoBuildOptions : CommonOptions {
    StaticRepositoryOptions repository;
    std::string source, output;
    ColorMode color = ColorMode::automatic;
};

int run_repo_build(RepoBuildOptions o) {
    o.repository.source = o.source;
    o.repository.output = o.output;
    auto report = build_static_repository(o.repository);
    if (!report) {
        return report_failure(report.error().input + ": " + report.error().message, o);
    }
    if (o.json) {
        json refused = json::array();
        for (const auto& r : report->refused) {
            refused.push_back({{"zip", r.zip},
                               {"reason", r.reason},
                               {"diagnostics", diagnostics_json(r.diagnostics)}});
        }
        print_json({{"output", o.output},
                    {"listed", report->listed},
                    {"refused", refused},
                    {"read", report->read},
                    {"reused", report->reused},
                    {"plugins_xml_changed", report->changed}});
    } else {
        const Palette err{use_color(o.color, STDERR_FILENO)};
        for (const auto& r : report->refused) {
            std::cerr << "qplug: " << r.zip << ": left out"
                      << (r.reason.empty() ? "" : ": " + r.reason) << '\n';
            for (const auto& d : r.diagnostics) {
                if (d.severity == meta::Severity::error) {
                    print_diagnostic(std::cerr, d, err);
                }
            }
        }
        std::cout << o.output << "/plugins.xml: " << report->listed.size()
                  << (report->listed.size() == 1 ? " release" : " releases") << " listed, "
                  << report->refused.size() << " left out (" << report->read << " ZIPs read, "
                  << report->reused << " unchanged)"
                  << (report->changed ? "" : "; plugins.xml unchanged") << '\n';
    }
    return report->refused.empty() ? exit_ok : exit_findings;
}

} // namespace

void register_repo_build_command(CLI::App& repo, RunState& state) {
    static const std::map<std::string, meta::Profile> profiles = {
        {"qgis", meta::Profile::qgis},
        {"site", meta::Profile::site},
        {"strict", meta::Profile::strict}};
    auto o = std::make_shared<RepoBuildOptions>();
    auto* cmd = repo.add_subcommand(
        "build",
        "Build a static plugin repository from a folder of plugin ZIPs: OUTDIR/plugins.xml "
        "in plugins.qgis.org's layout, the ZIPs and their icons beside it; only new or "
        "changed ZIPs are read again. Exit 1 when a ZIP was left out");
    cmd->add_option("ZIPS", o->source, "The folder of plugin ZIPs")->required();
    cmd->add_option("-o,--output", o->output, "OUTDIR, the repository's folder")->required();
    cmd->add_option("--base-url", o->repository.base_url,
                    "The URL OUTDIR is served at (download and icon URLs start with it); "
                    "default: OUTDIR's file:// URL");
    cmd->add_option("--profile", o->repository.profile,
                    "What a ZIP must pass to be listed: qgis (what QGIS needs, default), site "
                    "or strict")
        ->transform(choice(profiles));
    cmd->add_flag("--json", o->json, "Print JSON on stdout");
    add_color_option(cmd, o->color);
    cmd->callback([&state, o] { state.exit_code = run_repo_build(*o); });
}

} // namespace qplug::cli
