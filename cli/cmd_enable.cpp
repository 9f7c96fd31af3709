// qplug enable|disable NAME... [--profile NAME|DIR]: [PythonPlugins] in the profile's QGIS3.ini,
// as QGIS's Plugin Manager writes it (docs/install.md, "Enabling plugins in QGIS").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/plugin_enabling.hpp>

#include "commands.hpp"
#include "output.hpp"
#include "target_options.hpp"

namespace qplug::cli {

namespace {

struct EnableOptions : CommonOptions, TargetCliOptions {
    std::vector<std::string> names;
    bool dry_run = false;
};

int report_refused(const std::string& message, const CommonOptions& o) {
    std::cerr << "qplug: " << message << '\n';
    if (o.json) {
        print_json({{"error", {{"kind", "refused"}, {"message", message}}}});
    }
    return exit_findings;
}

int run(const EnableOptions& o, bool enable) {
    int code = exit_ok;
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    solver::SettingsWriteOptions options;
    options.dry_run = o.dry_run;
    auto report = solver::enable_plugins(*target, o.names, enable, options);
    if (!report) {
        const Error& e = report.error();
        switch (e.kind) {
        case Error::Kind::invalid:
            return report_invalid(e, o); // a name that is no folder name
        case Error::Kind::refused:
            return report_refused(e.to_string(), o);
        default:
            return report_failure(e.to_string(), o);
        }
    }
    if (o.json) {
        std::cout << solver::enabling_json(*target, *report, o.dry_run) << '\n';
        return exit_ok;
    }
    const std::string verb = enable ? "enable" : "disable";
    for (const auto& p : report->plugins) {
        if (!p.changed()) {
            std::cout << fmt::format("{} was already {}d\n", p.key, verb);
        } else {
            std::cout << fmt::format("{} {} in {}\n", o.dry_run ? "would " + verb : verb + "d",
                                     p.key, report->file.string());
        }
    }
    return exit_ok;
}

void add_command(CLI::App& app, RunState& state, bool enable) {
    auto o = std::make_shared<EnableOptions>();
    auto* cmd = app.add_subcommand(
        enable ? "enable" : "disable",
        enable ? "Have QGIS start installed plugins ([PythonPlugins] in QGIS3.ini)"
               : "Have QGIS no longer start installed plugins ([PythonPlugins] in QGIS3.ini)");
    cmd->add_option("NAME", o->names, "Plugin keys: folder names under <profile>/python/plugins")
        ->required();
    add_target_options(cmd, *o);
    cmd->add_flag("--dry-run", o->dry_run, "Say what would change, write nothing");
    cmd->add_flag("--json", o->json, "Print JSON on stdout");
    cmd->callback([&state, o, enable] { state.exit_code = run(*o, enable); });
}

} // namespace

void register_enable_commands(CLI::App& app, RunState& state) {
    add_command(app, state, true);
    add_command(app, state, false);
}

} // namespace qplug::cli
