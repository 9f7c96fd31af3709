// qplug enable|disable NAME... [--profile NAME|DIR]: [PythonPlugins] in the profile's QGIS3.ini,
// as QGIS's Plugin Manager writes it (docs/install.md, "Enabling plugins in QGIS").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/qgis_profile_settings.hpp>

#include "commands.hpp"
#include "output.hpp"
#include "target_options.hpp"

namespace qplug::cli {

namespace {

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

struct EnableOptions : CommonOptions, TargetCliOptions {
    std::vector<std::string> names;
    bool dry_run = false;
};

/// A plugin QGIS can find in the profile: python/plugins/<name>/ with a metadata.txt.
bool installed(const fs::path& profile, const std::string& name) {
    std::error_code ec;
    return fs::is_regular_file(profile / "python" / "plugins" / name / "metadata.txt", ec);
}

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
    if (target->kind() != solver::Target::Kind::profile) {
        return report_refused("a plugins folder has no QGIS settings: a QGIS Server loads every "
                              "plugin it finds there (give --profile)",
                              o);
    }
    const fs::path profile = target->root();
    std::vector<std::string> missing;
    for (const auto& name : o.names) {
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos) {
            Error e;
            e.kind = Error::Kind::invalid;
            e.message = fmt::format("'{}' is not a plugin folder name", name);
            return report_invalid(e, o);
        }
        if (!installed(profile, name)) {
            missing.push_back(name);
        }
    }
    if (!missing.empty()) {
        return report_refused(
            fmt::format("not installed in {}: {} (no {}/<name>/metadata.txt); nothing changed",
                        target->describe(), fmt::join(missing, ", "),
                        (profile / "python" / "plugins").string()),
            o);
    }
    solver::SettingsWriteOptions options;
    options.dry_run = o.dry_run;
    auto report = solver::change_python_plugins(
        profile, o.names,
        enable ? solver::PythonPluginChange::enable : solver::PythonPluginChange::disable, options);
    if (!report) {
        // A file QSettings did not write is refused (it says where); anything else is I/O.
        return report.error().kind == Error::Kind::parse
                   ? report_refused(report.error().to_string() + "; nothing changed", o)
                   : report_failure(report.error().to_string(), o);
    }
    const std::string verb = enable ? "enable" : "disable";
    if (o.json) {
        json plugins = json::array();
        for (const auto& p : report->plugins) {
            plugins.push_back(
                {{"name", p.key}, {"enabled", p.after.starts()}, {"changed", p.changed()}});
        }
        print_json({{"profile", profile.string()},
                    {"settings", report->file.string()},
                    {"dry_run", o.dry_run},
                    {"written", report->written},
                    {"plugins", plugins}});
        return exit_ok;
    }
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
