// The index part of the C ABI: opening an index, its repositories, syncs with progress and
// cancellation, and the queries of a plugin manager; each result also as the CLI's JSON,
// made by the same library functions the CLI prints (solver/repositories.hpp, queries.hpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/installed_list.hpp>
#include <qplug/solver/planner.hpp>
#include <qplug/solver/queries.hpp>
#include <qplug/solver/repositories.hpp>

#include "error.hpp"
#include "handles.hpp"
#include "strings.hpp"

struct qplug_repositories {
    std::vector<qplug::solver::RepositoryConfig> list;
    std::vector<std::string> urls; ///< redacted
};

struct qplug_sync {
    std::vector<qplug::solver::SyncOutcome> outcomes;
    std::vector<std::string> errors; ///< "" when the repository synced
};

/// One entry of a package list, whatever the query.
struct PackageEntry {
    std::string name;
    std::string display_name;
    std::string version;
    std::string backend;
    std::string repository;
    std::string summary;
    int enabled = -1;
};

struct qplug_packages {
    std::vector<PackageEntry> entries;
    std::string json; ///< as the CLI prints the query
};

namespace {

using namespace qplug;
using capi::guarded;
using capi::null_argument;
using capi::set_error;

template <class Handle, class Get>
const char* string_at(const Handle* h, size_t i, Get&& get) noexcept {
    capi::clear_error();
    try {
        return h != nullptr && i < get(h).size() ? get(h)[i].c_str() : nullptr;
    } catch (...) {
        return nullptr;
    }
}

std::vector<std::string> names_of(const char* const* names, size_t count) {
    std::vector<std::string> out;
    for (size_t i = 0; i < count; ++i) {
        out.emplace_back(names[i]);
    }
    return out;
}

/// Every name non-NULL (names may be NULL only with count 0).
int check_names(const char* const* names, size_t count) {
    if (names == nullptr && count > 0) {
        return null_argument("names");
    }
    for (size_t i = 0; i < count; ++i) {
        if (names[i] == nullptr) {
            return set_error(QPLUG_EINVALID, "name " + std::to_string(i) + " is NULL");
        }
    }
    return QPLUG_OK;
}

int read_only(const qplug_index* index, const char* doing) {
    return set_error(QPLUG_EINVALID, fmt::format("the index {} was opened read-only: it cannot {}",
                                                 index->path, doing));
}

} // namespace

// ---- the index --------------------------------------------------------------------------

QPLUG_API int qplug_index_open(qplug_index** out, const char* path, int mode) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr) {
            return null_argument("out");
        }
        if (mode != QPLUG_INDEX_READ_WRITE && mode != QPLUG_INDEX_READ_ONLY) {
            return set_error(QPLUG_EINVALID, "unknown index mode " + std::to_string(mode));
        }
        const std::filesystem::path where = path != nullptr && *path != '\0'
                                                ? std::filesystem::path(path)
                                                : solver::Index::default_path();
        const bool ro = mode == QPLUG_INDEX_READ_ONLY;
        auto index = solver::Index::open(where, ro ? solver::Index::Mode::read_only
                                                   : solver::Index::Mode::read_write);
        if (!index) {
            return set_error(index.error());
        }
        *out = new qplug_index(std::move(*index), ro);
        return QPLUG_OK;
    });
}

QPLUG_API const char* qplug_index_path(const qplug_index* index) {
    capi::clear_error();
    return index == nullptr ? nullptr : index->path.c_str();
}

QPLUG_API void qplug_index_close(qplug_index* index) {
    capi::clear_error();
    delete index;
}

// ---- repositories -----------------------------------------------------------------------

QPLUG_API int qplug_repository_options_init(qplug_repository_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_REPOSITORY_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_repository_options", version);
        }
        *options = qplug_repository_options QPLUG_REPOSITORY_OPTIONS_INIT;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_add_repository(char** out, qplug_index* index, const char* name,
                                         const char* url, const char* kind,
                                         const qplug_repository_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (index == nullptr || name == nullptr || url == nullptr) {
            return null_argument(index == nullptr ? "index" : name == nullptr ? "name" : "url");
        }
        const qplug_repository_options o =
            options != nullptr ? *options : qplug_repository_options QPLUG_REPOSITORY_OPTIONS_INIT;
        if (o.version != QPLUG_REPOSITORY_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_repository_options", o.version);
        }
        if (index->read_only) {
            return read_only(index, "add a repository");
        }
        solver::RepositoryConfig config;
        config.name = name;
        config.url = url;
        config.kind = capi::text_or(kind, "legacy");
        config.priority = o.priority;
        config.enabled = o.disabled == 0;
        config.is_protected = o.is_protected != 0;
        config.credentials = capi::text_or(o.credentials, "");
        config.options = capi::text_or(o.options_json, "{}");
        std::lock_guard<std::mutex> lock(index->mutex);
        auto added =
            solver::add_repository(index->index, solver::SourceRegistry::builtin(), config);
        if (!added) {
            return set_error(added.error());
        }
        if (out != nullptr) {
            *out = capi::copy_out(solver::repository_json(*added));
        }
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_remove_repository(qplug_index* index, const char* name, int force) {
    return guarded([&] {
        if (index == nullptr || name == nullptr) {
            return null_argument(index == nullptr ? "index" : "name");
        }
        if (index->read_only) {
            return read_only(index, "remove a repository");
        }
        std::lock_guard<std::mutex> lock(index->mutex);
        if (auto r = index->index.remove_repository(name, force != 0); !r) {
            return set_error(r.error());
        }
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_enable_repository(qplug_index* index, const char* name, int enabled) {
    return guarded([&] {
        if (index == nullptr || name == nullptr) {
            return null_argument(index == nullptr ? "index" : "name");
        }
        if (index->read_only) {
            return read_only(index, enabled != 0 ? "enable a repository" : "disable a repository");
        }
        std::lock_guard<std::mutex> lock(index->mutex);
        if (auto r = index->index.set_enabled(name, enabled != 0); !r) {
            return set_error(r.error());
        }
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_repositories(qplug_repositories** out, qplug_index* index) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr) {
            return null_argument(out == nullptr ? "out" : "index");
        }
        auto handle = std::make_unique<qplug_repositories>();
        {
            std::lock_guard<std::mutex> lock(index->mutex);
            handle->list = index->index.repositories();
        }
        for (const auto& r : handle->list) {
            handle->urls.push_back(solver::redact_url(r.url));
        }
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API size_t qplug_repositories_count(const qplug_repositories* r) {
    capi::clear_error();
    return r == nullptr ? 0 : r->list.size();
}

#define QPLUG_REPOSITORY_STRING(function, member)                                                  \
    QPLUG_API const char* function(const qplug_repositories* r, size_t i) {                        \
        capi::clear_error();                                                                       \
        return r != nullptr && i < r->list.size() ? r->list[i].member.c_str() : nullptr;           \
    }

QPLUG_REPOSITORY_STRING(qplug_repositories_name, name)
QPLUG_REPOSITORY_STRING(qplug_repositories_kind, kind)
QPLUG_REPOSITORY_STRING(qplug_repositories_last_sync, last_sync)
QPLUG_REPOSITORY_STRING(qplug_repositories_last_error, last_error)

#undef QPLUG_REPOSITORY_STRING

QPLUG_API const char* qplug_repositories_url(const qplug_repositories* r, size_t i) {
    return string_at(
        r, i, [](const qplug_repositories* h) -> const auto& { return h->urls; });
}

QPLUG_API int qplug_repositories_enabled(const qplug_repositories* r, size_t i) {
    capi::clear_error();
    return r != nullptr && i < r->list.size() && r->list[i].enabled ? 1 : 0;
}

QPLUG_API int qplug_repositories_to_json(char** out, const qplug_repositories* r) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || r == nullptr) {
            return null_argument(out == nullptr ? "out" : "repositories");
        }
        *out = capi::copy_out(solver::repositories_json(r->list));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_repositories_free(qplug_repositories* r) {
    capi::clear_error();
    delete r;
}

// ---- sync -------------------------------------------------------------------------------

QPLUG_API int qplug_sync_options_init(qplug_sync_options* options, unsigned version) {
    return guarded([&] {
        if (options == nullptr) {
            return null_argument("options");
        }
        if (version != QPLUG_SYNC_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_sync_options", version);
        }
        *options = qplug_sync_options QPLUG_SYNC_OPTIONS_INIT;
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_sync(qplug_sync** out, qplug_index* index, const char* const* names,
                               size_t count, const qplug_sync_options* options) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr) {
            return null_argument(out == nullptr ? "out" : "index");
        }
        if (const int rc = check_names(names, count); rc != QPLUG_OK) {
            return rc;
        }
        const qplug_sync_options o =
            options != nullptr ? *options : qplug_sync_options QPLUG_SYNC_OPTIONS_INIT;
        if (o.version != QPLUG_SYNC_OPTIONS_VERSION) {
            return capi::bad_options_version("qplug_sync_options", o.version);
        }
        if (index->read_only) {
            return read_only(index, "sync");
        }
        // A connection of its own: the handle's readers go on while the sync runs.
        auto connection = solver::Index::open(index->path, solver::Index::Mode::read_write);
        if (!connection) {
            return set_error(connection.error());
        }
        capi::ProgressBridge bridge(o.progress, o.user_data);
        solver::SyncOptions sync;
        sync.qgis_version = capi::text_or(o.qgis_version, "");
        sync.force = o.force != 0;
        sync.cancel = bridge.cancellation();
        sync.progress = [&](std::string_view repository, solver::SyncPhase phase,
                            std::uint64_t done, std::uint64_t total) {
            bridge.report(phase == solver::SyncPhase::fetch ? QPLUG_PHASE_FETCH : QPLUG_PHASE_STORE,
                          repository, done, total);
        };
        auto outcomes = solver::sync_repositories(*connection, names_of(names, count), sync);
        if (!outcomes.empty() && outcomes.back().error &&
            outcomes.back().error->kind == Error::Kind::cancelled) {
            std::vector<std::string> synced;
            for (const auto& outcome : outcomes) {
                if (outcome.report) {
                    synced.push_back(outcome.repository);
                }
            }
            return set_error(QPLUG_ECANCELED,
                             fmt::format("sync of '{}' cancelled: it keeps its previous contents{}",
                                         outcomes.back().repository,
                                         synced.empty() ? ""
                                                        : fmt::format(" (synced before it: {})",
                                                                      fmt::join(synced, ", "))));
        }
        auto handle = std::make_unique<qplug_sync>();
        for (const auto& outcome : outcomes) {
            handle->errors.push_back(outcome.error ? outcome.error->to_string() : "");
        }
        handle->outcomes = std::move(outcomes);
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API size_t qplug_sync_count(const qplug_sync* s) {
    capi::clear_error();
    return s == nullptr ? 0 : s->outcomes.size();
}

QPLUG_API const char* qplug_sync_repository(const qplug_sync* s, size_t i) {
    capi::clear_error();
    return s != nullptr && i < s->outcomes.size() ? s->outcomes[i].repository.c_str() : nullptr;
}

QPLUG_API const char* qplug_sync_error(const qplug_sync* s, size_t i) {
    capi::clear_error();
    return s != nullptr && i < s->outcomes.size() && s->outcomes[i].error ? s->errors[i].c_str()
                                                                          : nullptr;
}

namespace {

const solver::SyncReport* sync_report(const qplug_sync* s, size_t i) {
    capi::clear_error();
    return s != nullptr && i < s->outcomes.size() && s->outcomes[i].report ? &*s->outcomes[i].report
                                                                           : nullptr;
}

} // namespace

QPLUG_API int qplug_sync_not_modified(const qplug_sync* s, size_t i) {
    const auto* r = sync_report(s, i);
    return r != nullptr && r->not_modified ? 1 : 0;
}

QPLUG_API size_t qplug_sync_packages(const qplug_sync* s, size_t i) {
    const auto* r = sync_report(s, i);
    return r == nullptr ? 0 : r->packages;
}

QPLUG_API size_t qplug_sync_releases(const qplug_sync* s, size_t i) {
    const auto* r = sync_report(s, i);
    return r == nullptr ? 0 : r->releases;
}

QPLUG_API int qplug_sync_to_json(char** out, const qplug_sync* s) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || s == nullptr) {
            return null_argument(out == nullptr ? "out" : "sync");
        }
        *out = capi::copy_out(solver::sync_json(s->outcomes));
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_sync_free(qplug_sync* s) {
    capi::clear_error();
    delete s;
}

// ---- queries ----------------------------------------------------------------------------

QPLUG_API int qplug_index_search(qplug_packages** out, qplug_index* index, const char* text) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr || text == nullptr) {
            return null_argument(out == nullptr ? "out" : index == nullptr ? "index" : "text");
        }
        std::vector<solver::PackageSummary> found;
        {
            std::lock_guard<std::mutex> lock(index->mutex);
            found = index->index.search(text);
        }
        auto handle = std::make_unique<qplug_packages>();
        for (const auto& p : found) {
            handle->entries.push_back(
                {p.name, p.display_name, p.versions.empty() ? "" : p.versions.back(),
                 std::string(solver::backend_name(p.backend)), p.repository, p.summary});
        }
        handle->json = solver::search_json(text, found);
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_available(qplug_packages** out, qplug_index* index,
                                    const char* qgis_version) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr) {
            return null_argument(out == nullptr ? "out" : "index");
        }
        const std::string qgis =
            solver::target_qgis_version(capi::text_or(qgis_version, ""), nullptr);
        std::vector<solver::AvailablePackage> list;
        {
            std::lock_guard<std::mutex> lock(index->mutex);
            list = solver::list_available(index->index, {qgis, false}, false);
        }
        auto handle = std::make_unique<qplug_packages>();
        for (const auto& a : list) {
            const auto& p = a.package;
            handle->entries.push_back({p.name, p.display_name, a.latest(),
                                       std::string(solver::backend_name(p.backend)), p.repository,
                                       p.summary});
        }
        handle->json = solver::available_json(qgis, list, false);
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_index_info(char** out, qplug_index* index, const char* name,
                               const char* qgis_version) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || index == nullptr || name == nullptr) {
            return null_argument(out == nullptr ? "out" : index == nullptr ? "index" : "name");
        }
        const std::string qgis =
            solver::target_qgis_version(capi::text_or(qgis_version, ""), nullptr);
        std::vector<solver::PackageInfo> packages;
        {
            std::lock_guard<std::mutex> lock(index->mutex);
            packages = solver::package_info(index->index, name, {qgis, false});
        }
        if (packages.empty()) {
            return set_error(QPLUG_ENOTFOUND,
                             fmt::format("no package named '{}' in the index", name));
        }
        *out = capi::copy_out(solver::info_json(name, qgis, packages));
        return QPLUG_OK;
    });
}

QPLUG_API int qplug_target_installed(qplug_packages** out, qplug_target* target,
                                     const char* qgis_version, int environment) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || target == nullptr) {
            return null_argument(out == nullptr ? "out" : "target");
        }
        const std::string qgis =
            solver::target_qgis_version(capi::text_or(qgis_version, ""), nullptr);
        std::lock_guard<std::mutex> lock(target->mutex);
        auto installed = solver::list_installed(target->target, qgis, environment != 0, nullptr);
        if (!installed) {
            return set_error(installed.error());
        }
        auto handle = std::make_unique<qplug_packages>();
        for (const auto& p : *installed) {
            handle->entries.push_back({p.name, p.display_name, p.version,
                                       std::string(solver::backend_name(p.backend)), "", "",
                                       p.enabled ? (*p.enabled ? 1 : 0) : -1});
        }
        handle->json = solver::installed_json(target->target, qgis, *installed);
        *out = handle.release();
        return QPLUG_OK;
    });
}

QPLUG_API size_t qplug_packages_count(const qplug_packages* p) {
    capi::clear_error();
    return p == nullptr ? 0 : p->entries.size();
}

#define QPLUG_PACKAGE_STRING(function, member)                                                     \
    QPLUG_API const char* function(const qplug_packages* p, size_t i) {                            \
        capi::clear_error();                                                                       \
        return p != nullptr && i < p->entries.size() ? p->entries[i].member.c_str() : nullptr;     \
    }

QPLUG_PACKAGE_STRING(qplug_packages_name, name)
QPLUG_PACKAGE_STRING(qplug_packages_display_name, display_name)
QPLUG_PACKAGE_STRING(qplug_packages_version, version)
QPLUG_PACKAGE_STRING(qplug_packages_backend, backend)
QPLUG_PACKAGE_STRING(qplug_packages_repository, repository)
QPLUG_PACKAGE_STRING(qplug_packages_summary, summary)

#undef QPLUG_PACKAGE_STRING

QPLUG_API int qplug_packages_enabled(const qplug_packages* p, size_t i) {
    capi::clear_error();
    return p != nullptr && i < p->entries.size() ? p->entries[i].enabled : -1;
}

QPLUG_API int qplug_packages_to_json(char** out, const qplug_packages* p) {
    if (out != nullptr) {
        *out = nullptr;
    }
    return guarded([&] {
        if (out == nullptr || p == nullptr) {
            return null_argument(out == nullptr ? "out" : "packages");
        }
        *out = capi::copy_out(p->json);
        return QPLUG_OK;
    });
}

QPLUG_API void qplug_packages_free(qplug_packages* p) {
    capi::clear_error();
    delete p;
}
