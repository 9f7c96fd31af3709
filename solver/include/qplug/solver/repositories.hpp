// Configuring and syncing the repositories of an index as every front end does it (`qplug repo
// add|list|sync`, the C ABI's qplug_index_* and the Python binding's Index), with the JSON the
// CLI prints: one contract (docs/index.md, docs/capi.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/cancel.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/source.hpp>

namespace qplug::solver {

/// The repository as it would be stored, once its source type (from the registry, by
/// `config.kind`) has checked its settings (URL, options JSON): an unknown kind or a bad
/// setting fails. A local path becomes absolute, so the repository does not depend on the
/// working folder; the backend comes from the kind; empty options become "{}".
Expected<RepositoryConfig> check_repository(const SourceRegistry& registry,
                                            RepositoryConfig config);

/// Adds a repository once check_repository() accepts it: nothing is stored otherwise.
Expected<RepositoryConfig> add_repository(Index& index, const SourceRegistry& registry,
                                          RepositoryConfig config);

/// {"name", "kind", "url" (password redacted), "priority", "enabled", "protected",
/// "credentials", "options", "last_sync", "last_error", "revision", "etag"}: one repository as
/// `qplug repo add --json` prints it.
std::string repository_json(const RepositoryConfig& repository);
/// {"repositories": [...]}: `qplug repo list --json`.
std::string repositories_json(const std::vector<RepositoryConfig>& repositories);

enum class SyncPhase {
    fetch, ///< bytes fetched (or read, for a folder of ZIPs); total 0 when unknown
    store, ///< packages written into the index
};

/// One repository's sync: its report, or why it failed.
struct SyncOutcome {
    std::string repository;
    std::optional<SyncReport> report;
    std::optional<Error> error;
};

struct SyncOptions {
    /// The QGIS version plugin repositories are asked for; "" = as resolution detects it
    /// (target_qgis_version).
    std::string qgis_version;
    bool force = false; ///< fetch even when the ETag says nothing changed
    /// Called on the syncing thread: (repository, phase, done, total).
    std::function<void(std::string_view repository, SyncPhase phase, std::uint64_t done,
                       std::uint64_t total)>
        progress;
    /// Stops the sync in progress (its repository keeps its previous contents) and every one
    /// after it.
    const Cancellation* cancel = nullptr;
    /// nullptr: libcurl and the file system (make_fetcher(download)).
    Fetcher* fetcher = nullptr;
    /// The limits of every download when `fetcher` is nullptr (sizes, timeouts, stalls).
    FetchLimits download;
    /// Called as each repository's sync ends (to report it at once).
    std::function<void(const SyncOutcome& outcome)> finished;
};

/// Syncs the named repositories (none: every enabled one) in that order, each in its own
/// transaction, going on after a failure, as `qplug repo sync` does. Stops at a cancel: the
/// repository being synced then keeps its previous contents, those before it keep their new
/// ones; its outcome is the `cancelled` error and the ones after it are not attempted.
std::vector<SyncOutcome> sync_repositories(Index& index, const std::vector<std::string>& names,
                                           const SyncOptions& options);

/// {"synced": [{"repository", "not_modified", "packages", "releases", "dependencies",
/// "warnings"} or {"repository", "error"}]}: `qplug repo sync --json`.
std::string sync_json(const std::vector<SyncOutcome>& outcomes);

} // namespace qplug::solver
