// qplug package check
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <memory>

#include <qplug/meta/package.hpp>
#include <qplug/meta/validator.hpp>

#include "commands.hpp"
#include "diagnostics_output.hpp"
#include "output.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

const std::map<std::string, meta::Profile> kProfiles = {{"qgis", meta::Profile::qgis},
                                                        {"site", meta::Profile::site},
                                                        {"strict", meta::Profile::strict}};

struct PackageCommandOptions : CommonOptions {
    meta::PackageOptions package;
    bool check_links = false;
};

int run_package_check(const PackageCommandOptions& o, const std::vector<std::string>& files) {
    json reports = json::array();
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t infos = 0;
    bool io_failure = false;
    for (const auto& file : files) {
        meta::PackageOptions po = o.package;
        if (o.check_links) {
            po.check_link = [](std::string_view url) {
                return meta::check_link_with_curl(url, 10);
            };
        }
        auto report = meta::check_package_file(file, po);
        if (!report) {
            std::cerr << "qplug: " << file << ": " << report.error().message << '\n';
            io_failure = true;
            reports.push_back({{"file", file}, {"error", report.error().message}});
            continue;
        }
        const std::size_t e = meta::count(report->diagnostics, meta::Severity::error);
        const std::size_t w = meta::count(report->diagnostics, meta::Severity::warning);
        const std::size_t n = meta::count(report->diagnostics, meta::Severity::info);
        errors += e;
        warnings += w;
        infos += n;
        if (o.json) {
            reports.push_back({{"file", file},
                               {"package", report->package_name},
                               {"valid", e == 0},
                               {"errors", e},
                               {"warnings", w},
                               {"infos", n},
                               {"diagnostics", diagnostics_json(report->diagnostics)}});
        } else {
            for (const auto& d : report->diagnostics) {
                print_diagnostic(std::cout, d, false);
            }
            std::cout << file << ": " << (e == 0 ? "valid" : "invalid") << " for the "
                      << meta::profile_name(o.package.profile) << " profile (" << e
                      << (e == 1 ? " error, " : " errors, ") << w
                      << (w == 1 ? " warning)\n" : " warnings)\n");
        }
    }
    if (o.json) {
        print_json({{"profile", meta::profile_name(o.package.profile)},
                    {"valid", errors == 0 && !io_failure},
                    {"errors", errors},
                    {"warnings", warnings},
                    {"infos", infos},
                    {"packages", reports}});
    }
    if (io_failure) {
        return exit_failure;
    }
    return errors > 0 ? exit_findings : exit_ok;
}

} // namespace

void register_package_commands(CLI::App& app, RunState& state) {
    auto* group = app.add_subcommand("package", "Check plugin ZIP packages");
    group->require_subcommand(1);
    auto o = std::make_shared<PackageCommandOptions>();
    auto files = std::make_shared<std::vector<std::string>>();
    auto* cmd = group->add_subcommand(
        "check", "Check plugin ZIPs as plugins.qgis.org does on upload (and more); exit 1 when "
                 "any error. Nothing is extracted to disk");
    cmd->add_option("PLUGIN_ZIP", *files, "plugin ZIP files")->required();
    cmd->add_flag("--json", o->json, "Print JSON on stdout");
    o->package.profile = meta::Profile::site;
    cmd->add_option("--profile", o->package.profile,
                    "site (what plugins.qgis.org enforces, default), strict (site plus good "
                    "practice) or qgis (what QGIS needs)")
        ->transform(CLI::CheckedTransformer(kProfiles, CLI::ignore_case));
    cmd->add_flag("--new", o->package.new_plugin,
                  "A new plugin: its folder must be a Python identifier");
    cmd->add_option("--package-name", o->package.expected_package_name,
                    "The folder name earlier versions used");
    cmd->add_flag("--check-links", o->check_links,
                  "Check that tracker, repository and homepage answer (HEAD, 10 s timeout)");
    cmd->add_option("--max-size", o->package.max_size, "Largest accepted file, bytes (25000000)");
    cmd->callback([&state, o, files] { state.exit_code = run_package_check(*o, *files); });
}

} // namespace qplug::cli
