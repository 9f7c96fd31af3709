// The repository index: one SQLite database that knows every repository, package, release and
// dependency across backends, and what is installed (docs/index.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// Thrown by the reading functions of Index when SQLite cannot read the index: a damaged
/// page, a file that is not a database, an I/O error. A read never returns part of what the
/// index holds. The message names the file and what to do; the CLI reports it with exit 3,
/// the C ABI with QPLUG_EIO (docs/index.md, "A damaged index").
class IndexReadError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// A configured repository and the state of its last sync.
struct RepositoryConfig {
    std::int64_t id = 0;
    std::string name;
    std::string kind; ///< the source type's tag: legacy, folder, pip, conda, installed
    /// The backend of its releases; none for an installed source, whose releases each name
    /// the backend that installed them (Release::owner).
    std::optional<Backend> backend;
    std::string url;
    int priority = 0; ///< higher wins when several repositories offer a package
    bool enabled = true;
    bool is_protected = false; ///< refused by `repo remove` unless forced
    /// Where the credentials are, never the secret: "env:VARIABLE" (user:password),
    /// "netrc", or "" (none, or in the URL).
    std::string credentials;
    std::string options = "{}"; ///< the source type's own settings, a JSON object
    // state of the last sync
    std::string etag;
    std::string last_modified;
    std::string last_sync; ///< ISO 8601 UTC, "" before the first sync
    std::string last_error;
    std::int64_t revision = 0; ///< bumped by every sync that changed the contents
};

/// A package as listed by search and list.
struct PackageSummary {
    std::int64_t id = 0;
    std::string repository;
    std::string kind;
    Backend backend = Backend::legacy;
    std::string name;
    std::string display_name;
    std::string summary;
    std::size_t release_count = 0;
    std::vector<std::string> versions; ///< every version, oldest first (backend's order)
};

/// A release with where it comes from.
struct ReleaseRecord {
    std::int64_t id = 0;
    std::int64_t repository_id = 0;
    std::string repository;
    std::string kind;
    int priority = 0;
    Backend backend = Backend::legacy;
    std::string package;
    std::string display_name;
    std::string summary;
    Release release;
};

/// What one sync did.
struct SyncReport {
    std::string repository;
    bool not_modified = false;
    std::size_t packages = 0;
    std::size_t releases = 0;
    /// Of `releases`, those the index already held with the same content: kept as they were.
    std::size_t unchanged = 0;
    std::size_t dependencies = 0;
    std::vector<std::string> warnings;
};

/// Receives a source's packages inside the sync's transaction.
class SyncSink {
public:
    virtual ~SyncSink() = default;
    /// How many packages are about to be added (for progress and room): sources call it
    /// before clear(), or, when they learn it while adding (plugins.xml), as soon as they do.
    virtual void expect(std::size_t packages) { (void)packages; }
    /// Room for about this many releases: a hint from sources that can estimate it before
    /// adding (saves the sink's tables regrowing while it writes).
    virtual void reserve(std::size_t releases) { (void)releases; }
    /// Drops what the repository had: called once the new contents are known to be good.
    virtual Expected<void> clear() = 0;
    /// Adds a package and its releases. A package added again (plugins.xml adds it once per
    /// version) gets the later add's releases too, and its names and summary.
    virtual Expected<void> add(const Package& package) = 0;
    virtual void warn(std::string message) = 0;
};

class Index {
public:
    enum class Mode { read_write, read_only };

    /// Opens (creating and migrating as needed) the index at `path`. The folder is created.
    static Expected<Index> open(const std::filesystem::path& path, Mode mode = Mode::read_write);
    /// $QPLUG_INDEX, else $XDG_DATA_HOME/qplug/index.sqlite (~/.local/share/qplug/...).
    static std::filesystem::path default_path();
    /// The schema version this build writes.
    static int current_schema_version();

    Index(Index&&) noexcept;
    Index& operator=(Index&&) noexcept;
    ~Index();

    int schema_version() const;
    const std::filesystem::path& path() const;

    // --- repositories ---------------------------------------------------------------
    Expected<RepositoryConfig> add_repository(RepositoryConfig config);
    std::vector<RepositoryConfig> repositories() const;
    std::optional<RepositoryConfig> repository(std::string_view name) const;
    /// Removes a repository and everything it brought; a protected one only when forced.
    Expected<void> remove_repository(std::string_view name, bool force);
    Expected<void> set_enabled(std::string_view name, bool enabled);
    /// Records a failed sync (the contents stay as they were).
    Expected<void> record_sync_error(std::string_view name, std::string_view message);

    /// One sync as one transaction: `fill` gets a sink; when it fails, or the process dies,
    /// the repository keeps its previous contents (a failure is recorded as its last error, a
    /// cancellation is not: then nothing in the index changed). `etag`/`last_modified` are
    /// stored on success.
    struct SyncResult {
        bool not_modified = false;
        std::string etag;
        std::string last_modified;
    };
    Expected<SyncReport> sync(std::string_view repository,
                              const std::function<Expected<SyncResult>(SyncSink&)>& fill);

    /// Replaces some packages of a repository (each one's row and releases, found by name)
    /// with `packages`, in one transaction, leaving the rest of the repository as it is, and
    /// bumps its revision: a pip index's projects read when a resolution reaches them.
    Expected<SyncReport> replace_packages(std::string_view repository,
                                          const std::vector<Package>& packages);

    // --- reading (each throws IndexReadError when the index cannot be read) -------------
    /// The enabled pip repositories that list a project (by its normalized name) without
    /// having read it: no release of it is recorded there.
    std::vector<std::string> listing_unread(std::string_view pip_name) const;
    /// Packages of enabled repositories whose name, display name, summary or tags contain
    /// `text` (case-insensitive); every package when `text` is empty.
    std::vector<PackageSummary> search(std::string_view text) const;
    /// Every release of the packages named `name` (key or display name, case-insensitive)
    /// in enabled repositories, with dependencies and modules.
    std::vector<ReleaseRecord> releases_named(std::string_view name) const;
    /// Every release of the installed sources.
    std::vector<ReleaseRecord> installed() const;
    /// Every release of the enabled repositories that are not installed sources, with
    /// dependencies and modules: what the resolver loads (one pass per table).
    std::vector<ReleaseRecord> available() const;
    /// One release with its dependencies and modules, by id.
    std::optional<ReleaseRecord> release(std::int64_t id) const;
    /// Replaces a release's dependencies once they are known (a plugin ZIP was fetched, a
    /// wheel's METADATA was read), in its own transaction.
    Expected<void> set_dependencies(std::int64_t release_id,
                                    const std::vector<Dependency>& dependencies,
                                    const std::vector<std::string>& modules);

    /// Pins ("pip:numpy", "<2"): a target stays within the spec whenever it is installed.
    std::vector<std::pair<std::string, std::string>> pins() const;
    /// Adds or replaces the pin of `target`.
    Expected<void> set_pin(std::string_view target, std::string_view spec);
    /// Fails when `target` has no pin.
    Expected<void> remove_pin(std::string_view target);

    struct Impl; ///< (the database; opaque)

private:
    explicit Index(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

} // namespace qplug::solver
