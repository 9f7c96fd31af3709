// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/env_install.hpp>
#include <qplug/solver/lifecycle.hpp>
#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/solver/source.hpp>

#include "errors.hpp"

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;

bool is_remote(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ||
           url.rfind("ftp://", 0) == 0;
}

bool changes(const PlanStep& s) {
    return s.action != PlanStep::Action::keep;
}

std::string past(PlanStep::Action a) {
    switch (a) {
    case PlanStep::Action::install:
        return "installed";
    case PlanStep::Action::upgrade:
        return "upgraded";
    case PlanStep::Action::downgrade:
        return "downgraded";
    case PlanStep::Action::remove:
        return "removed";
    case PlanStep::Action::keep:
        return "kept";
    }
    return "?";
}

InstallStep::Action install_action(PlanStep::Action a) {
    switch (a) {
    case PlanStep::Action::upgrade:
        return InstallStep::upgrade;
    case PlanStep::Action::downgrade:
        return InstallStep::downgrade;
    case PlanStep::Action::remove:
        return InstallStep::remove;
    default:
        return InstallStep::install;
    }
}

/// Everything a run changes, in the order it changes it.
class Applier {
public:
    Applier(Index& index, const Target& target, const ChangeOptions& options, ChangeReport& report)
        : index_(index), target_(target), options_(options), report_(report) {}

    Expected<void> python_packages(const std::vector<PlanStep>& steps, bool removals) {
        std::vector<std::string> items;
        std::vector<const PlanStep*> chosen;
        for (const auto& s : steps) {
            if (s.backend != Backend::pip || !changes(s) || !s.plugin_key.empty() ||
                (s.action == PlanStep::Action::remove) != removals) {
                continue; // (a plugin's wheel goes into the plugins folder: plugins())
            }
            items.push_back(removals ? s.name : s.name + "==" + s.version);
            chosen.push_back(&s);
        }
        if (items.empty()) {
            return {};
        }
        if (target_.python_executable() == "none" || target_.python() == nullptr) {
            return failure(fmt::format(
                "the plan changes Python packages ({}), but the target has no Python "
                "environment{}: give one with --python-exe",
                fmt::join(items, ", "),
                target_.python_error().empty() ? "" : " (" + target_.python_error() + ")"));
        }
        PythonEnvironment env;
        env.python = target_.python_executable();
        env.break_system_packages = options_.break_system_packages;
        for (const auto& r : index_.repositories()) {
            if (r.kind == "pip" && r.enabled) {
                env.index_urls.push_back(r.url);
            }
        }
        if (!removals && options_.plan.offline &&
            std::any_of(env.index_urls.begin(), env.index_urls.end(), is_remote)) {
            return failure("offline: pip would fetch " + fmt::format("{}", fmt::join(items, ", ")) +
                           " from an index on the network");
        }
        PipOptions pip;
        pip.dry_run = options_.dry_run;
        pip.log_file = options_.log_file;
        if (removals) {
            auto r = pip_uninstall(env, items, pip);
            QPLUG_RETURN_IF_ERROR(r);
        } else {
            auto r = pip_install(env, items, pip);
            QPLUG_RETURN_IF_ERROR(r);
        }
        for (const PlanStep* s : chosen) {
            record(*s, "", "", {});
        }
        return {};
    }

    Expected<void> conda_packages(const std::vector<PlanStep>& steps, bool removals) {
        std::vector<std::string> items;
        std::vector<const PlanStep*> chosen;
        for (const auto& s : steps) {
            if (s.backend != Backend::conda || !changes(s) || !s.plugin_key.empty() ||
                (s.action == PlanStep::Action::remove) != removals) {
                continue;
            }
            items.push_back(removals ? s.name : s.name + "==" + s.version);
            chosen.push_back(&s);
        }
        if (items.empty()) {
            return {};
        }
        if (target_.conda_prefix().empty()) {
            return failure("the plan changes conda packages: give the environment with "
                           "--conda-prefix");
        }
        CondaEnvironment env;
        env.executable = options_.conda_executable;
        env.prefix = target_.conda_prefix();
        for (const auto& r : index_.repositories()) {
            if (r.kind == "conda" && r.enabled) {
                env.channels.push_back(r.url);
            }
        }
        CondaOptions conda;
        conda.dry_run = options_.dry_run;
        conda.log_file = options_.log_file;
        auto r = removals ? conda_remove(env, items, conda) : conda_install(env, items, conda);
        QPLUG_RETURN_IF_ERROR(r);
        for (const PlanStep* s : chosen) {
            record(*s, "", "", {});
        }
        return {};
    }

    Expected<void> plugins(const std::vector<PlanStep>& steps, const ProfileLock* lock,
                           DownloadCache& downloads) {
        std::vector<InstallStep> todo;
        std::vector<std::vector<const PlanStep*>> chosen;
        for (const auto& s : steps) {
            if ((s.backend != Backend::legacy && s.plugin_key.empty()) || !changes(s)) {
                continue;
            }
            InstallStep step;
            step.action = install_action(s.action);
            step.key = s.plugin_key.empty() ? s.name : s.plugin_key;
            step.wheel = s.backend == Backend::pip;
            step.conda = s.backend == Backend::conda;
            step.version = s.version;
            step.download_url = s.download_url;
            step.file_name = s.file_name;
            step.size = s.size;
            step.hash = s.hash;
            if (step.action != InstallStep::remove) {
                if (options_.plan.offline && is_remote(s.download_url)) {
                    return failure(fmt::format("offline: {} {} would be downloaded from {}",
                                               s.display_name, s.version,
                                               redact_url(s.download_url)));
                }
                if (auto repo = index_.repository(s.repository);
                    repo && !repo->credentials.empty()) {
                    auto c = resolve_credentials(repo->credentials);
                    QPLUG_RETURN_IF_ERROR(c);
                    step.credentials = *c;
                }
            }
            // A plugin moving between backends is removed from one and installed from the
            // other under the same folder: one exchange of the folder, atomic as an upgrade.
            const auto same = std::find_if(todo.begin(), todo.end(), [&](const InstallStep& t) {
                return t.key == step.key &&
                       (t.action == InstallStep::remove) != (step.action == InstallStep::remove);
            });
            if (same != todo.end()) {
                const std::size_t at = static_cast<std::size_t>(same - todo.begin());
                if (step.action == InstallStep::remove) {
                    same->action = InstallStep::upgrade;
                } else {
                    step.action = InstallStep::upgrade;
                    *same = std::move(step);
                }
                chosen[at].push_back(&s);
                continue;
            }
            todo.push_back(std::move(step));
            chosen.push_back({&s});
        }
        if (todo.empty()) {
            return {};
        }
        InstallOptions install;
        install.dry_run = options_.dry_run;
        install.lock_wait = options_.lock_wait;
        install.downloads = &downloads;
        install.cancel = options_.cancel;
        if (options_.progress) {
            install.progress = [&](std::size_t i, std::uint64_t done, std::uint64_t total) {
                options_.progress(todo[i].key, done, total);
            };
        }
        auto applied =
            lock != nullptr
                ? apply_plugin_steps(*lock, todo, downloads.fetcher(), install)
                : apply_plugin_steps(target_.plugins_dir(), todo, downloads.fetcher(), install);
        QPLUG_RETURN_IF_ERROR(applied);
        for (const auto& n : applied->notes) {
            report_.notes.push_back(n);
        }
        for (std::size_t i = 0; i < applied->steps.size() && i < chosen.size(); ++i) {
            const StepReport& s = applied->steps[i];
            std::vector<std::string> notes = s.notes;
            for (const auto& w : s.warnings) {
                notes.push_back(fmt::format("{} {}", w.rule, w.message));
            }
            for (const PlanStep* p : chosen[i]) {
                record(*p, p->action == PlanStep::Action::remove ? "" : s.path, s.sha256, notes);
            }
        }
        return {};
    }

    const std::vector<AppliedStep>& done() const { return done_; }
    /// How many steps of the plan change something (for step progress).
    void expect(std::size_t total) { total_ = total; }

private:
    void record(const PlanStep& s, std::string path, std::string sha256,
                std::vector<std::string> notes) {
        AppliedStep a;
        a.action = s.action;
        a.backend = s.backend;
        a.name = s.name;
        a.version = s.version;
        a.path = std::move(path);
        a.sha256 = std::move(sha256);
        a.applied = !options_.dry_run;
        a.notes = std::move(notes);
        done_.push_back(std::move(a));
        report_.applied.push_back(done_.back());
        if (options_.step_done) {
            options_.step_done(done_.back(), done_.size(), total_);
        }
    }

    Index& index_;
    const Target& target_;
    const ChangeOptions& options_;
    ChangeReport& report_;
    std::vector<AppliedStep> done_;
    std::size_t total_ = 0;
};

/// The marks and environment packages after a plan: requested names become requested, what
/// the plan installs for others automatic (unless already requested), what it removes loses
/// its entries.
void update_state(TargetState& state, const PlanRun& run) {
    // A plugin moving between backends keeps its mark: the folder's old package's.
    std::map<std::string, Mark> moved_marks;
    for (const auto& s : run.resolution.plan.steps) {
        if (s.action != PlanStep::Action::remove ||
            (s.backend != Backend::legacy && s.plugin_key.empty())) {
            continue;
        }
        const auto it = state.marks.find(package_key(s.backend, s.name));
        moved_marks[s.plugin_key.empty() ? s.name : s.plugin_key] =
            it == state.marks.end() ? Mark::requested : it->second;
    }
    for (const auto& s : run.resolution.plan.steps) {
        const std::string key = package_key(s.backend, s.name);
        switch (s.action) {
        case PlanStep::Action::remove:
            state.marks.erase(key);
            state.environment_packages.erase(key);
            break;
        case PlanStep::Action::install:
            state.marks[key] = s.requested ? Mark::requested : Mark::automatic;
            if (const auto it = moved_marks.find(s.plugin_key.empty() ? s.name : s.plugin_key);
                it != moved_marks.end() && !s.requested &&
                (s.backend == Backend::legacy || !s.plugin_key.empty())) {
                state.marks[key] = it->second;
            }
            break;
        case PlanStep::Action::keep:
        case PlanStep::Action::upgrade:
        case PlanStep::Action::downgrade:
            if (s.requested) {
                state.marks[key] = Mark::requested;
            }
            break;
        }
        if (s.action != PlanStep::Action::remove && s.action != PlanStep::Action::keep &&
            s.backend != Backend::legacy && s.plugin_key.empty()) {
            state.environment_packages[key] = s.version;
        }
    }
    // Which package each plugin folder came from (removals first: a plugin moving between
    // backends is removed from one and installed from the other).
    for (const bool removals : {true, false}) {
        for (const auto& s : run.resolution.plan.steps) {
            if ((s.action == PlanStep::Action::remove) != removals ||
                s.action == PlanStep::Action::keep) {
                continue;
            }
            const std::string folder = s.plugin_key.empty() ? s.name : s.plugin_key;
            if (s.backend != Backend::legacy && s.plugin_key.empty()) {
                continue; // not a plugin
            }
            if (removals || s.backend == Backend::legacy) {
                state.plugin_packages.erase(folder);
                continue;
            }
            TargetState::PluginPackage p;
            p.package = package_key(s.backend, s.name);
            p.version = s.version;
            p.requirements = s.plugin_requirements;
            state.plugin_packages[folder] = std::move(p);
        }
    }
    // A mark of a plugin that is no longer installed (removed by hand) is dropped.
    std::set<std::string> present;
    for (const auto& r : run.installed) {
        present.insert(package_key(r.backend, r.package));
    }
    for (const auto& s : run.resolution.plan.steps) {
        present.insert(package_key(s.backend, s.name));
    }
    std::erase_if(state.marks, [&](const auto& m) { return present.count(m.first) == 0; });
}

/// QGIS enables a plugin it installs (`[PythonPlugins] key=true`); qplug does the same for
/// the plugins a plan installs, and removes the entry of those it removes.
Expected<void> update_settings(const Target& target, const PlanRun& run, ChangeReport& report) {
    const auto ini = target.settings_file();
    if (!ini) {
        return {}; // a plugins folder: QGIS Server loads every plugin found there
    }
    std::vector<std::string> enable, disable;
    // As QGIS 3.22's installer: a fresh install is enabled, an upgrade or a reinstall keeps
    // the entry as it is (a plugin the user disabled stays disabled), an uninstall removes it.
    for (const auto& s : run.resolution.plan.steps) {
        if (s.backend != Backend::legacy && s.plugin_key.empty()) {
            continue;
        }
        const std::string& folder = s.plugin_key.empty() ? s.name : s.plugin_key;
        if (s.action == PlanStep::Action::install) {
            enable.push_back(folder);
        } else if (s.action == PlanStep::Action::remove) {
            disable.push_back(folder);
        }
    }
    // A plugin moving between backends stays as the user had it (an upgrade, to QGIS).
    std::vector<std::string> moved;
    for (const auto& key : enable) {
        if (std::find(disable.begin(), disable.end(), key) != disable.end()) {
            moved.push_back(key);
        }
    }
    std::erase_if(enable, [&](const std::string& k) {
        return std::find(moved.begin(), moved.end(), k) != moved.end();
    });
    std::erase_if(disable, [&](const std::string& k) {
        return std::find(moved.begin(), moved.end(), k) != moved.end();
    });
    if (enable.empty() && disable.empty()) {
        return {};
    }
    for (const auto& [keys, change, out] :
         {std::tuple(&enable, PythonPluginChange::enable, &report.enabled),
          std::tuple(&disable, PythonPluginChange::forget, &report.disabled)}) {
        if (keys->empty()) {
            continue;
        }
        auto r = change_python_plugins(target.root(), *keys, change);
        QPLUG_RETURN_IF_ERROR(r);
        *out = *keys;
    }
    return {};
}

} // namespace

Expected<RecoveryReport> recover_target(const Target& target, std::chrono::milliseconds wait) {
    std::error_code ec;
    if (!fs::is_directory(target.plugins_dir(), ec)) {
        return RecoveryReport{};
    }
    return recover_interrupted(target.plugins_dir(), wait);
}

Expected<ChangeReport> change_target(Index& index, const Target& target,
                                     std::vector<Request> requests, const ChangeOptions& options) {
    ChangeReport report;
    report.dry_run = options.dry_run;
    auto fetcher = make_fetcher(options.plan.download);
    // A dry run reads the caches and writes none of them (nor the .solv cache, nor the
    // remembered `qgis --version`): docs/install.md.
    DownloadCache downloads(DownloadCache::default_path(), *fetcher, options.dry_run);
    PlanOptions plan_options = options.plan;
    plan_options.downloads = &downloads;
    plan_options.cancel = options.cancel;
    plan_options.policy.write_caches = !options.dry_run;
    plan_options.record_dependencies = !options.dry_run;
    std::error_code ec;
    if (!options.dry_run && !fs::is_directory(target.plugins_dir(), ec)) {
        // Nothing is installed: the folder (and its lock file) is made only for a plan that
        // installs something; a refused or empty one leaves no trace.
        auto first = make_plan(index, &target, requests, plan_options);
        QPLUG_RETURN_IF_ERROR(first);
        const auto& steps = first->resolution.plan.steps;
        if (!first->resolution.solved || !first->lock_differences.empty() ||
            std::none_of(steps.begin(), steps.end(), changes)) {
            report.plan = std::move(*first);
            return report;
        }
    }
    // The lock is held from before the installed state is read until the state is written,
    // so that two runs cannot both plan against the same state. A dry run takes none.
    std::optional<ProfileLock> lock;
    if (!options.dry_run) {
        auto acquired = ProfileLock::acquire(target.plugins_dir(), options.lock_wait);
        if (!acquired) {
            Error e = std::move(acquired).error();
            e.kind = Error::Kind::io;
            return e;
        }
        lock = std::move(*acquired);
        auto recovered = recover_interrupted(*lock);
        QPLUG_RETURN_IF_ERROR(recovered);
        report.recovery = std::move(*recovered);
    }
    auto planned = make_plan(index, &target, std::move(requests), plan_options);
    QPLUG_RETURN_IF_ERROR(planned);
    report.plan = std::move(*planned);
    if (!report.plan.resolution.solved || !report.plan.lock_differences.empty()) {
        return report;
    }
    if (options.confirm && !options.confirm(report.plan)) {
        return report;
    }
    report.confirmed = true;
    const auto& steps = report.plan.resolution.plan.steps;
    Applier apply(index, target, options, report);
    apply.expect(static_cast<std::size_t>(std::count_if(steps.begin(), steps.end(), changes)));
    // Python packages before the plugins that import them; removals the other way round.
    for (const auto& step : std::vector<std::function<Expected<void>()>>{
             [&] { return apply.conda_packages(steps, false); },
             [&] { return apply.python_packages(steps, false); },
             [&] { return apply.plugins(steps, lock ? &*lock : nullptr, downloads); },
             [&] { return apply.python_packages(steps, true); },
             [&] { return apply.conda_packages(steps, true); }}) {
        auto r = cancelled(options.cancel)
                     ? Expected<void>(cancelled_error("changing " + target.describe()))
                     : step();
        if (!r) {
            Error e = std::move(r).error();
            if (!apply.done().empty() && !options.dry_run) {
                std::vector<std::string> done;
                for (const auto& a : apply.done()) {
                    done.push_back(fmt::format("{} {} {}", past(a.action), a.name, a.version));
                }
                e.message += fmt::format(" (done before the failure: {})", fmt::join(done, ", "));
            }
            return e;
        }
    }
    if (options.dry_run) {
        return report;
    }
    auto state = target.load_state();
    QPLUG_RETURN_IF_ERROR(state);
    update_state(*state, report.plan);
    QPLUG_TRY(target.save_state(*state));
    QPLUG_TRY(update_settings(target, report.plan, report));
    QPLUG_TRY(update_lock_file(options.plan, report.plan));
    return report;
}

std::string change_json(const Target& target, const ChangeReport& report, bool with_proof) {
    using json = nlohmann::ordered_json;
    json plan = json::parse(plan_json(report.plan, with_proof));
    plan["target"] = target.describe();
    plan["dry_run"] = report.dry_run;
    json applied = json::array();
    for (const auto& a : report.applied) {
        applied.push_back({{"action", action_name(a.action)},
                           {"backend", backend_name(a.backend)},
                           {"key", a.name},
                           {"version", a.version},
                           {"path", a.path},
                           {"applied", a.applied},
                           {"sha256", a.sha256},
                           {"notes", a.notes}});
    }
    plan["applied"] = std::move(applied);
    plan["enabled"] = report.enabled;
    plan["disabled"] = report.disabled;
    return plan.dump(2, ' ', false, json::error_handler_t::replace);
}

Expected<void> set_marks(const Target& target, const std::vector<std::string>& names, Mark mark) {
    auto lock = ProfileLock::acquire(target.plugins_dir(), std::chrono::seconds(30));
    QPLUG_RETURN_IF_ERROR(lock);
    auto installed = target.installed(nullptr);
    QPLUG_RETURN_IF_ERROR(installed);
    auto state = target.load_state();
    QPLUG_RETURN_IF_ERROR(state);
    for (const auto& text : names) {
        auto request = parse_request(text, Request::Action::install);
        QPLUG_RETURN_IF_ERROR(request);
        const auto named = [&](const ReleaseRecord& r) {
            if (request->backend && *request->backend != r.backend) {
                return false;
            }
            const auto same = [](std::string_view a, std::string_view b) {
                return a.size() == b.size() &&
                       std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
                           return std::tolower(static_cast<unsigned char>(x)) ==
                                  std::tolower(static_cast<unsigned char>(y));
                       });
            };
            return same(r.package, request->name) || same(r.display_name, request->name) ||
                   (r.backend == Backend::pip && r.package == normalize_pip_name(request->name));
        };
        auto it = std::find_if(installed->begin(), installed->end(), named);
        if (it == installed->end()) {
            Error e = failure(fmt::format("'{}' is not installed in {}", text, target.describe()));
            e.kind = Error::Kind::not_found;
            return e;
        }
        if (it->release.external) {
            return failure(fmt::format("{} {} belongs to the Python environment, not to qplug: "
                                       "it has no mark",
                                       it->display_name, it->release.version));
        }
        state->marks[package_key(it->backend, it->package)] = mark;
    }
    return target.save_state(*state);
}

} // namespace qplug::solver
