// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/planner.hpp>
#include <qplug/solver/qgis_program.hpp>
#include <qplug/solver/source.hpp>

#include "errors.hpp"
#include "resolve/conda_lazy.hpp"
#include "resolve/pip_lazy.hpp"
#include "resolve/release_download.hpp"

namespace qplug::solver {

namespace {

bool is_remote(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ||
           url.rfind("ftp://", 0) == 0;
}

std::string lock_key(Backend backend, const std::string& name) {
    return std::string(backend_name(backend)) + ":" + name;
}

} // namespace

std::string target_qgis_version(const std::string& given, std::vector<std::string>* notes,
                                bool remember) {
    if (!given.empty()) {
        return given;
    }
    if (const char* env = std::getenv("QPLUG_QGIS_VERSION"); env != nullptr && *env != '\0') {
        return env;
    }
    if (auto installed = installed_qgis_version(std::chrono::seconds(10), remember)) {
        if (notes != nullptr) {
            notes->push_back(fmt::format("target QGIS {} (from `qgis --version`)", *installed));
        }
        return *installed;
    }
    const std::string fallback = default_qgis_version();
    if (notes != nullptr) {
        notes->push_back(fmt::format("target QGIS {} (the default; give --qgis X.Y.Z)", fallback));
    }
    return fallback;
}

Expected<PlanRun> make_plan(Index& index, const Target* target, std::vector<Request> requests,
                            const PlanOptions& options) {
    PlanRun run;
    Policy policy = options.policy;
    run.qgis_version = target_qgis_version(policy.qgis_version, &run.notes, policy.write_caches);
    policy.qgis_version = run.qgis_version;

    // What is installed: the target's own state, or the index's installed sources.
    if (target != nullptr) {
        auto installed = target->installed(&run.notes);
        QPLUG_RETURN_IF_ERROR(installed);
        run.installed = std::move(*installed);
        auto state = target->load_state();
        QPLUG_RETURN_IF_ERROR(state);
        for (const auto& pin : state->pins) {
            policy.pins.push_back(pin);
        }
        if (const PythonInfo* py = target->python()) {
            if (policy.python_version.empty()) {
                policy.python_version = py->version;
            }
            if (policy.platform.empty()) {
                policy.platform = py->platform;
            }
        }
    } else {
        run.installed = index.installed();
    }
    // Neither given nor detected: Policy's own defaults (resolve.hpp), the one place they are.
    if (policy.python_version.empty()) {
        policy.python_version = Policy{}.python_version;
    }
    if (policy.platform.empty()) {
        policy.platform = Policy{}.platform;
    }
    run.python_version = policy.python_version;
    run.platform = policy.platform;

    // The lock file: its requests when none are given, its versions as pins.
    std::optional<LockFile> lock;
    if (!options.lock_file.empty() && std::filesystem::exists(options.lock_file)) {
        auto read = read_lock_file(options.lock_file);
        QPLUG_RETURN_IF_ERROR(read);
        lock = std::move(*read);
        if (requests.empty()) {
            for (const auto& text : lock->requests) {
                auto parsed = parse_request(text, Request::Action::install);
                QPLUG_RETURN_IF_ERROR(parsed);
                requests.push_back(std::move(*parsed));
            }
        }
    } else if (options.locked && !options.lock_file.empty()) {
        return failure(options.lock_file + ": --locked needs an existing lock file (run qplug "
                                           "lock)");
    }

    std::unique_ptr<Fetcher> own_fetcher;
    std::unique_ptr<DownloadCache> own_cache;
    DownloadCache* downloads = options.downloads;
    // What this plan learns that it may not write into the index (record_dependencies).
    detail::LearntReleases learnt;
    std::set<std::int64_t> tried; // releases whose ZIP was read
    // pip indexes are read as resolutions reach their projects (docs/index-sources.md, "pip").
    const auto repositories = index.repositories();
    const bool reads_pip = std::any_of(repositories.begin(), repositories.end(),
                                       [](const auto& r) { return r.enabled && r.kind == "pip"; });
    std::unique_ptr<Fetcher> pip_fetcher;
    detail::PipReads pip_reads;
    // So are the packages of remote conda channels, for the plugins among them.
    const bool reads_conda =
        std::any_of(repositories.begin(), repositories.end(), [](const auto& r) {
            return r.enabled && r.backend == Backend::conda && local_path_of(r.url).empty();
        });
    std::set<std::int64_t> conda_reads;
    // The files a plan reads (ZIPs, conda packages) go where the install takes them from.
    const auto cache = [&]() -> DownloadCache& {
        if (downloads == nullptr) {
            own_fetcher = make_fetcher(options.download);
            own_cache = std::make_unique<DownloadCache>("", *own_fetcher);
            downloads = own_cache.get();
        }
        return *downloads;
    };
    const auto solve = [&](const Policy& p) -> Expected<Resolution> {
        if (learnt.empty()) {
            return resolve(index, run.installed, requests, p);
        }
        Policy with_pins = p;
        for (auto& pin : index.pins()) {
            with_pins.pins.push_back(std::move(pin));
        }
        return resolve(learnt.available(index), run.installed, requests, with_pins);
    };
    // Each round resolves and reads what that resolution showed to be unknown; a plan that
    // still learns after this many says it may be incomplete.
    constexpr int kRounds = 32;
    bool settled = false;
    for (int round = 0; round < kRounds && !settled; ++round) {
        Policy attempt = policy;
        if (lock) {
            for (const auto& p : lock->packages) {
                attempt.pins.emplace_back(lock_key(p.backend, p.name), "==" + p.version);
            }
        }
        auto resolved = solve(attempt);
        QPLUG_RETURN_IF_ERROR(resolved);
        if (!resolved->solved && lock && !options.locked) {
            // The lock no longer fits the request or the index: resolve afresh.
            run.notes.push_back("the lock file does not fit the request any more: resolved "
                                "afresh");
            resolved = solve(policy);
            QPLUG_RETURN_IF_ERROR(resolved);
        }
        run.resolution = std::move(*resolved);
        if (reads_pip) {
            // The pip projects and wheels this resolution reached but the plan does not know
            // (solved or not: a request may name a project not read yet).
            if (!pip_fetcher) {
                pip_fetcher = make_fetcher(options.download);
            }
            detail::PipReadOptions how;
            how.fetcher = pip_fetcher.get();
            how.offline = options.offline;
            how.record = options.record_dependencies;
            auto pip_learned =
                detail::read_reached_pip(index, requests, run.installed, policy, run.resolution,
                                         how, pip_reads, learnt, run.notes);
            QPLUG_RETURN_IF_ERROR(pip_learned);
            if (*pip_learned) {
                continue;
            }
        }
        if (reads_conda) {
            detail::CondaReadOptions how;
            how.offline = options.offline;
            how.cancel = options.cancel;
            if (!options.offline) {
                how.downloads = &cache();
            }
            auto conda_learned =
                detail::read_reached_conda(index, requests, run.installed, run.resolution, how,
                                           conda_reads, learnt, run.notes);
            QPLUG_RETURN_IF_ERROR(conda_learned);
            if (*conda_learned) {
                continue;
            }
        }
        if (!run.resolution.solved) {
            settled = true;
            break;
        }
        // plugins.xml does not give plugin_dependencies: read them from the ZIPs the plan
        // installs, and resolve again until nothing new is read.
        bool learned = false;
        for (const auto& step : run.resolution.plan.steps) {
            if (step.backend != Backend::legacy || step.release_id <= 0 ||
                !tried.insert(step.release_id).second) {
                continue;
            }
            const auto record = index.release(step.release_id);
            if (!record || record->release.dependencies_known) {
                continue;
            }
            const ReleaseRecord& rec = *record;
            if (options.offline && is_remote(rec.release.download_url)) {
                run.notes.push_back(fmt::format(
                    "{} {}: its plugin_dependencies are unknown (offline: the ZIP was not "
                    "fetched)",
                    rec.display_name, rec.release.version));
                continue;
            }
            auto file = detail::download_release(index, rec, cache(), options.cancel);
            QPLUG_RETURN_IF_ERROR(file);
            std::vector<std::string> warnings;
            auto deps = plugin_dependencies_from_zip(
                file->path, redact_url(rec.release.download_url), &warnings);
            QPLUG_RETURN_IF_ERROR(deps);
            for (auto& w : warnings) {
                run.notes.push_back(
                    fmt::format("{} {}: {}", rec.display_name, rec.release.version, w));
            }
            if (options.record_dependencies) {
                QPLUG_TRY(index.set_dependencies(rec.id, *deps, rec.release.modules));
            } else {
                learnt.set_dependencies(rec.id, std::move(*deps));
            }
            learned = true;
        }
        settled = !learned;
    }
    if (!settled) {
        run.resolution.plan.warnings.push_back(fmt::format(
            "still reading dependencies after {} resolutions: this plan may miss some", kRounds));
    }
    if (run.resolution.solved) {
        // The plan's warnings about unknown dependencies are answered by now.
        auto& warnings = run.resolution.plan.warnings;
        warnings.erase(std::remove_if(warnings.begin(), warnings.end(),
                                      [](const std::string& w) {
                                          return w.find("are read from its ZIP") !=
                                                 std::string::npos;
                                      }),
                       warnings.end());
    }
    if (lock && options.locked) {
        if (!run.resolution.solved) {
            run.lock_differences.push_back("the locked versions do not resolve");
        } else {
            std::set<std::string> locked;
            for (const auto& p : lock->packages) {
                locked.insert(lock_key(p.backend, p.name) + " " + p.version);
            }
            std::set<std::string> resulting;
            for (const auto& p : resulting_packages(run.resolution)) {
                resulting.insert(lock_key(p.backend, p.name) + " " + p.version);
            }
            for (const auto& l : locked) {
                if (resulting.count(l) == 0) {
                    run.lock_differences.push_back("locked but not in the result: " + l);
                }
            }
            for (const auto& r : resulting) {
                if (locked.count(r) == 0) {
                    run.lock_differences.push_back("in the result but not locked: " + r);
                }
            }
        }
    }
    for (const auto& r : requests) {
        run.requests.push_back(r.text);
    }
    return run;
}

Expected<void> update_lock_file(const PlanOptions& options, const PlanRun& run) {
    if (options.lock_file.empty() || options.locked || !run.resolution.solved) {
        return {};
    }
    LockFile lock;
    lock.qgis = run.qgis_version;
    lock.python = run.python_version;
    lock.platform = run.platform;
    lock.requests = run.requests;
    lock.packages = resulting_packages(run.resolution);
    return write_lock_file(options.lock_file, lock);
}

std::string plan_json(const PlanRun& run, bool with_proof) {
    auto j = nlohmann::ordered_json::parse(resolution_json(run.resolution, with_proof));
    j["qgis"] = run.qgis_version;
    j["python"] = run.python_version;
    j["platform"] = run.platform;
    return j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace qplug::solver
