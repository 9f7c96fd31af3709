// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>
#include <memory>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/planner.hpp>
#include <qplug/solver/repositories.hpp>
#include <qplug/solver/source_kinds.hpp>

#include "errors.hpp"

namespace qplug::solver {

namespace {

using json = nlohmann::ordered_json;

json repository_object(const RepositoryConfig& r) {
    return {{"name", r.name},
            {"kind", r.kind},
            {"url", redact_url(r.url)},
            {"priority", r.priority},
            {"enabled", r.enabled},
            {"protected", r.is_protected},
            {"credentials", r.credentials},
            {"options", json::parse(r.options, nullptr, false)},
            {"last_sync", r.last_sync},
            {"last_error", r.last_error},
            {"revision", r.revision},
            {"etag", r.etag}};
}

std::string dump(const json& j) {
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

} // namespace

Expected<RepositoryConfig> check_repository(const SourceRegistry& registry,
                                            RepositoryConfig config) {
    std::optional<SourceType> external;
    auto found = find_source_type(registry, config.kind, external);
    if (!found) {
        std::string known;
        for (const auto& t : registry.types()) {
            known += (known.empty() ? "" : ", ") + t.tag;
        }
        Error e = failure(fmt::format("unknown kind '{}' (known: {}; {})", config.kind, known,
                                      found.error().to_string()));
        e.kind = found.error().kind == Error::Kind::not_found ? Error::Kind::not_found
                                                              : found.error().kind;
        return e;
    }
    const SourceType* type = *found;
    config.backend = type->backend;
    if (const std::string path = local_path_of(config.url); !path.empty()) {
        std::error_code ec;
        config.url = std::filesystem::absolute(path, ec).string(); // independent of the cwd
    }
    if (config.options.empty()) {
        config.options = "{}";
    }
    QPLUG_TRY(type->make(config));
    return config;
}

Expected<RepositoryConfig> add_repository(Index& index, const SourceRegistry& registry,
                                          RepositoryConfig config) {
    auto checked = check_repository(registry, std::move(config));
    QPLUG_RETURN_IF_ERROR(checked);
    return index.add_repository(std::move(*checked));
}

std::string repository_json(const RepositoryConfig& repository) {
    return dump(repository_object(repository));
}

std::string repositories_json(const std::vector<RepositoryConfig>& repositories) {
    json list = json::array();
    for (const auto& r : repositories) {
        list.push_back(repository_object(r));
    }
    return dump(json{{"repositories", std::move(list)}});
}

std::vector<SyncOutcome> sync_repositories(Index& index, const std::vector<std::string>& names,
                                           const SyncOptions& options) {
    std::vector<std::string> targets = names;
    if (targets.empty()) {
        for (const auto& r : index.repositories()) {
            if (r.enabled) {
                targets.push_back(r.name);
            }
        }
    }
    std::unique_ptr<Fetcher> own_fetcher;
    Fetcher* fetcher = options.fetcher;
    if (fetcher == nullptr) {
        own_fetcher = make_fetcher(options.download);
        fetcher = own_fetcher.get();
    }
    // The QGIS resolution will plan for: servers give what suits it (?qgis=X.Y).
    const std::string qgis = target_qgis_version(options.qgis_version, nullptr);
    std::vector<SyncOutcome> outcomes;
    for (const auto& name : targets) {
        SyncOutcome outcome;
        outcome.repository = name;
        if (cancelled(options.cancel)) {
            break;
        }
        SyncContext context;
        context.fetcher = fetcher;
        context.qgis_version = qgis;
        context.force = options.force;
        context.cancel = options.cancel;
        if (options.progress) {
            context.progress = [&](std::uint64_t done, std::uint64_t total) {
                options.progress(name, SyncPhase::fetch, done, total);
            };
            context.stored = [&](std::uint64_t done, std::uint64_t total) {
                options.progress(name, SyncPhase::store, done, total);
            };
        }
        auto report = sync_repository(index, SourceRegistry::builtin(), name, context);
        if (report) {
            outcome.report = std::move(*report);
        } else {
            outcome.error = std::move(report).error();
        }
        const bool stop = outcome.error && outcome.error->kind == Error::Kind::cancelled;
        if (options.finished) {
            options.finished(outcome);
        }
        outcomes.push_back(std::move(outcome));
        if (stop) {
            break;
        }
    }
    return outcomes;
}

std::string sync_json(const std::vector<SyncOutcome>& outcomes) {
    json reports = json::array();
    for (const auto& o : outcomes) {
        if (o.error) {
            reports.push_back({{"repository", o.repository}, {"error", o.error->to_string()}});
            continue;
        }
        const SyncReport& r = *o.report;
        reports.push_back({{"repository", o.repository},
                           {"not_modified", r.not_modified},
                           {"packages", r.packages},
                           {"releases", r.releases},
                           {"unchanged", r.unchanged},
                           {"dependencies", r.dependencies},
                           {"warnings", r.warnings}});
    }
    return dump(json{{"synced", std::move(reports)}});
}

} // namespace qplug::solver
