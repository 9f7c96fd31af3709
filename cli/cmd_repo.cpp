// qplug repo add|list|remove|enable|disable|sync|import-qgis
// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/qgis_settings.hpp>
#include <qplug/solver/repositories.hpp>
#include <qplug/solver/source.hpp>

#include "commands.hpp"
#include "index_access.hpp"

namespace qplug::cli {

namespace {

using json = nlohmann::ordered_json;

struct AddOptions : IndexOptions {
    std::string name;
    std::string url;
    std::string kind = "legacy";
    int priority = 0;
    bool disabled = false;
    bool is_protected = false;
    std::string credentials;
    std::vector<std::string> options; ///< KEY=VALUE
    bool sync = false;
    std::string qgis;
};

/// KEY=VALUE pairs as a JSON object: values that read as JSON (true, 3, [..]) stay typed.
std::optional<std::string> options_json(const std::vector<std::string>& pairs, std::string& bad) {
    json object = json::object();
    for (const auto& pair : pairs) {
        const std::size_t eq = pair.find('=');
        if (eq == std::string::npos || eq == 0) {
            bad = pair;
            return std::nullopt;
        }
        const std::string value = pair.substr(eq + 1);
        json parsed = json::parse(value, nullptr, false);
        object[pair.substr(0, eq)] = parsed.is_discarded() ? json(value) : parsed;
    }
    return object.dump();
}

/// One repository as `repo add --json` prints it (the library's shape).
json repository_object(const solver::RepositoryConfig& r) {
    return json::parse(solver::repository_json(r));
}

int run_sync(solver::Index& index, const std::vector<std::string>& names, const IndexOptions& o,
             const std::string& qgis, bool force);

int run_add(const AddOptions& o) {
    solver::RepositoryConfig config;
    config.name = o.name;
    config.kind = o.kind;
    config.url = o.url;
    config.priority = o.priority;
    config.enabled = !o.disabled;
    config.is_protected = o.is_protected;
    config.credentials = o.credentials;
    std::string bad;
    auto options = options_json(o.options, bad);
    if (!options) {
        return report_failure(fmt::format("--option '{}' is not KEY=VALUE", bad), o);
    }
    config.options = *options;
    // The kind's settings are checked before the index is opened (or created): an unknown
    // kind or a bad --option is an argument that is not valid (exit 2, docs/cli.md).
    if (auto checked = solver::check_repository(solver::SourceRegistry::builtin(), config);
        !checked) {
        const Error& e = checked.error();
        const bool bad_argument =
            e.kind == Error::Kind::invalid || e.kind == Error::Kind::not_found;
        return bad_argument ? report_invalid(e, o) : report_failure(e.to_string(), o);
    }
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_write, code);
    if (!index) {
        return code;
    }
    auto added = solver::add_repository(*index, solver::SourceRegistry::builtin(), config);
    if (!added) {
        return report_failure(added.error().to_string(), o);
    }
    if (o.sync) {
        return run_sync(*index, {o.name}, o, o.qgis, false);
    }
    if (o.json) {
        std::cout << solver::repository_json(*added) << '\n';
    } else {
        std::cout << fmt::format("added {} ({}, {}); run `qplug repo sync {}` to read it\n",
                                 added->name, added->kind, solver::redact_url(added->url),
                                 added->name);
    }
    return exit_ok;
}

int run_list(const IndexOptions& o) {
    int code = exit_ok;
    auto index = open_index(o, solver::Index::Mode::read_write, code);
    if (!index) {
        return code;
    }
    const auto repos = index->repositories();
    if (o.json) {
        std::cout << solver::repositories_json(repos) << '\n';
        return exit_ok;
    }
    if (repos.empty()) {
        std::cout << "no repositories (add one with `qplug repo add NAME URL`)\n";
    }
    for (const auto& r : repos) {
        std::cout << fmt::format("{}{} [{}, priority {}]{}\n    {}\n", r.name,
                                 r.enabled ? "" : " (disabled)", r.kind, r.priority,
                                 r.is_protected ? " protected" : "", solver::redact_url(r.url));
        if (!r.last_sync.empty()) {
            std::cout << fmt::format("    last sync {}{}\n", r.last_sync,
                                     r.last_error.empty() ? "" : ": failed: " + r.last_error);
        } else {
            std::cout << "    never synced\n";
        }
    }
    return exit_ok;
}

int run_sync(solver::Index& index, const std::vector<std::string>& names, const IndexOptions& o,
             const std::string& qgis, bool force) {
    solver::SyncOptions options;
    options.qgis_version = qgis;
    options.force = force;
    options.download = o.download;
    solver::ProgressCallback shown; // the repository being fetched, on a terminal
    std::string showing;
    options.progress = [&](std::string_view name, solver::SyncPhase phase, std::uint64_t done,
                           std::uint64_t total) {
        if (phase != solver::SyncPhase::fetch) {
            return;
        }
        if (name != showing) {
            showing = std::string(name);
            shown = terminal_progress("syncing " + showing);
        }
        if (shown) {
            shown(done, total);
        }
    };
    int code = exit_ok;
    options.finished = [&](const solver::SyncOutcome& outcome) {
        finish_progress();
        const std::string& name = outcome.repository;
        if (outcome.error) {
            std::cerr << "qplug: " << name << ": " << outcome.error->to_string() << '\n';
            code = std::max(code, exit_code_for(*outcome.error));
            return;
        }
        const solver::SyncReport& report = *outcome.report;
        for (const auto& w : report.warnings) {
            std::cerr << "qplug: " << name << ": warning: " << w << '\n';
        }
        if (o.json) {
            return;
        }
        if (report.not_modified) {
            std::cout << fmt::format("{}: up to date\n", name);
        } else {
            std::cout << fmt::format("{}: {} packages, {} releases{}, {} dependencies\n", name,
                                     report.packages, report.releases,
                                     report.unchanged > 0
                                         ? fmt::format(" ({} unchanged)", report.unchanged)
                                         : std::string(),
                                     report.dependencies);
        }
    };
    const auto outcomes = solver::sync_repositories(index, names, options);
    if (o.json) {
        std::cout << solver::sync_json(outcomes) << '\n';
    }
    return code;
}

struct ImportOptions : IndexOptions {
    std::string profile;
    bool dry_run = false;
};

/// qplug repo import-qgis: the repositories of a QGIS profile's QGIS3.ini as repositories of
/// the index (docs/index-sources.md).
int run_import_qgis(const ImportOptions& o) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::path profile = fs::absolute(o.profile, ec).lexically_normal();
    if (!profile.has_filename() && profile.has_parent_path()) {
        profile = profile.parent_path(); // "profiles/default/"
    }
    if (!fs::is_directory(profile, ec)) {
        return report_failure(fmt::format("{} is not a folder (a QGIS profile folder, such as "
                                          "~/.local/share/QGIS/QGIS3/profiles/default)",
                                          profile.string()),
                              o);
    }
    std::vector<std::string> warnings;
    const fs::path ini = profile / "QGIS" / "QGIS3.ini";
    std::string text;
    if (fs::exists(ini, ec)) {
        std::ifstream in(ini, std::ios::binary);
        std::ostringstream bytes;
        bytes << in.rdbuf();
        if (!in || in.bad()) {
            return report_failure(fmt::format("{}: cannot be read", ini.string()), o);
        }
        text = std::move(bytes).str();
    } else {
        warnings.push_back(fmt::format("{} does not exist: QGIS starts such a profile with its "
                                       "official repository only",
                                       ini.string()));
    }
    auto repos = solver::read_qgis_repositories(text, &warnings, ini.string());
    if (!repos) {
        const Error& e = repos.error();
        std::cerr << "qplug: " << e.to_string() << '\n';
        if (o.json) {
            print_json({{"error",
                         {{"kind", "parse"},
                          {"file", e.file},
                          {"line", e.line},
                          {"column", e.line_column},
                          {"message", e.message}}}});
        }
        return exit_code_for(e);
    }
    // A dry run writes nothing, not even a new index.
    std::optional<solver::Index> index;
    const fs::path index_path = o.index.empty() ? solver::Index::default_path() : fs::path(o.index);
    if (!o.dry_run || fs::exists(index_path, ec)) {
        int code = exit_ok;
        index = open_index(
            o, o.dry_run ? solver::Index::Mode::read_only : solver::Index::Mode::read_write, code);
        if (!index) {
            return code;
        }
    }
    const std::vector<solver::RepositoryConfig> existing =
        index ? index->repositories() : std::vector<solver::RepositoryConfig>{};
    const auto named = [&](const std::string& name) {
        return std::any_of(existing.begin(), existing.end(),
                           [&](const auto& r) { return r.name == name; });
    };
    const std::string verb = o.dry_run ? "would add" : "added";
    json added = json::array();
    json skipped = json::array();
    std::vector<std::string> lines;
    const auto skip = [&](const std::string& name, const std::string& reason) {
        skipped.push_back({{"name", name}, {"reason", reason}});
        lines.push_back(fmt::format("skipped {}: {}", name, reason));
    };
    const auto add = [&](const solver::RepositoryConfig& config) -> std::optional<int> {
        if (auto source = solver::check_repository(solver::SourceRegistry::builtin(), config);
            !source) {
            return report_failure(source.error().to_string(), o);
        }
        if (index && !o.dry_run) {
            if (auto r = index->add_repository(config); !r) {
                return report_failure(r.error().to_string(), o);
            }
        }
        added.push_back(repository_object(config));
        lines.push_back(fmt::format("{} {} ({}, {}{})", verb, config.name, config.kind,
                                    solver::redact_url(config.url),
                                    config.enabled ? "" : ", disabled"));
        return std::nullopt;
    };
    for (const auto& r : *repos) {
        if (named(r.name)) {
            skip(r.name, "a repository of that name is in the index already");
            continue;
        }
        solver::RepositoryConfig config;
        config.name = r.name;
        config.kind = "legacy";
        config.backend = solver::Backend::legacy;
        config.url = r.url;
        config.priority = 0;
        // QGIS fetches only repositories that are enabled and valid.
        config.enabled = r.enabled && r.valid;
        if (!r.valid) {
            warnings.push_back(fmt::format("'{}' is marked not valid in QGIS, which does not "
                                           "fetch it: {} disabled",
                                           r.name, verb));
        }
        if (!r.authcfg.empty()) {
            // The secret is in QGIS's encrypted authentication database, out of reach.
            config.options = json{{"qgis_authcfg", r.authcfg}}.dump();
            warnings.push_back(fmt::format(
                "'{}' uses the QGIS authentication configuration '{}', which qplug cannot read: "
                "recorded as option qgis_authcfg; add it again with --credentials "
                "(env:VARIABLE or netrc) if its server needs them",
                r.name, r.authcfg));
        }
        for (const auto& e : existing) {
            if (e.url == r.url) {
                warnings.push_back(
                    fmt::format("'{}' has the URL of repository '{}'", r.name, e.name));
            }
        }
        if (auto failed = add(config)) {
            return *failed;
        }
    }
    // The profile's own plugins are read from it as a target (--profile) by every command
    // that needs them; no repository stands for them.
    for (const auto& w : warnings) {
        std::cerr << "qplug: warning: " << w << '\n';
    }
    if (o.json) {
        print_json({{"profile", profile.string()},
                    {"settings", ini.string()},
                    {"dry_run", o.dry_run},
                    {"added", added},
                    {"skipped", skipped},
                    {"warnings", warnings}});
        return exit_ok;
    }
    for (const auto& line : lines) {
        std::cout << line << '\n';
    }
    if (o.dry_run) {
        std::cout << fmt::format("{} repositories would be added (dry run: nothing written)\n",
                                 added.size());
    } else if (!added.empty()) {
        std::cout << fmt::format("{} repositories added; run `qplug repo sync` to read them\n",
                                 added.size());
    } else {
        std::cout << "nothing to add\n";
    }
    return exit_ok;
}

} // namespace

void register_repo_commands(CLI::App& app, RunState& state) {
    auto* group = app.add_subcommand("repo", "Configure and sync the repositories of the index");
    group->require_subcommand(1);
    register_repo_build_command(*group, state);
    {
        auto o = std::make_shared<AddOptions>();
        auto* cmd = group->add_subcommand("add", "Add a repository (then `qplug repo sync`)");
        cmd->add_option("NAME", o->name, "A name for it")->required();
        cmd->add_option("URL", o->url, "Its URL (http, https, file) or path")->required();
        std::string kinds;
        for (const auto& t : solver::SourceRegistry::builtin().types()) {
            kinds += fmt::format("\n  {}: {}", t.tag, t.summary);
        }
        kinds += "\n  another TAG: the extension library TAG.so (docs/cli.md, \"Repository kinds "
                 "from extensions\")";
        cmd->add_option("--kind", o->kind, "What it is (default legacy):" + kinds);
        cmd->add_option("--priority", o->priority, "Higher wins between repositories (default 0)");
        cmd->add_flag("--disabled", o->disabled, "Add it disabled");
        cmd->add_flag("--protected", o->is_protected, "Refuse `repo remove` unless --force");
        cmd->add_option("--credentials", o->credentials,
                        "Where its credentials are: env:VARIABLE (user:password) or netrc");
        cmd->add_option("--option", o->options, "A setting of its kind, KEY=VALUE (repeatable)");
        cmd->add_flag("--sync", o->sync, "Sync it right away");
        cmd->add_option("--qgis", o->qgis, "With --sync: the QGIS version to ask for");
        add_index_options(cmd, *o);
        add_download_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_add(*o); });
    }
    {
        auto o = std::make_shared<IndexOptions>();
        auto* cmd = group->add_subcommand("list", "List the repositories and their last sync");
        add_index_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_list(*o); });
    }
    {
        auto o = std::make_shared<IndexOptions>();
        auto name = std::make_shared<std::string>();
        auto force = std::make_shared<bool>(false);
        auto* cmd = group->add_subcommand("remove", "Remove a repository and what it brought");
        cmd->add_option("NAME", *name, "The repository")->required();
        cmd->add_flag("--force", *force, "Remove it even when it is protected");
        add_index_options(cmd, *o);
        cmd->callback([&state, o, name, force] {
            int code = exit_ok;
            auto index = open_index(*o, solver::Index::Mode::read_write, code);
            if (!index) {
                state.exit_code = code;
                return;
            }
            if (auto repo = index->repository(*name); repo && repo->is_protected && !*force) {
                // Refused, not failed: exit 1 (as QGIS, which does not let its official
                // repository be removed).
                (void)report_failure(fmt::format("the repository '{}' is protected; remove it "
                                                 "with --force",
                                                 *name),
                                     *o);
                state.exit_code = exit_findings;
                return;
            }
            if (auto r = index->remove_repository(*name, *force); !r) {
                state.exit_code = report_failure(r.error().to_string(), *o);
                return;
            }
            if (o->json) {
                print_json({{"removed", *name}});
            } else {
                std::cout << "removed " << *name << '\n';
            }
        });
    }
    for (const bool enable : {true, false}) {
        auto o = std::make_shared<IndexOptions>();
        auto name = std::make_shared<std::string>();
        auto* cmd = group->add_subcommand(enable ? "enable" : "disable",
                                          enable ? "Use a repository again"
                                                 : "Keep a repository but leave it out");
        cmd->add_option("NAME", *name, "The repository")->required();
        add_index_options(cmd, *o);
        cmd->callback([&state, o, name, enable] {
            int code = exit_ok;
            auto index = open_index(*o, solver::Index::Mode::read_write, code);
            if (!index) {
                state.exit_code = code;
                return;
            }
            if (auto r = index->set_enabled(*name, enable); !r) {
                state.exit_code = report_failure(r.error().to_string(), *o);
                return;
            }
            if (o->json) {
                print_json({{"repository", *name}, {"enabled", enable}});
            } else {
                std::cout << *name << (enable ? " enabled\n" : " disabled\n");
            }
        });
    }
    {
        auto o = std::make_shared<IndexOptions>();
        auto names = std::make_shared<std::vector<std::string>>();
        auto qgis = std::make_shared<std::string>();
        auto force = std::make_shared<bool>(false);
        auto* cmd = group->add_subcommand(
            "sync", "Read repositories into the index (all enabled ones when none is named); "
                    "each sync is one transaction: a failure leaves the previous contents");
        cmd->add_option("NAME", *names, "Repositories to sync");
        cmd->add_option("--qgis", *qgis,
                        "The QGIS version plugin repositories are asked for (default "
                        "$QPLUG_QGIS_VERSION, else " +
                            solver::default_qgis_version() +
                            ", as resolve detects it: $QPLUG_QGIS_VERSION, `qgis --version`)");
        cmd->add_flag("--force", *force, "Read even when the ETag says nothing changed");
        add_index_options(cmd, *o);
        add_download_options(cmd, *o);
        cmd->callback([&state, o, names, qgis, force] {
            int code = exit_ok;
            auto index = open_index(*o, solver::Index::Mode::read_write, code);
            if (!index) {
                state.exit_code = code;
                return;
            }
            state.exit_code = run_sync(*index, *names, *o, *qgis, *force);
        });
    }
    {
        auto o = std::make_shared<ImportOptions>();
        auto* cmd = group->add_subcommand("import-qgis",
                                          "Add the plugin repositories a QGIS profile knows (its "
                                          "QGIS/QGIS3.ini)");
        cmd->add_option("PROFILE_DIR", o->profile,
                        "The profile folder, e.g. ~/.local/share/QGIS/QGIS3/profiles/default")
            ->required();
        cmd->add_flag("--dry-run", o->dry_run, "Say what would be added, write nothing");
        add_index_options(cmd, *o);
        cmd->callback([&state, o] { state.exit_code = run_import_qgis(*o); });
    }
}

} // namespace qplug::cli
