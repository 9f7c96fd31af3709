// SPDX-License-Identifier: GPL-2.0-or-later
#include "resolution_run.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/fetch.hpp>

namespace qplug::cli {

namespace {

bool is_remote(const std::string& url) {
    return url.rfind("http://", 0) == 0 || url.rfind("https://", 0) == 0 ||
           url.rfind("ftp://", 0) == 0;
}

std::string lock_key(solver::Backend backend, const std::string& name) {
    return std::string(solver::backend_name(backend)) + ":" + name;
}

} // namespace

Expected<ResolutionRun> run_resolution(solver::Index& index, ResolveOptions& options,
                                       std::vector<solver::Request> requests) {
    ResolutionRun run;
    run.qgis_version = detect_qgis_version(options.qgis, &run.notes);
    solver::Policy policy = options.policy();
    policy.qgis_version = run.qgis_version;

    // The lock file: its requests when none are given, its versions as pins.
    std::optional<LockFile> lock;
    if (!options.lock_file.empty() && std::filesystem::exists(options.lock_file)) {
        auto read = read_lock_file(options.lock_file);
        if (!read) {
            return std::move(read).error();
        }
        lock = std::move(*read);
        if (requests.empty()) {
            auto parsed = parse_requests(lock->requests, solver::Request::Action::install);
            if (!parsed) {
                return std::move(parsed).error();
            }
            requests = std::move(*parsed);
        }
    } else if (options.is_locked() && !options.lock_file.empty()) {
        Error e;
        e.kind = Error::Kind::invalid;
        e.message = options.lock_file + ": --locked needs an existing lock file (run qplug lock)";
        return e;
    }

    std::unique_ptr<solver::Fetcher> fetcher;
    std::set<std::int64_t> tried; // releases whose ZIP was read in this run
    for (int round = 0; round < 8; ++round) {
        solver::Policy attempt = policy;
        if (lock) {
            for (const auto& p : lock->packages) {
                attempt.pins.emplace_back(lock_key(p.backend, p.name), "==" + p.version);
            }
        }
        auto resolved = solver::resolve(index, requests, attempt);
        if (!resolved) {
            return std::move(resolved).error();
        }
        if (!resolved->solved && lock && !options.is_locked()) {
            // The lock no longer fits the request or the index: resolve afresh.
            run.notes.push_back("the lock file does not fit the request any more: resolved "
                                "afresh");
            resolved = solver::resolve(index, requests, policy);
            if (!resolved) {
                return std::move(resolved).error();
            }
        }
        run.resolution = std::move(*resolved);
        if (!run.resolution.solved) {
            break;
        }
        // plugins.xml does not give plugin_dependencies: read them from the ZIPs the plan
        // installs, record them in the index, and resolve again until nothing new is read.
        const std::vector<solver::ReleaseRecord> available = index.available();
        std::map<std::int64_t, const solver::ReleaseRecord*> by_id;
        for (const auto& r : available) {
            by_id[r.id] = &r;
        }
        bool learned = false;
        for (const auto& step : run.resolution.plan.steps) {
            auto it = by_id.find(step.release_id);
            if (step.backend != solver::Backend::legacy || it == by_id.end() ||
                it->second->release.dependencies_known || !tried.insert(step.release_id).second) {
                continue;
            }
            const solver::ReleaseRecord& rec = *it->second;
            if (options.is_offline() && is_remote(rec.release.download_url)) {
                run.notes.push_back(fmt::format(
                    "{} {}: its plugin_dependencies are unknown (offline: the ZIP was not "
                    "fetched)",
                    rec.display_name, rec.release.version));
                continue;
            }
            if (!fetcher) {
                fetcher = solver::make_fetcher(options.download);
            }
            std::string credentials;
            if (auto repo = index.repository(rec.repository); repo && !repo->credentials.empty()) {
                auto c = solver::resolve_credentials(repo->credentials);
                if (!c) {
                    return std::move(c).error();
                }
                credentials = *c;
            }
            std::vector<std::string> warnings;
            auto deps = solver::fetch_plugin_dependencies(rec, *fetcher, credentials, &warnings);
            if (!deps) {
                return std::move(deps).error();
            }
            for (auto& w : warnings) {
                run.notes.push_back(
                    fmt::format("{} {}: {}", rec.display_name, rec.release.version, w));
            }
            if (auto r = index.set_dependencies(rec.id, *deps, rec.release.modules); !r) {
                return std::move(r).error();
            }
            learned = true;
        }
        if (!learned) {
            break;
        }
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
    if (lock && options.is_locked() && run.resolution.solved) {
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
    if (lock && options.is_locked() && !run.resolution.solved) {
        run.lock_differences.push_back("the locked versions do not resolve");
    }
    for (const auto& r : requests) {
        run.requests.push_back(r.text);
    }
    return run;
}

Expected<void> update_lock_file(const ResolveOptions& options, const ResolutionRun& run) {
    if (options.lock_file.empty() || options.is_locked() || !run.resolution.solved) {
        return {};
    }
    LockFile lock;
    lock.qgis = run.qgis_version;
    lock.python = options.python;
    lock.platform = options.platform;
    lock.requests = run.requests;
    lock.packages = resulting_packages(run.resolution);
    return write_lock_file(options.lock_file, lock);
}

} // namespace qplug::cli
