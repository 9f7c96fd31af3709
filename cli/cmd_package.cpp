// qplug package check|build
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/meta/package.hpp>
#include <qplug/meta/package_build.hpp>
#include <qplug/meta/validator.hpp>
#include <qplug/solver/checksum.hpp>
#include <qplug/solver/link_check.hpp>
#include <qplug/solver/plugin_distribution.hpp>

#include "check_selection.hpp"
#include "choice.hpp"
#include "color.hpp"
#include "commands.hpp"
#include "diagnostics_output.hpp"
#include "output.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;

const std::map<std::string, meta::Profile> kProfiles = {{"qgis", meta::Profile::qgis},
                                                        {"site", meta::Profile::site},
                                                        {"strict", meta::Profile::strict}};

/// What `package build` leaves out, from the command line and [tool.qplug.package].
struct ExcludeOptions {
    std::vector<std::string> exclude, include;
    bool no_default_excludes = false;
};

void add_exclude_options(CLI::App* cmd, ExcludeOptions& o) {
    cmd->add_option("--exclude", o.exclude,
                    "Leave out files or folders matching this pattern too (a name such as "
                    "'*.ui~', or a path inside the plugin such as 'test/data'); repeatable")
        ->delimiter(',');
    cmd->add_option("--include", o.include,
                    "Keep what matches this pattern although the default list leaves it out; "
                    "repeatable")
        ->delimiter(',');
    cmd->add_flag("--no-default-excludes", o.no_default_excludes,
                  "Do not leave out version control, bytecode, cache and editor files");
}

/// The build options of a plugin folder: [tool.qplug.package] of its pyproject.toml, then the
/// command line (which adds to its patterns).
Expected<meta::BuildOptions> build_options(const std::string& folder, const ExcludeOptions& o,
                                           SelectionFinder& configs) {
    meta::BuildOptions bo;
    auto config = configs.config_for(folder);
    if (!config) {
        return config.error();
    }
    if (config->exclude) {
        bo.exclude = *config->exclude;
    }
    if (config->include) {
        bo.include = *config->include;
    }
    if (config->default_excludes) {
        bo.default_excludes = *config->default_excludes;
    }
    bo.exclude.insert(bo.exclude.end(), o.exclude.begin(), o.exclude.end());
    bo.include.insert(bo.include.end(), o.include.begin(), o.include.end());
    if (o.no_default_excludes) {
        bo.default_excludes = false;
    }
    return bo;
}

/// Findings about a ZIP built from a folder name the folder's files: "FOLDER:top/a.py" (an
/// entry under the ZIP's top folder) becomes "FOLDER/a.py".
void name_folder_files(meta::Diagnostics& ds, const std::string& folder, const std::string& top) {
    const std::string prefix = folder + ":";
    for (auto& d : ds) {
        if (!d.file.starts_with(prefix)) {
            continue;
        }
        const std::string entry = d.file.substr(prefix.size());
        if (entry.starts_with(top + "/")) {
            const std::string rest = entry.substr(top.size() + 1);
            std::string path = (fs::path(folder) / rest).lexically_normal().string();
            if (rest.empty() || rest.back() == '/') {
                if (path.empty() || path.back() != '/') {
                    path += '/';
                }
            }
            d.file = path;
        }
    }
}

struct PackageCommandOptions : CommonOptions {
    meta::PackageOptions package;
    bool check_links = false;
    CheckOutputOptions output;
    ExcludeOptions excludes;
};

meta::PackageOptions package_options(const PackageCommandOptions& o) {
    meta::PackageOptions po = o.package;
    if (o.check_links) {
        po.check_link = [](std::string_view url) { return solver::check_link_with_curl(url, 10); };
    }
    return po;
}

int run_package_check(PackageCommandOptions o, const std::vector<std::string>& files) {
    if (o.json) {
        o.output.format = OutputFormat::json;
    }
    const Palette palette{use_color(o.output.color, STDOUT_FILENO)};
    SelectionFinder selections(o.output);
    json reports = json::array();
    std::vector<CheckedInput> checked;
    std::size_t errors = 0;
    std::size_t warnings = 0;
    std::size_t infos = 0;
    bool io_failure = false;
    for (const auto& file : files) {
        auto selection = selections.for_path(file);
        if (!selection) {
            std::cerr << "qplug: " << selection.error().to_string() << '\n';
            return exit_usage;
        }
        const meta::PackageOptions po = package_options(o);
        Expected<meta::PackageReport> report = Error{};
        std::error_code ec;
        if (fs::is_directory(file, ec)) {
            // A plugin folder: checked as `package build` would zip it.
            auto bo = build_options(file, o.excludes, selections);
            if (!bo) {
                std::cerr << "qplug: " << bo.error().to_string() << '\n';
                return exit_usage;
            }
            auto built = meta::build_package(file, *bo);
            if (!built) {
                report = built.error();
            } else {
                report = meta::check_package(built->zip, po, file);
                name_folder_files(report->diagnostics, file, built->folder);
            }
        } else if (file.ends_with(".whl")) {
            // A wheel that holds a QGIS plugin: its plugin folder checked as a ZIP's, and the
            // wheel as a plugin package (one module, versions agreeing).
            meta::PackageOptions wheel = po;
            wheel.wheel = true;
            report = meta::check_package_file(file, wheel);
            if (report) {
                for (auto& d : solver::check_plugin_wheel(file)) {
                    report->diagnostics.push_back(std::move(d));
                }
            }
        } else {
            report = meta::check_package_file(file, po);
        }
        if (!report) {
            const std::string why = report.error().input.empty()
                                        ? report.error().message
                                        : report.error().input + ": " + report.error().message;
            std::cerr << "qplug: " << (why.starts_with(file) ? why : file + ": " + why) << '\n';
            io_failure = true;
            reports.push_back({{"file", file}, {"error", report.error().message}});
            continue;
        }
        selection->apply(report->diagnostics);
        merge_duplicates(report->diagnostics);
        const auto& ds = report->diagnostics;
        const std::size_t e = meta::count(ds, meta::Severity::error);
        const std::size_t w = meta::count(ds, meta::Severity::warning);
        const std::size_t n = meta::count(ds, meta::Severity::info);
        errors += e;
        warnings += w;
        infos += n;
        switch (o.output.format) {
        case OutputFormat::json:
            reports.push_back({{"file", file},
                               {"package", report->package_name},
                               {"valid", e == 0},
                               {"errors", e},
                               {"warnings", w},
                               {"infos", n},
                               {"diagnostics", diagnostics_json(ds)}});
            break;
        case OutputFormat::text:
            for (const auto& d : ds) {
                print_diagnostic(std::cout, d, palette);
            }
            std::cout << palette.bold() << file << palette.reset() << ": "
                      << (e == 0 ? palette.good() : palette.error())
                      << (e == 0 ? "valid" : "invalid") << palette.reset() << " for the "
                      << meta::profile_name(o.package.profile) << " profile (" << e
                      << (e == 1 ? " error, " : " errors, ") << w
                      << (w == 1 ? " warning)\n" : " warnings)\n");
            break;
        case OutputFormat::github:
            for (const auto& d : ds) {
                print_github(std::cout, d);
            }
            std::cout << file << ": " << (e == 0 ? "valid" : "invalid") << " for the "
                      << meta::profile_name(o.package.profile) << " profile\n";
            break;
        case OutputFormat::sarif:
            break;
        }
        checked.push_back({file, ds});
    }
    if (o.output.format == OutputFormat::json) {
        print_json({{"profile", meta::profile_name(o.package.profile)},
                    {"valid", errors == 0 && !io_failure},
                    {"errors", errors},
                    {"warnings", warnings},
                    {"infos", infos},
                    {"packages", reports}});
    } else if (o.output.format == OutputFormat::sarif) {
        print_json(sarif_log(checked, o.package.profile));
    }
    if (io_failure) {
        return exit_failure;
    }
    return errors > 0 ? exit_findings : exit_ok;
}

struct BuildCommandOptions : PackageCommandOptions {
    std::string output_path;
    bool dry_run = false;
};

/// <folder>.<version>.zip (the site's file name) when metadata.txt has a version, else
/// <folder>.zip; in the current folder.
std::string default_output(const meta::PackageReport& report, const std::string& folder) {
    if (report.metadata && report.metadata->general() != nullptr) {
        if (auto v = report.metadata->get("version");
            v && !v->empty() && v->find_first_of("/\\") == std::string::npos) {
            return folder + "." + std::string(*v) + ".zip";
        }
    }
    return folder + ".zip";
}

int run_package_build(BuildCommandOptions o, const std::string& folder) {
    if (o.json) {
        o.output.format = OutputFormat::json;
    }
    const Palette palette{use_color(o.output.color, STDOUT_FILENO)};
    SelectionFinder configs(o.output);
    auto bo = build_options(folder, o.excludes, configs);
    if (!bo) {
        std::cerr << "qplug: " << bo.error().to_string() << '\n';
        return exit_usage;
    }
    if (!o.output_path.empty()) {
        bo->skip = fs::path(o.output_path);
    }
    auto built = meta::build_package(folder, *bo);
    if (!built) {
        return report_failure(built.error().input + ": " + built.error().message, o);
    }
    for (const auto& s : built->skipped) {
        std::cerr << "qplug: " << folder << ": skipped " << s << '\n';
    }
    // What the site would say of these bytes: nothing is written unless they pass.
    auto selection = configs.for_path(folder);
    if (!selection) {
        std::cerr << "qplug: " << selection.error().to_string() << '\n';
        return exit_usage;
    }
    const meta::PackageOptions po = package_options(o);
    meta::PackageReport report = meta::check_package(built->zip, po, folder);
    name_folder_files(report.diagnostics, folder, built->folder);
    selection->apply(report.diagnostics);
    merge_duplicates(report.diagnostics);
    const std::string out =
        o.output_path.empty() ? default_output(report, built->folder) : o.output_path;
    const std::size_t errors = meta::count(report.diagnostics, meta::Severity::error);
    const std::string sha = solver::sha256_hex(built->zip);
    if (o.output.format == OutputFormat::text || o.output.format == OutputFormat::github) {
        for (const auto& d : report.diagnostics) {
            if (o.output.format == OutputFormat::github) {
                print_github(std::cerr, d);
            } else {
                print_diagnostic(std::cerr, d, Palette{use_color(o.output.color, STDERR_FILENO)});
            }
        }
    }
    if (o.dry_run) {
        if (o.output.format == OutputFormat::json) {
            print_json({{"path", out},
                        {"written", false},
                        {"valid", errors == 0},
                        {"size", built->zip.size()},
                        {"sha256", sha},
                        {"entries", built->entries},
                        {"left_out", built->left_out},
                        {"diagnostics", diagnostics_json(report.diagnostics)}});
        } else {
            for (const auto& e : built->entries) {
                std::cout << e << '\n';
            }
            for (const auto& e : built->left_out) {
                std::cout << palette.dim() << "left out: " << e << palette.reset() << '\n';
            }
        }
        return errors > 0 ? exit_findings : exit_ok;
    }
    if (errors > 0) {
        if (o.output.format == OutputFormat::json) {
            print_json({{"path", out},
                        {"written", false},
                        {"valid", false},
                        {"diagnostics", diagnostics_json(report.diagnostics)}});
        } else {
            std::cerr << "qplug: " << out << " not written: the ZIP is invalid for the "
                      << meta::profile_name(o.package.profile) << " profile (" << errors
                      << (errors == 1 ? " error)\n" : " errors)\n");
        }
        return exit_findings;
    }
    // Written next to its final place, checked there, then renamed into place: a failure
    // leaves nothing behind, and an existing file is replaced only by a checked one.
    const fs::path target = fs::absolute(out);
    const fs::path tmp = target.string() + ".qplug-tmp";
    {
        std::ofstream file(tmp, std::ios::binary | std::ios::trunc);
        if (!file ||
            !file.write(built->zip.data(), static_cast<std::streamsize>(built->zip.size())) ||
            !file.flush()) {
            std::error_code ec;
            fs::remove(tmp, ec);
            return report_failure(out + ": cannot be written", o);
        }
    }
    auto written = meta::check_package_file(tmp, po);
    if (written) {
        selection->apply(written->diagnostics);
    }
    std::error_code ec;
    if (!written || meta::count(written->diagnostics, meta::Severity::error) > 0) {
        fs::remove(tmp, ec);
        return report_failure(out + ": the written file does not read back as it was built", o);
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        return report_failure(out + ": cannot be written: " + ec.message(), o);
    }
    if (o.output.format == OutputFormat::json) {
        print_json({{"path", out},
                    {"written", true},
                    {"valid", true},
                    {"size", built->zip.size()},
                    {"sha256", sha},
                    {"entries", built->entries.size()},
                    {"left_out", built->left_out},
                    {"diagnostics", diagnostics_json(report.diagnostics)}});
    } else {
        std::cout << out << '\n'
                  << "  size    " << built->zip.size() << " bytes\n"
                  << "  sha256  " << sha << '\n';
    }
    return exit_ok;
}

void add_check_options(CLI::App* cmd, PackageCommandOptions& o) {
    o.package.profile = meta::Profile::site;
    cmd->add_option("--profile", o.package.profile,
                    "site (what plugins.qgis.org enforces, default), strict (site plus good "
                    "practice) or qgis (what QGIS needs)")
        ->transform(choice(kProfiles));
    cmd->add_flag("--new", o.package.new_plugin,
                  "A new plugin: its folder must be a Python identifier");
    cmd->add_option("--package-name", o.package.expected_package_name,
                    "The folder name earlier versions used");
    cmd->add_flag("--check-links", o.check_links,
                  "Check that tracker, repository and homepage answer (HEAD, 10 s timeout)");
    cmd->add_option("--max-size", o.package.max_size, "Largest accepted file, bytes (25000000)");
}

} // namespace

void register_package_commands(CLI::App& app, RunState& state) {
    auto* group = app.add_subcommand("package", "Check and build plugin ZIP packages");
    group->require_subcommand(1);
    {
        auto o = std::make_shared<PackageCommandOptions>();
        auto files = std::make_shared<std::vector<std::string>>();
        auto* cmd = group->add_subcommand(
            "check", "Check plugin ZIPs, or plugin folders as `package build` would zip them, as "
                     "plugins.qgis.org does on upload (and more); exit 1 when any error. "
                     "Nothing is extracted or written");
        cmd->add_option("PLUGIN", *files, "plugin ZIP files or plugin folders")->required();
        add_check_output_options(cmd, o->output, o->json);
        add_check_options(cmd, *o);
        add_exclude_options(cmd, o->excludes);
        cmd->callback([&state, o, files, cmd] {
            o->output.select_given = cmd->count("--select") > 0;
            o->output.ignore_given = cmd->count("--ignore") > 0;
            state.exit_code = run_package_check(*o, *files);
        });
    }
    {
        auto o = std::make_shared<BuildCommandOptions>();
        auto folder = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand(
            "build", "Zip a plugin folder as plugins.qgis.org expects it (one top folder named "
                     "after it; version control, bytecode, cache and editor files left out), "
                     "byte for byte the same every time; check it with the site profile and "
                     "write it only when it passes; print its path, size and sha256");
        cmd->add_option("FOLDER", *folder, "the plugin folder")->required();
        cmd->add_option("-o,--output", o->output_path,
                        "The ZIP to write (default: FOLDER.VERSION.zip in the current folder)");
        cmd->add_flag("--dry-run", o->dry_run,
                      "List what would be zipped and what is left out; write nothing");
        add_check_output_options(cmd, o->output, o->json);
        add_check_options(cmd, *o);
        add_exclude_options(cmd, o->excludes);
        cmd->callback([&state, o, folder, cmd] {
            o->output.select_given = cmd->count("--select") > 0;
            o->output.ignore_given = cmd->count("--ignore") > 0;
            state.exit_code = run_package_build(*o, *folder);
        });
    }
}

} // namespace qplug::cli
