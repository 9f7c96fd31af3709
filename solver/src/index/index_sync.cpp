// Writing the index: a sync as one transaction, and dependencies learnt later.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <memory_resource>
#include <optional>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "errors.hpp"
#include "index/dependency_json.hpp"
#include "index/index_impl.hpp"
#include "index/release_hash.hpp"
#include "index/shared_metadata.hpp"
#include "io/system_text.hpp"

namespace qplug::solver {

Expected<void> Index::Impl::clear_repository(std::int64_t repository_id) {
    // Releases (and with them their dependencies and modules, columns of theirs), then
    // packages.
    for (const char* sql : {"DELETE FROM releases WHERE package_id IN (SELECT id FROM packages "
                            "WHERE repository_id = ?)",
                            "DELETE FROM packages WHERE repository_id = ?"}) {
        auto st = db.prepare(sql);
        QPLUG_RETURN_IF_ERROR(st);
        st->bind(1, repository_id);
        if (auto r = st->run(db, "clearing the repository"); !r) {
            return r;
        }
    }
    return {};
}

Expected<SyncStatements*> Index::Impl::sync_statements() {
    if (sync_statements_) {
        return &*sync_statements_;
    }
    SyncStatements s;
    const std::pair<sql::Statement*, const char*> sqls[] = {
        {&s.insert_package, "INSERT INTO packages (repository_id, name, display_name, summary, "
                            "keywords, metadata) VALUES (?, ?, ?, ?, ?, ?)"},
        {&s.update_package, "UPDATE packages SET display_name = ?, summary = ?, keywords = ?, "
                            "metadata = ? WHERE id = ?"},
        {&s.insert_release,
         "INSERT INTO releases (repository_id, package_id, version, channel, deprecated, "
         "trusted, qgis_minimum, qgis_maximum, requires_python, download_url, file_name, size, "
         "hash, build, build_number, subdir, update_date, metadata, dependencies_known, path, "
         "owner, dependencies_json, content_hash, metadata_shared, modules_json) VALUES (?, ?, "
         "?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"},
        {&s.delete_release, "DELETE FROM releases WHERE id = ?"},
        {&s.delete_package, "DELETE FROM packages WHERE id = ?"},
        {&s.previous_packages, "SELECT id, name, display_name, summary, keywords, metadata "
                               "FROM packages WHERE repository_id = ?"},
        {&s.previous_releases,
         "SELECT r.id, r.package_id, r.version, r.channel, r.build, r.subdir, r.path, "
         "r.content_hash FROM packages p JOIN releases r ON r.package_id = p.id "
         "WHERE p.repository_id = ?"},
    };
    for (const auto& [statement, sql] : sqls) {
        auto prepared = db.prepare(sql);
        QPLUG_RETURN_IF_ERROR(prepared);
        *statement = std::move(*prepared);
    }
    sync_statements_.emplace(std::move(s));
    return &*sync_statements_;
}

namespace {

/// "package id, version, channel, build, subdir, path": what makes two releases of a
/// repository the same release.
void write_release_identity(std::string& identity, std::int64_t package_id,
                            std::string_view version, std::string_view channel,
                            std::string_view build, std::string_view subdir,
                            std::string_view path) {
    identity.clear();
    fmt::format_to(std::back_inserter(identity), "{}", package_id);
    for (const std::string_view part : {version, channel, build, subdir, path}) {
        identity += '\x1f';
        identity += part;
    }
}

std::string release_identity(std::int64_t package_id, std::string_view version,
                             std::string_view channel, std::string_view build,
                             std::string_view subdir, std::string_view path) {
    std::string identity;
    write_release_identity(identity, package_id, version, channel, build, subdir, path);
    return identity;
}

/// The metadata a new package's releases are stored as patches over: its last release's, when
/// it has several (a package of one release keeps its metadata in the release's row, where SQL
/// readers of earlier schemas find it).
std::string_view shared_base(const Package& package) {
    if (package.releases.size() < 2 || package.releases.back().metadata_json.empty()) {
        return "{}";
    }
    return package.releases.back().metadata_json;
}

/// The sink a source fills: the transaction begins at the first write (clear), so fetching
/// and parsing do not hold the index's write lock.
///
/// What the repository held before is read at clear(), and the sync writes only what
/// changed: a package row is updated when its names or summary changed, a release whose
/// content hash (release_hash.hpp) is the previous row's keeps that row (its id, and the
/// dependencies learnt from its ZIP since), any other is written; what the source no longer
/// lists is deleted at finish().
class Writer final : public SyncSink {
public:
    Writer(sql::Database& db, SyncStatements& statements, std::int64_t repository_id,
           SyncReport& report)
        : db_(db), st_(statements), repository_id_(repository_id), report_(report) {}

    Expected<void> clear() override {
        QPLUG_TRY(ensure_transaction());
        cleared_ = true;
        return read_previous();
    }

    Expected<void> add(const Package& package) override {
        if (!cleared_) {
            QPLUG_TRY(clear());
        }
        const std::string_view display_name =
            package.display_name.empty() ? std::string_view(package.name) : package.display_name;
        // A package listed twice (plugins.xml lists one element per version) is merged. The
        // ids of packages added by this sync, and of the previous ones it keeps, are known
        // here (no RETURNING, which makes SQLite journal every page a statement touches).
        PackageRow* row = nullptr;
        if (const auto known = package_ids_.find(package.name); known != package_ids_.end()) {
            row = &known->second;
            PackageText& wanted = row->wanted;
            row->relisted_differently = row->relisted_differently ||
                                        wanted.display_name != display_name ||
                                        wanted.summary != std::string_view(package.summary) ||
                                        wanted.keywords != std::string_view(package.keywords);
            wanted.display_name.assign(display_name);
            wanted.summary.assign(package.summary);
            wanted.keywords.assign(package.keywords);
        } else if (auto previous = previous_packages_.find(package.name);
                   previous != previous_packages_.end()) {
            previous->second.kept = true;
            ++report_.packages;
            // The kept releases' patches are over the package's metadata: it stays, unless
            // the package had none.
            const PackageText& stored = previous->second.stored;
            row = &package_ids_
                       .emplace(
                           text(package.name),
                           PackageRow{previous->second.id,
                                      package_text(display_name, package.summary, package.keywords,
                                                   stored.metadata == "{}"
                                                       ? shared_base(package)
                                                       : std::string_view(stored.metadata)),
                                      &stored})
                       .first->second;
        } else {
            const std::string_view base = shared_base(package);
            st_.insert_package.bind(1, repository_id_)
                .bind_static(2, package.name)
                .bind_static(3, display_name)
                .bind_static(4, package.summary)
                .bind_static(5, package.keywords)
                .bind_static(6, base);
            st_.insert_package.step();
            QPLUG_TRY(finish(st_.insert_package, "adding a package"));
            ++report_.packages;
            row = &package_ids_
                       .emplace(text(package.name),
                                PackageRow{sqlite3_last_insert_rowid(db_.handle()),
                                           package_text(display_name, package.summary,
                                                        package.keywords, base)})
                       .first->second;
            changed_ = true;
        }
        const std::int64_t package_id = row->id;
        // The members of the package's metadata, for the releases' patches (views into the
        // row, which stays where it is in the map).
        base_members_.clear();
        if (row->wanted.metadata != "{}") {
            if (auto members = object_members(row->wanted.metadata);
                members && !has_duplicate_keys(*members)) {
                base_members_ = std::move(*members);
            }
        }
        // Within the package, only the last listing of a release counts (the others are
        // merged into it without being written).
        std::size_t merged = 0;
        const std::size_t count = package.releases.size();
        if (identities_.size() < count) {
            identities_.resize(count); // (their memory is reused by the next packages)
        }
        for (std::size_t i = 0; i < count; ++i) {
            const Release& r = package.releases[i];
            write_release_identity(identities_[i], package_id, r.version, channel_name(r.channel),
                                   r.build, r.subdir, r.path);
        }
        // A few releases are compared with each other; many go through a map.
        constexpr std::size_t kCompared = 16;
        last_listing_.clear();
        if (count > kCompared) {
            for (std::size_t i = 0; i < count; ++i) {
                last_listing_[identities_[i]] = i;
            }
        }
        auto listed_again = [&](std::size_t i) {
            if (count > kCompared) {
                return last_listing_.at(identities_[i]) != i;
            }
            for (std::size_t j = i + 1; j < count; ++j) {
                if (identities_[j] == identities_[i]) {
                    return true;
                }
            }
            return false;
        };
        for (std::size_t i = 0; i < count; ++i) {
            const Release& r = package.releases[i];
            if (listed_again(i)) {
                ++merged;
                report_.dependencies += r.dependencies.size();
                continue;
            }
            QPLUG_TRY(add_release(package_id, identities_[i], r, merged));
        }
        if (merged > 0) {
            // Said once per package at finish(): a source may add a package once per version.
            auto [at, added] = merged_.try_emplace(text(package.name), 0);
            if (added) {
                merged_order_.push_back(package.name);
            }
            at->second += merged;
        }
        return {};
    }

    void warn(std::string message) override { report_.warnings.push_back(std::move(message)); }

    void reserve(std::size_t releases) override { release_ids_.reserve(releases); }

    void expect(std::size_t packages) override {
        // Room for every package and, as a start, two releases each (no rehash per doubling).
        package_ids_.reserve(packages);
        release_ids_.reserve(packages * 2);
    }

    /// Deletes what the repository held and the source no longer lists.
    Expected<void> finish() {
        report_merged();
        for (const auto& [name, row] : package_ids_) {
            QPLUG_TRY(update_package(row));
        }
        for (const std::int64_t id : duplicates_) {
            QPLUG_TRY(delete_release(id, "removing a release listed twice"));
        }
        for (const auto& [identity, previous] : previous_releases_) {
            if (!previous.kept) {
                QPLUG_TRY(delete_release(previous.id, "removing a release no longer listed"));
            }
        }
        for (const auto& [name, previous] : previous_packages_) {
            if (!previous.kept) {
                st_.delete_package.bind(1, previous.id);
                st_.delete_package.step();
                QPLUG_TRY(finish(st_.delete_package, "removing a package no longer listed"));
                changed_ = true;
            }
        }
        return {};
    }

    /// Says which packages had releases listed more than once, and how many.
    void report_merged() {
        for (const std::string& name : merged_order_) {
            warn(fmt::format("{}: {} release(s) listed more than once with the same version "
                             "were merged: the last one listed is kept",
                             name, merged_.find(name)->second));
        }
        merged_order_.clear();
        merged_.clear();
    }

    /// Whether the sync wrote anything (else the repository's revision stays).
    bool changed() const { return changed_; }

    std::optional<sql::Transaction>& transaction() { return transaction_; }

    /// For replace_packages(): a transaction that adds to the repository without reading or
    /// clearing it.
    Expected<void> begin_partial() {
        QPLUG_TRY(ensure_transaction());
        cleared_ = true;
        return {};
    }

private:
    // The tables of a sync live in an arena freed at once with the writer (tens of thousands
    // of strings: freeing them one by one took 5 ms of a 15,000-release sync).
    using Text = std::pmr::string;
    /// Finds a Text by any string_view.
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    struct TextEqual {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const { return a == b; }
    };
    template <class Value>
    using TextMap = std::pmr::unordered_map<Text, Value, TextHash, TextEqual>;

    Text text(std::string_view s) { return Text(s, &arena_); }

    struct PackageText {
        Text display_name;
        Text summary;
        Text keywords;
        Text metadata; ///< what its releases' metadata patches are over ("{}": none)
        bool operator==(const PackageText&) const = default;
    };
    PackageText package_text(std::string_view display_name, std::string_view summary,
                             std::string_view keywords, std::string_view metadata) {
        return {text(display_name), text(summary), text(keywords), text(metadata)};
    }
    /// A package of this sync: what its last listing says, written at finish() when it differs
    /// from the row (so that a package listed twice is written at most once).
    struct PackageRow {
        std::int64_t id = 0;
        PackageText wanted;
        /// The row the repository held (in previous_packages_); null when this sync wrote the
        /// row from the package's first listing.
        const PackageText* stored = nullptr;
        /// This sync wrote the row, and a later listing changed its names or summary.
        bool relisted_differently = false;

        bool differs_from_row() const {
            return stored != nullptr ? *stored != wanted : relisted_differently;
        }
    };
    struct PreviousPackage {
        std::int64_t id = 0;
        PackageText stored;
        bool kept = false;
    };
    struct PreviousRelease {
        std::int64_t id = 0;
        std::int64_t content_hash = 0;
        bool kept = false;
    };

    Expected<void> ensure_transaction() {
        if (transaction_) {
            return {};
        }
        auto tx = sql::Transaction::begin(db_);
        QPLUG_RETURN_IF_ERROR(tx);
        transaction_.emplace(std::move(*tx));
        return {};
    }

    Expected<void> read_previous() {
        auto& packages = st_.previous_packages;
        packages.bind(1, repository_id_);
        while (packages.step()) {
            const std::int64_t id = packages.integer(0);
            previous_packages_.try_emplace(
                text(packages.text(1)),
                PreviousPackage{id,
                                package_text(packages.text(2), packages.text(3), packages.text(4),
                                             packages.text(5)),
                                false});
        }
        QPLUG_TRY(finish(packages, "reading the repository's packages"));
        auto& releases = st_.previous_releases;
        releases.bind(1, repository_id_);
        while (releases.step()) {
            // Two rows of one identity (none is written so): the second is deleted at finish.
            const auto [at, added] = previous_releases_.try_emplace(
                text(release_identity(releases.integer(1), releases.text(2), releases.text(3),
                                      releases.text(4), releases.text(5), releases.text(6))),
                PreviousRelease{releases.integer(0), releases.integer(7), false});
            if (!added) {
                duplicates_.push_back(releases.integer(0));
            }
        }
        return finish(releases, "reading the repository's releases");
    }

    /// Gives the package row its last listing's names and summary, when they differ.
    Expected<void> update_package(const PackageRow& row) {
        if (!row.differs_from_row()) {
            return {};
        }
        st_.update_package.bind_static(1, row.wanted.display_name)
            .bind_static(2, row.wanted.summary)
            .bind_static(3, row.wanted.keywords)
            .bind_static(4, row.wanted.metadata)
            .bind(5, row.id);
        st_.update_package.step();
        changed_ = true;
        return finish(st_.update_package, "updating a package");
    }

    Expected<void> delete_release(std::int64_t release_id, std::string_view doing) {
        st_.delete_release.bind(1, release_id);
        st_.delete_release.step();
        QPLUG_TRY(finish(st_.delete_release, doing));
        changed_ = true;
        return {};
    }

    Expected<void> finish(sql::Statement& st, std::string_view doing) {
        const bool bad = st.failed();
        st.reset();
        if (bad) {
            return db_.error(doing);
        }
        return {};
    }

    /// A release the package already has in this sync (same version, channel, build, subdir
    /// and folder) replaces the earlier one: one release per version, the last one listed
    /// winning as in QGIS's merge of plugins.xml entries. `merged` counts them. A release the
    /// repository held before with the same content is kept as it is.
    Expected<void> add_release(std::int64_t package_id, const std::string& identity,
                               const Release& r, std::size_t& merged) {
        const std::string dependencies_json = dependencies_to_json(r.dependencies);
        const std::int64_t content_hash = release_content_hash(r, dependencies_json);
        report_.dependencies += r.dependencies.size();
        ++report_.releases;
        // The last listing of a release wins. The row the repository held before is kept
        // when that listing has its content (even after other listings came between), and
        // deleted at finish() otherwise.
        const auto previous = previous_releases_.find(identity);
        const auto [known, first_listing] = release_ids_.try_emplace(text(identity));
        if (!first_listing) {
            --report_.releases;
            ++merged;
            if (known->second.content_hash == content_hash) {
                return {}; // listed again as it is: the row stays
            }
            if (previous != previous_releases_.end() && previous->second.kept) {
                previous->second.kept = false; // gives way to this listing
                --report_.unchanged;
            } else {
                QPLUG_TRY(delete_release(known->second.id, "merging a release listed twice"));
            }
        }
        if (previous != previous_releases_.end() && previous->second.content_hash == content_hash) {
            previous->second.kept = true;
            ++report_.unchanged;
            known->second = Written{previous->second.id, content_hash};
            return {};
        }
        // Stored as what it changes in the package's metadata when that is smaller.
        const std::string_view full =
            r.metadata_json.empty() ? std::string_view("{}") : std::string_view(r.metadata_json);
        const std::optional<std::string> patch =
            base_members_.empty() ? std::nullopt : metadata_patch(base_members_, full);
        const std::string_view metadata = patch ? std::string_view(*patch) : full;
        auto& st = st_.insert_release;
        st.bind(1, repository_id_)
            .bind(2, package_id)
            .bind_static(3, r.version)
            .bind_static(4, channel_name(r.channel))
            .bind(5, r.deprecated)
            .bind(6, r.trusted)
            .bind_static(7, r.qgis_minimum)
            .bind_static(8, r.qgis_maximum)
            .bind_static(9, r.requires_python)
            .bind_static(10, r.download_url)
            .bind_static(11, r.file_name)
            .bind(12, r.size)
            .bind_static(13, r.hash)
            .bind_static(14, r.build)
            .bind(15, r.build_number)
            .bind_static(16, r.subdir)
            .bind_static(17, r.update_date)
            .bind_static(18, metadata)
            .bind(19, r.dependencies_known)
            .bind_static(20, r.path)
            .bind_static(21, r.path.empty() ? std::string_view() : backend_name(r.owner))
            .bind_static(22, dependencies_json)
            .bind(23, content_hash)
            .bind(24, patch.has_value())
            .bind(25, modules_to_json(r.modules));
        st.step();
        QPLUG_TRY(finish(st, "adding a release"));
        changed_ = true;
        const std::int64_t release_id = sqlite3_last_insert_rowid(db_.handle());
        known->second = Written{release_id, content_hash};
        return {};
    }

    sql::Database& db_;
    SyncStatements& st_;
    std::int64_t repository_id_;
    SyncReport& report_;
    std::optional<sql::Transaction> transaction_;
    bool cleared_ = false;
    bool changed_ = false;
    std::pmr::monotonic_buffer_resource arena_; ///< (before the tables, which it outlives)
    TextMap<PackageRow> package_ids_{&arena_};  ///< this sync's, by name
    /// A release row of this sync (written or kept) and its content hash.
    struct Written {
        std::int64_t id = 0;
        std::int64_t content_hash = 0;
    };
    /// "package id, version, channel, build, subdir, path" -> its row, for merging.
    TextMap<Written> release_ids_{&arena_};
    TextMap<PreviousPackage> previous_packages_{&arena_}; ///< by name
    TextMap<PreviousRelease> previous_releases_{&arena_}; ///< by identity
    std::vector<std::int64_t> duplicates_; ///< previous rows of an identity already read
    std::vector<std::string> identities_;  ///< of the releases of the package being added
    std::vector<JsonMember> base_members_; ///< of the metadata of the package being added
    std::unordered_map<std::string_view, std::size_t> last_listing_; ///< identity -> index
    TextMap<std::size_t> merged_{&arena_};                           ///< package -> releases merged
    std::vector<std::string> merged_order_; ///< its packages, first merge first
};

} // namespace

Expected<SyncReport> Index::sync(std::string_view repository,
                                 const std::function<Expected<SyncResult>(SyncSink&)>& fill) {
    const auto repo = this->repository(repository);
    if (!repo) {
        Error e = failure(fmt::format("repository '{}' is not configured", repository));
        e.kind = Error::Kind::not_found;
        return e;
    }
    SyncReport report;
    report.repository = repo->name;
    // The writer's rows are consistent by construction (ids from the inserts themselves):
    // foreign-key checks would cost a lookup per dependency. Back on when the sync ends.
    (void)impl_->db.exec("PRAGMA foreign_keys = OFF");
    struct RestoreForeignKeys {
        sql::Database& db;
        ~RestoreForeignKeys() { (void)db.exec("PRAGMA foreign_keys = ON"); }
    } restore{impl_->db};
    auto statements = impl_->sync_statements();
    QPLUG_RETURN_IF_ERROR(statements);
    Writer writer(impl_->db, **statements, repo->id, report);
    auto result = fill(writer);
    if (!result) {
        writer.transaction().reset(); // roll back whatever was written
        if (result.error().kind != Error::Kind::cancelled) {
            (void)record_sync_error(repository, result.error().to_string());
        }
        return std::move(result).error();
    }
    report.not_modified = result->not_modified;
    bool changed = false;
    if (writer.transaction()) {
        if (auto finished = writer.finish(); !finished) {
            writer.transaction().reset();
            (void)record_sync_error(repository, finished.error().to_string());
            return std::move(finished).error();
        }
        changed = writer.changed();
    } else {
        // Nothing was written (not modified, or an empty repository that was never cleared).
        auto tx = sql::Transaction::begin(impl_->db);
        QPLUG_RETURN_IF_ERROR(tx);
        writer.transaction().emplace(std::move(*tx));
        if (!result->not_modified) {
            QPLUG_TRY(impl_->clear_repository(repo->id));
            changed = true;
        }
    }
    auto st = impl_->db.prepare(
        "UPDATE repositories SET etag = ?, last_modified = ?, last_sync = ?, last_error = '', "
        "revision = revision + ? WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, result->etag)
        .bind(2, result->last_modified)
        .bind(3, utc_now())
        .bind(4, changed ? 1 : 0)
        .bind(5, repo->id);
    QPLUG_TRY(st->run(impl_->db, "recording the sync"));
    QPLUG_TRY(writer.transaction()->commit());
    writer.transaction().reset();
    return report;
}

Expected<void> Index::set_dependencies(std::int64_t release_id,
                                       const std::vector<Dependency>& dependencies,
                                       const std::vector<std::string>& modules) {
    auto tx = sql::Transaction::begin(impl_->db);
    QPLUG_RETURN_IF_ERROR(tx);
    auto find = impl_->db.prepare("SELECT repository_id FROM releases WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(find);
    find->bind(1, release_id);
    if (!find->step()) {
        return failure(fmt::format("release {} is not in the index", release_id));
    }
    const std::int64_t repository_id = find->integer(0);
    // The repository's contents changed: its revision says so (the .solv cache is keyed by it).
    auto bump = impl_->db.prepare("UPDATE repositories SET revision = revision + 1 WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(bump);
    bump->bind(1, repository_id);
    if (auto r = bump->run(impl_->db, "updating the revision"); !r) {
        return r;
    }
    auto update = impl_->db.prepare("UPDATE releases SET dependencies_json = ?, modules_json = ?, "
                                    "dependencies_known = 1 WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(update);
    update->bind(1, dependencies_to_json(dependencies))
        .bind(2, modules_to_json(modules))
        .bind(3, release_id);
    if (auto r = update->run(impl_->db, "updating dependencies and modules"); !r) {
        return r;
    }
    return tx->commit();
}

Expected<SyncReport> Index::replace_packages(std::string_view repository,
                                             const std::vector<Package>& packages) {
    const auto repo = this->repository(repository);
    if (!repo) {
        return failure(fmt::format("repository '{}' is not configured", repository));
    }
    SyncReport report;
    report.repository = repo->name;
    auto statements = impl_->sync_statements();
    QPLUG_RETURN_IF_ERROR(statements);
    Writer writer(impl_->db, **statements, repo->id, report);
    QPLUG_TRY(writer.begin_partial());
    for (const char* sql :
         {"DELETE FROM releases WHERE package_id IN (SELECT id FROM packages WHERE "
          "repository_id = ?1 AND name = ?2)",
          "DELETE FROM packages WHERE repository_id = ?1 AND name = ?2"}) {
        auto st = impl_->db.prepare(sql);
        QPLUG_RETURN_IF_ERROR(st);
        for (const Package& p : packages) {
            st->bind(1, repo->id).bind(2, p.name);
            QPLUG_TRY(st->run(impl_->db, "replacing a package"));
        }
    }
    for (const Package& p : packages) {
        QPLUG_TRY(writer.add(p));
    }
    writer.report_merged();
    // The repository's contents changed: its revision says so (the .solv cache is keyed by it).
    auto bump = impl_->db.prepare("UPDATE repositories SET revision = revision + 1 WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(bump);
    bump->bind(1, repo->id);
    QPLUG_TRY(bump->run(impl_->db, "updating the revision"));
    QPLUG_TRY(writer.transaction()->commit());
    writer.transaction().reset();
    return report;
}

} // namespace qplug::solver
