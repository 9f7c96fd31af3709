// Sources feed the index: each backend is a registered type (a tag, its own settings read from
// the repository's options, a factory), so a new backend is added without touching the index
// or the commands (docs/index.md, "Sources").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

struct SyncContext {
    Fetcher* fetcher = nullptr;
    /// The QGIS version plugin repositories are asked for (X.Y[.Z]; "?qgis=X.Y").
    std::string qgis_version;
    bool force = false; ///< fetch even when the ETag / Last-Modified says nothing changed
    /// Bytes fetched (or read, for a folder of ZIPs) so far, and the total (0 when unknown).
    ProgressCallback progress;
    /// Packages written into the index so far, and how many the source has.
    ProgressCallback stored;
    /// Checked between transfer chunks, ZIPs and packages, and before the commit: when raised
    /// the sync stops with a `cancelled` error and the index stays exactly as it was.
    const Cancellation* cancel = nullptr;
};

class Source {
public:
    virtual ~Source() = default;
    /// Reads the repository and hands its packages to the sink. Fails without touching the
    /// index (the sink's transaction is rolled back) when anything cannot be read.
    virtual Expected<Index::SyncResult> sync(const SyncContext& context, SyncSink& sink) = 0;
    /// Reads one project of a repository whose sync only lists its projects (a pip index):
    /// the package (an empty one when the repository does not have it), warnings to
    /// `warnings`. Sources that read everything at sync keep this default, which fails.
    virtual Expected<Package> read_project(std::string_view name, const SyncContext& context,
                                           std::vector<std::string>& warnings);
};

struct SourceType {
    std::string tag;     ///< the repository kind: "legacy", "folder", "pip", ...
    std::string summary; ///< one line for `qplug repo add --help`
    /// The backend of its releases; none when each release says (installed plugins).
    std::optional<Backend> backend;
    /// Reads the type's settings from the repository (URL, options JSON) and makes the
    /// source; fails with a message naming the bad setting.
    std::function<Expected<std::unique_ptr<Source>>(const RepositoryConfig&)> make;
};

class SourceRegistry {
public:
    void add(SourceType type);
    const SourceType* find(std::string_view tag) const;
    const std::vector<SourceType>& types() const { return types_; }

    /// legacy, folder, pip, conda and installed.
    static const SourceRegistry& builtin();

private:
    std::vector<SourceType> types_;
};

/// Syncs one repository: its source type from the registry, one transaction in the index
/// (readers of the index are not blocked: the transaction begins once the source's contents
/// are fetched and parsed, and the index is in WAL mode).
Expected<SyncReport> sync_repository(Index& index, const SourceRegistry& registry,
                                     std::string_view name, const SyncContext& context);

/// What read_projects() read: the projects found with at least one release, and warnings.
struct ProjectsRead {
    std::vector<Package> packages;
    std::vector<std::string> warnings;
};

/// Reads the named projects of one repository (Source::read_project): how a pip index is read
/// when a resolution reaches its projects (docs/index-sources.md). A project read without any
/// release is left out (the sync's listing stands). The caller records them
/// (Index::replace_packages) or keeps them for one plan.
Expected<ProjectsRead> read_projects(const Index& index, const SourceRegistry& registry,
                                     std::string_view repository,
                                     const std::vector<std::string>& projects,
                                     const SyncContext& context);

/// The QGIS version qplug targets when none is given: $QPLUG_QGIS_VERSION, else the current
/// long-term release this qplug knows (docs/index.md).
std::string default_qgis_version();

} // namespace qplug::solver
