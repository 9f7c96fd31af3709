// qplug install REQUEST... | upgrade [NAME...] | remove NAME...: resolve, show the plan, then
// carry it out: pip and conda packages by their own tools, plugin folders atomically
// (docs/install.md, docs/env-install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/env_install.hpp>
#include <qplug/solver/plugin_install.hpp>
#include <qplug/solver/source.hpp>

#include "commands.hpp"
#include "resolution_run.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;
using solver::Backend;
using solver::PlanStep;

struct InstallOptions : ResolveOptions {
    bool dry_run = false;
    bool yes = false;
    std::string profile;
    std::string python_exe;
    std::string conda = "conda";
    std::string conda_prefix;
    std::string log;
};

Error failure_error(std::string message) {
    Error e;
    e.kind = Error::Kind::invalid;
    e.message = std::move(message);
    return e;
}

bool is_remote(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ||
           url.rfind("ftp://", 0) == 0;
}

/// A plugin key QGIS would use as a folder name, and nothing else: no separators, no "."
/// or "..", not empty (plugins.xml can give any file_name; QGIS itself does not check).
bool safe_key(const std::string& key) {
    return !key.empty() && key != "." && key != ".." &&
           key.find_first_of("/\\:") == std::string::npos && key.find('\0') == std::string::npos;
}

/// Re-reads the installed sources (local folders: cheap, no network).
void refresh_installed(solver::Index& index, const std::string& qgis) {
    auto fetcher = solver::make_fetcher();
    for (const auto& r : index.repositories()) {
        if (r.kind != "installed" || !r.enabled) {
            continue;
        }
        solver::SyncContext context;
        context.fetcher = fetcher.get();
        context.qgis_version = qgis;
        if (auto report =
                solver::sync_repository(index, solver::SourceRegistry::builtin(), r.name, context);
            !report) {
            std::cerr << "qplug: warning: reading " << r.name << ": " << report.error().to_string()
                      << '\n';
        }
    }
}

/// With --profile: makes sure an installed repository reads that profile, so that the index
/// knows what is there before and after (named "<folder>-installed", as import-qgis does).
void track_profile(const InstallOptions& o, solver::Index& index) {
    if (o.profile.empty()) {
        return;
    }
    std::error_code ec;
    const std::string profile = fs::absolute(o.profile, ec).lexically_normal().string();
    for (const auto& r : index.repositories()) {
        if (r.kind == "installed" && solver::local_path_of(r.url) == profile) {
            return;
        }
    }
    solver::RepositoryConfig config;
    config.name = fs::path(profile).filename().string() + "-installed";
    config.kind = "installed";
    config.url = profile;
    if (index.repository(config.name)) {
        config.name += "-" + std::to_string(index.repositories().size());
    }
    if (auto r = index.add_repository(config); r) {
        std::cerr << fmt::format("qplug: added repository '{}' for the plugins of {}\n",
                                 config.name, profile);
    }
}

/// The profile whose plugins folder receives plugins: --profile, else the first enabled
/// installed repository's.
std::string profile_folder(const InstallOptions& o, const solver::Index& index) {
    if (!o.profile.empty()) {
        return o.profile;
    }
    for (const auto& r : index.repositories()) {
        if (r.kind == "installed" && r.enabled) {
            return solver::local_path_of(r.url);
        }
    }
    return "";
}

bool confirm(const InstallOptions& o) {
    if (o.yes || o.dry_run) {
        return true;
    }
    if (isatty(STDIN_FILENO) == 0) {
        return false;
    }
    std::cerr << "Proceed? [y/N] " << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    return answer == "y" || answer == "Y" || answer == "yes";
}

struct Outcome {
    json steps = json::array();
    std::vector<std::string> lines;
};

Expected<void> apply_pip(const InstallOptions& o, const solver::Index& index,
                         const std::vector<PlanStep>& steps, bool removals, Outcome& out) {
    solver::PythonEnvironment env;
    env.python = o.python_exe.empty() ? "python3" : o.python_exe;
    for (const auto& r : index.repositories()) {
        if (r.kind == "pip" && r.enabled) {
            env.index_urls.push_back(r.url);
        }
    }
    solver::PipOptions options;
    options.dry_run = o.dry_run;
    options.log_file = o.log;
    std::vector<std::string> items;
    for (const auto& s : steps) {
        if (s.backend != Backend::pip || s.action == PlanStep::Action::keep ||
            (s.action == PlanStep::Action::remove) != removals) {
            continue;
        }
        if (!removals && o.is_offline() &&
            std::any_of(env.index_urls.begin(), env.index_urls.end(), is_remote)) {
            return failure_error(fmt::format("offline: pip would fetch {} {} from an index on "
                                             "the network",
                                             s.name, s.version));
        }
        items.push_back(removals ? s.name : s.name + "==" + s.version);
    }
    if (items.empty()) {
        return {};
    }
    if (removals) {
        auto report = solver::pip_uninstall(env, items, options);
        if (!report) {
            return std::move(report).error();
        }
        for (const auto& p : report->removed) {
            out.lines.push_back(fmt::format(
                "{} {} {} (pip)", o.dry_run ? "would remove" : "removed", p.name, p.version));
        }
        return {};
    }
    auto report = solver::pip_install(env, items, options);
    if (!report) {
        return std::move(report).error();
    }
    for (const auto& p : report->install) {
        out.lines.push_back(fmt::format("{} {} {} (pip)", o.dry_run ? "would install" : "installed",
                                        p.name, p.version));
    }
    return {};
}

Expected<void> apply_conda(const InstallOptions& o, const solver::Index& index,
                           const std::vector<PlanStep>& steps, bool removals, Outcome& out) {
    solver::CondaEnvironment env;
    env.executable = o.conda;
    env.prefix = o.conda_prefix;
    for (const auto& r : index.repositories()) {
        if (r.kind == "conda" && r.enabled) {
            env.channels.push_back(r.url);
        }
    }
    solver::CondaOptions options;
    options.dry_run = o.dry_run;
    options.log_file = o.log;
    std::vector<std::string> items;
    for (const auto& s : steps) {
        if (s.backend != Backend::conda || s.action == PlanStep::Action::keep ||
            (s.action == PlanStep::Action::remove) != removals) {
            continue;
        }
        items.push_back(removals ? s.name : s.name + "==" + s.version);
    }
    if (items.empty()) {
        return {};
    }
    if (o.conda_prefix.empty()) {
        return failure_error("the plan changes conda packages: give the environment with "
                             "--conda-prefix");
    }
    auto report = removals ? solver::conda_remove(env, items, options)
                           : solver::conda_install(env, items, options);
    if (!report) {
        return std::move(report).error();
    }
    for (const auto& p : report->link) {
        out.lines.push_back(fmt::format("{} {} {} (conda)", o.dry_run ? "would link" : "linked",
                                        p.name, p.version));
    }
    for (const auto& p : report->unlink) {
        out.lines.push_back(fmt::format("{} {} {} (conda)", o.dry_run ? "would unlink" : "unlinked",
                                        p.name, p.version));
    }
    return {};
}

Expected<void> apply_plugins(const InstallOptions& o, solver::Index& index,
                             const std::vector<PlanStep>& steps, Outcome& out) {
    std::vector<solver::InstallStep> todo;
    for (const auto& s : steps) {
        if (s.backend != Backend::legacy || s.action == PlanStep::Action::keep) {
            continue;
        }
        if (!safe_key(s.name)) {
            return failure_error(fmt::format("'{}' ({}) cannot be a plugin folder name: refused",
                                             s.name, s.display_name));
        }
        solver::InstallStep step;
        step.action = s.action == PlanStep::Action::install     ? solver::InstallStep::install
                      : s.action == PlanStep::Action::upgrade   ? solver::InstallStep::upgrade
                      : s.action == PlanStep::Action::downgrade ? solver::InstallStep::downgrade
                                                                : solver::InstallStep::remove;
        step.key = s.name;
        step.version = s.version;
        step.download_url = s.download_url;
        step.file_name = s.file_name;
        step.size = s.size;
        step.hash = s.hash;
        if (step.action != solver::InstallStep::remove) {
            if (o.is_offline() && is_remote(s.download_url)) {
                return failure_error(fmt::format("offline: {} {} would be downloaded from {}",
                                                 s.display_name, s.version,
                                                 solver::redact_url(s.download_url)));
            }
            if (auto repo = index.repository(s.repository); repo && !repo->credentials.empty()) {
                auto c = solver::resolve_credentials(repo->credentials);
                if (!c) {
                    return std::move(c).error();
                }
                step.credentials = *c;
            }
        }
        todo.push_back(std::move(step));
    }
    if (todo.empty()) {
        return {};
    }
    const std::string profile = profile_folder(o, index);
    if (profile.empty()) {
        return failure_error("the plan changes QGIS plugins: say which QGIS profile with "
                             "--profile DIR, or add one with `qplug repo import-qgis DIR`");
    }
    auto fetcher = solver::make_fetcher(o.download);
    solver::InstallOptions options;
    options.dry_run = o.dry_run;
    auto report = solver::apply_plugin_steps(fs::path(profile) / "python" / "plugins", todo,
                                             *fetcher, options);
    if (!report) {
        return std::move(report).error();
    }
    for (const auto& area : report->recovery.areas) {
        out.lines.push_back("recovered an interrupted run: " + area.path);
    }
    for (const auto& s : report->steps) {
        const std::string verb(solver::action_name(s.action));
        out.lines.push_back(fmt::format("{} {} {} (plugin folder {})",
                                        o.dry_run            ? "would " + verb
                                        : verb.back() == 'e' ? verb + "d"
                                                             : verb + "ed",
                                        s.key, s.version, s.path));
        out.steps.push_back({{"action", solver::action_name(s.action)},
                             {"key", s.key},
                             {"version", s.version},
                             {"path", s.path},
                             {"applied", s.applied},
                             {"sha256", s.sha256}});
    }
    return {};
}

int run_change(InstallOptions& o, solver::Request::Action action) {
    if (o.log.empty()) {
        const fs::path index_path =
            o.index.empty() ? solver::Index::default_path() : fs::path(o.index);
        o.log = (index_path.parent_path() / "install.log").string();
    }
    auto requests = parse_requests(o.requests, action);
    if (!requests) {
        return report_invalid(requests.error(), o);
    }
    if (action == solver::Request::Action::upgrade && requests->empty()) {
        requests->push_back(solver::Request{action, std::nullopt, "", "", "upgrade"});
    }
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_write, code);
    if (!index) {
        return code;
    }
    track_profile(o, *index);
    refresh_installed(*index, detect_qgis_version(o.qgis, nullptr));
    auto run = run_resolution(*index, o, std::move(*requests));
    if (!run) {
        return run.error().kind == Error::Kind::parse ? report_invalid(run.error(), o)
                                                      : report_failure(run.error().to_string(), o);
    }
    for (const auto& n : run->notes) {
        std::cerr << "qplug: " << n << '\n';
    }
    if (!run->lock_differences.empty()) {
        for (const auto& d : run->lock_differences) {
            std::cerr << "qplug: lock file " << o.lock_file << ": " << d << '\n';
        }
        std::cerr << "qplug: the lock file needs updating, which --locked forbids\n";
        return exit_findings;
    }
    const bool json_output = o.json;
    o.json = false; // the plan as text on stderr-free stdout only without --json
    if (!json_output) {
        code = print_resolution(run->resolution, o, run->qgis_version);
    }
    o.json = json_output;
    if (!run->resolution.solved) {
        if (json_output) {
            std::cout << solver::resolution_json(run->resolution, o.proof) << '\n';
        }
        return exit_findings;
    }
    if (!confirm(o)) {
        std::cerr << "qplug: nothing changed (pass --yes to proceed without a terminal)\n";
        return exit_usage;
    }
    const auto& steps = run->resolution.plan.steps;
    Outcome out;
    // Python packages before the plugins that import them; removals the other way round.
    for (const auto& apply :
         {std::function<Expected<void>()>(
              [&] { return apply_conda(o, *index, steps, false, out); }),
          std::function<Expected<void>()>([&] { return apply_pip(o, *index, steps, false, out); }),
          std::function<Expected<void>()>([&] { return apply_plugins(o, *index, steps, out); }),
          std::function<Expected<void>()>([&] { return apply_pip(o, *index, steps, true, out); }),
          std::function<Expected<void>()>(
              [&] { return apply_conda(o, *index, steps, true, out); })}) {
        if (auto r = apply(); !r) {
            for (const auto& line : out.lines) {
                std::cerr << "qplug: " << line << '\n';
            }
            std::cerr << "qplug: " << r.error().to_string() << '\n';
            std::cerr << "qplug: the output of pip and conda is in " << o.log << '\n';
            return exit_failure;
        }
    }
    if (!o.dry_run) {
        refresh_installed(*index, run->qgis_version);
        if (auto w = update_lock_file(o, *run); !w) {
            return report_failure(w.error().to_string(), o);
        }
    }
    if (json_output) {
        json plan = json::parse(solver::resolution_json(run->resolution, o.proof));
        plan["dry_run"] = o.dry_run;
        plan["applied"] = out.steps;
        print_json(plan);
        return exit_ok;
    }
    for (const auto& line : out.lines) {
        std::cout << line << '\n';
    }
    if (o.dry_run) {
        std::cout << "dry run: downloads verified and checked, nothing changed\n";
    }
    return exit_ok;
}

void add_install_options(CLI::App* cmd, InstallOptions& o) {
    add_resolve_options(cmd, o, true);
    cmd->add_flag("--dry-run", o.dry_run,
                  "Resolve, download, verify and check everything, change nothing");
    cmd->add_flag("-y,--yes", o.yes, "Do not ask before changing anything");
    cmd->add_option("--profile", o.profile,
                    "The QGIS profile folder whose python/plugins receives plugins (default: "
                    "the first installed repository's)");
    cmd->add_option("--python-exe", o.python_exe,
                    "The Python interpreter whose environment pip installs into (default: "
                    "python3)");
    cmd->add_option("--conda", o.conda, "conda, mamba or micromamba")->capture_default_str();
    cmd->add_option("--conda-prefix", o.conda_prefix, "The conda environment to change");
    cmd->add_option("--log", o.log,
                    "Where the output of pip and conda goes (default: install.log beside the "
                    "index)");
}

} // namespace

void register_install_commands(CLI::App& app, RunState& state) {
    {
        auto o = std::make_shared<InstallOptions>();
        auto* cmd = app.add_subcommand("install", "Install plugins and packages");
        cmd->add_option("REQUEST", o->requests,
                        "'Name', 'Name==1.2', 'pip:numpy>=1.26', 'conda:gdal 3.8.*' ... "
                        "(default with --lock-file: the lock file's requests)");
        add_install_options(cmd, *o);
        cmd->callback(
            [&state, o] { state.exit_code = run_change(*o, solver::Request::Action::install); });
    }
    {
        auto o = std::make_shared<InstallOptions>();
        auto* cmd = app.add_subcommand("upgrade", "Upgrade installed plugins and packages "
                                                  "(all of them without a NAME)");
        cmd->add_option("NAME", o->requests, "What to upgrade");
        add_install_options(cmd, *o);
        cmd->callback(
            [&state, o] { state.exit_code = run_change(*o, solver::Request::Action::upgrade); });
    }
    {
        auto o = std::make_shared<InstallOptions>();
        auto* cmd = app.add_subcommand(
            "remove", "Remove plugins and packages, and the dependencies nothing else needs");
        cmd->add_option("NAME", o->requests, "What to remove")->required();
        add_install_options(cmd, *o);
        cmd->callback(
            [&state, o] { state.exit_code = run_change(*o, solver::Request::Action::remove); });
    }
}

} // namespace qplug::cli
