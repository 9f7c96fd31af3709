// qplug install REQUEST... | upgrade [NAME...] | remove NAME... | mark requested|auto NAME...:
// the target's lifecycle, carried out by the library (solver::change_target, docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/lifecycle.hpp>

#include "choice.hpp"
#include "commands.hpp"
#include "resolve_options.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;
namespace fs = std::filesystem;
using solver::PlanStep;

struct InstallOptions : ResolveOptions {
    bool dry_run = false;
    bool yes = false;
    std::string conda = "conda";
    bool break_system_packages = false;
    std::string log;
};

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

std::string past_tense(std::string_view verb) {
    return verb.back() == 'e' ? std::string(verb) + "d" : std::string(verb) + "ed";
}

int run_change(InstallOptions& o, solver::Request::Action action) {
    auto requests = parse_requests(o.requests, action);
    if (!requests) {
        return report_invalid(requests.error(), o);
    }
    if (action == solver::Request::Action::upgrade && requests->empty()) {
        requests->push_back(solver::Request{action, std::nullopt, "", "", "upgrade"});
    }
    int code = exit_ok;
    // A dry run opens the index read-only: it writes nothing anywhere.
    auto index = open_index(
        o, o.dry_run ? solver::Index::Mode::read_only : solver::Index::Mode::read_write, code);
    if (!index) {
        return code;
    }
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    solver::ChangeOptions options;
    options.plan = o.plan_options();
    options.dry_run = o.dry_run;
    options.conda_executable = o.conda;
    options.break_system_packages = o.break_system_packages;
    if (o.log.empty() && !o.dry_run) {
        const fs::path index_path =
            o.index.empty() ? solver::Index::default_path() : fs::path(o.index);
        o.log = (index_path.parent_path() / "install.log").string();
    }
    options.log_file = o.log;
    const bool json_output = o.json;
    bool asked = false;
    options.confirm = [&](const solver::PlanRun& run) {
        print_notes(run);
        if (!json_output) {
            (void)print_resolution(run.resolution, o, run);
        }
        asked = true;
        return confirm(o);
    };
    if (isatty(STDERR_FILENO) != 0 && !json_output) {
        options.progress = [](std::string_view what, std::uint64_t done, std::uint64_t total) {
            static std::string last;
            if (what != last) {
                finish_progress();
                last = std::string(what);
            }
            terminal_progress(last)(done, total);
        };
    }
    auto report = solver::change_target(*index, *target, std::move(*requests), options);
    finish_progress();
    if (!report) {
        Error e = std::move(report).error();
        if (e.kind == Error::Kind::not_found) {
            e.message += " in " + target->describe();
        }
        return report_error(e, o);
    }
    const auto& run = report->plan;
    for (const auto& area : report->recovery.areas) {
        std::cerr << "qplug: recovered an interrupted run: " << area.path << '\n';
    }
    if (!run.resolution.solved) {
        print_notes(run);
        return print_resolution(run.resolution, o, run);
    }
    if (!run.lock_differences.empty()) {
        for (const auto& d : run.lock_differences) {
            std::cerr << "qplug: lock file " << o.lock_file << ": " << d << '\n';
        }
        std::cerr << "qplug: the lock file needs updating, which --locked forbids\n";
        return exit_findings;
    }
    if (!report->confirmed) {
        (void)asked;
        std::cerr << "qplug: nothing changed (pass --yes to proceed without a terminal)\n";
        return exit_usage;
    }
    if (json_output) {
        std::cout << solver::change_json(*target, *report, o.proof) << '\n';
        return exit_ok;
    }
    for (const auto& a : report->applied) {
        const std::string verb(solver::action_name(a.action));
        std::cout << fmt::format(
            "{} {} {}{}\n", o.dry_run ? "would " + verb : past_tense(verb), a.name, a.version,
            a.path.empty() ? fmt::format(" ({})", solver::backend_name(a.backend))
                           : fmt::format(" (plugin folder {})", a.path));
        for (const auto& n : a.notes) {
            // What the package check says to authors (PKG-*, META-* warnings) is in --json;
            // here only what changes the outcome for the user.
            if (n.rfind("PKG-", 0) != 0 && n.rfind("META-", 0) != 0) {
                std::cout << "  note: " << n << '\n';
            }
        }
    }
    for (const auto& n : report->notes) {
        std::cerr << "qplug: " << n << '\n';
    }
    if (!report->enabled.empty()) {
        std::cout << fmt::format("enabled in QGIS ({}): {}\n", target->settings_file()->string(),
                                 fmt::join(report->enabled, ", "));
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
    cmd->add_option("--conda", o.conda, "conda, mamba or micromamba")->capture_default_str();
    cmd->add_flag("--break-system-packages", o.break_system_packages,
                  "Let pip install into an externally managed Python (PEP 668)");
    cmd->add_option("--log", o.log,
                    "Where the output of pip and conda goes (default: install.log beside the "
                    "index)");
}

struct MarkOptions : CommonOptions, TargetCliOptions {
    std::string mark;
    std::vector<std::string> names;
};

int run_mark(const MarkOptions& o) {
    int code = exit_ok;
    auto target = open_target(o, o, code);
    if (!target) {
        return code;
    }
    const solver::Mark mark =
        o.mark == "requested" ? solver::Mark::requested : solver::Mark::automatic;
    if (auto r = solver::set_marks(*target, o.names, mark); !r) {
        return report_error(r.error(), o);
    }
    if (o.json) {
        print_json({{"mark", solver::mark_name(mark)}, {"names", o.names}});
    } else {
        for (const auto& n : o.names) {
            std::cout << fmt::format("{} is marked {}\n", n, solver::mark_name(mark));
        }
    }
    return exit_ok;
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
            "remove", "Remove plugins and packages, and the automatic ones nothing else needs");
        cmd->add_option("NAME", o->requests, "What to remove")->required();
        add_install_options(cmd, *o);
        cmd->callback(
            [&state, o] { state.exit_code = run_change(*o, solver::Request::Action::remove); });
    }
    {
        auto o = std::make_shared<MarkOptions>();
        auto* cmd = app.add_subcommand(
            "mark", "Mark installed packages as requested (kept until removed by name) or "
                    "automatic (removed when nothing needs them)");
        cmd->add_option("MARK", o->mark, "requested or auto")
            ->required()
            ->transform(choice({"requested", "auto"}));
        cmd->add_option("NAME", o->names, "Installed plugins or packages")->required();
        cmd->add_flag("--json", o->json, "Print JSON");
        add_target_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_mark(*o); });
    }
}

} // namespace qplug::cli
