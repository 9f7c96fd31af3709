// Writing the index: a sync as one transaction, and dependencies learnt later.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <optional>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

#include "errors.hpp"
#include "index/dependency_json.hpp"
#include "index/index_impl.hpp"
#include "io/system_text.hpp"

namespace qplug::solver {

Expected<void> Index::Impl::clear_repository(std::int64_t repository_id) {
    // Modules first (a range delete on their clustered key), then releases (and with them
    // their dependencies, a column of theirs) and packages.
    for (const char* sql : {"DELETE FROM modules WHERE release_id IN (SELECT id FROM releases "
                            "WHERE repository_id = ?)",
                            "DELETE FROM releases WHERE repository_id = ?",
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

namespace {

/// The sink a source fills: the transaction begins at the first write (clear), so fetching
/// and parsing do not hold the index's write lock.
class Writer final : public SyncSink {
public:
    Writer(sql::Database& db, Index::Impl& impl, std::int64_t repository_id, SyncReport& report)
        : db_(db), impl_(impl), repository_id_(repository_id), report_(report) {}

    Expected<void> clear() override {
        if (auto r = ensure_transaction(); !r) {
            return r;
        }
        cleared_ = true;
        return impl_.clear_repository(repository_id_);
    }

    Expected<void> add(const Package& package) override {
        if (!cleared_) {
            if (auto r = clear(); !r) {
                return r;
            }
        }
        // A package listed twice (plugins.xml lists one element per version) is merged. The
        // sync cleared the repository, so every package row it has was added here: the map
        // knows them (no RETURNING, which makes SQLite journal every page a statement touches).
        std::int64_t package_id = 0;
        if (const auto known = package_ids_.find(package.name); known != package_ids_.end()) {
            package_id = known->second;
            auto& st = update_package_;
            st.bind_static(1, package.display_name.empty() ? package.name : package.display_name)
                .bind_static(2, package.summary)
                .bind_static(3, package.keywords)
                .bind(4, package_id);
            st.step();
            if (auto done = finish(st, "merging a package"); !done) {
                return done;
            }
        } else {
            auto& st = insert_package_;
            st.bind(1, repository_id_)
                .bind_static(2, package.name)
                .bind_static(3, package.display_name.empty() ? package.name : package.display_name)
                .bind_static(4, package.summary)
                .bind_static(5, package.keywords);
            st.step();
            if (auto done = finish(st, "adding a package"); !done) {
                return done;
            }
            package_id = sqlite3_last_insert_rowid(db_.handle());
            package_ids_.emplace(package.name, package_id);
        }
        ++report_.packages;
        std::size_t merged = 0;
        for (const Release& r : package.releases) {
            if (auto result = add_release(package_id, r, merged); !result) {
                return result;
            }
        }
        if (merged > 0) {
            warn(fmt::format("{}: {} release(s) listed more than once with the same version "
                             "were merged: the last one listed is kept",
                             package.name, merged));
        }
        return {};
    }

    void warn(std::string message) override { report_.warnings.push_back(std::move(message)); }

    void expect(std::size_t packages) override {
        // Room for every package and, as a start, two releases each (no rehash per doubling).
        package_ids_.reserve(packages);
        release_ids_.reserve(packages * 2);
    }

    Expected<void> prepare() {
        auto p = db_.prepare(
            "INSERT INTO packages (repository_id, name, display_name, summary, keywords) "
            "VALUES (?, ?, ?, ?, ?)");
        auto u = db_.prepare(
            "UPDATE packages SET display_name = ?, summary = ?, keywords = ? WHERE id = ?");
        auto r = db_.prepare(
            "INSERT INTO releases (repository_id, package_id, version, channel, deprecated, "
            "trusted, qgis_minimum, qgis_maximum, requires_python, download_url, file_name, size, "
            "hash, build, build_number, subdir, update_date, metadata, dependencies_known, path, "
            "owner, dependencies_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?, ?)");
        auto m = db_.prepare("INSERT OR IGNORE INTO modules (release_id, module) VALUES (?, ?)");
        auto dr = db_.prepare("DELETE FROM releases WHERE id = ?");
        auto dm = db_.prepare("DELETE FROM modules WHERE release_id = ?");
        for (auto* s : {&p, &u, &r, &m, &dr, &dm}) {
            if (!*s) {
                return s->error();
            }
        }
        insert_package_ = std::move(*p);
        update_package_ = std::move(*u);
        insert_release_ = std::move(*r);
        insert_module_ = std::move(*m);
        delete_release_ = std::move(*dr);
        delete_modules_ = std::move(*dm);
        return {};
    }

    std::optional<sql::Transaction>& transaction() { return transaction_; }

    /// For replace_packages(): a transaction that adds to the repository without clearing it.
    Expected<void> begin_partial() {
        if (auto r = ensure_transaction(); !r) {
            return r;
        }
        cleared_ = true;
        return {};
    }

private:
    Expected<void> ensure_transaction() {
        if (transaction_) {
            return {};
        }
        auto tx = sql::Transaction::begin(db_);
        QPLUG_RETURN_IF_ERROR(tx);
        transaction_.emplace(std::move(*tx));
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

    /// A release the package already has (same version, channel, build, subdir and folder)
    /// replaces the earlier one: one release per version, the last one listed winning as in
    /// QGIS's merge of plugins.xml entries. `merged` counts them.
    Expected<void> add_release(std::int64_t package_id, const Release& r, std::size_t& merged) {
        std::string identity = std::to_string(package_id);
        for (const std::string_view part :
             {std::string_view(r.version), channel_name(r.channel), std::string_view(r.build),
              std::string_view(r.subdir), std::string_view(r.path)}) {
            identity += '\x1f';
            identity += part;
        }
        const auto known = release_ids_.find(identity);
        if (known != release_ids_.end()) {
            for (auto* st : {&delete_modules_, &delete_release_}) {
                st->bind(1, known->second);
                st->step();
                if (auto done = finish(*st, "merging a release listed twice"); !done) {
                    return done;
                }
            }
            --report_.releases;
            ++merged;
        }
        const std::string dependencies_json = dependencies_to_json(r.dependencies);
        auto& st = insert_release_;
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
            .bind_static(18, r.metadata_json.empty() ? std::string_view("{}")
                                                     : std::string_view(r.metadata_json))
            .bind(19, r.dependencies_known)
            .bind_static(20, r.path)
            .bind_static(21, r.path.empty() ? std::string_view() : backend_name(r.owner))
            .bind_static(22, dependencies_json);
        st.step();
        if (auto done = finish(st, "adding a release"); !done) {
            return done;
        }
        const std::int64_t release_id = sqlite3_last_insert_rowid(db_.handle());
        if (known != release_ids_.end()) {
            known->second = release_id;
        } else {
            release_ids_.emplace(std::move(identity), release_id);
        }
        ++report_.releases;
        report_.dependencies += r.dependencies.size();
        for (const std::string& module : r.modules) {
            auto& ms = insert_module_;
            ms.bind(1, release_id).bind_static(2, module);
            ms.step();
            if (auto done = finish(ms, "adding a module"); !done) {
                return done;
            }
        }
        return {};
    }

    sql::Database& db_;
    Index::Impl& impl_;
    std::int64_t repository_id_;
    SyncReport& report_;
    std::optional<sql::Transaction> transaction_;
    bool cleared_ = false;
    sql::Statement insert_package_;
    sql::Statement update_package_;
    std::unordered_map<std::string, std::int64_t> package_ids_;
    sql::Statement insert_release_;
    sql::Statement insert_module_;
    sql::Statement delete_release_;
    sql::Statement delete_modules_;
    /// "package id, version, channel, build, subdir, path" -> release id, for merging.
    std::unordered_map<std::string, std::int64_t> release_ids_;
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
    Writer writer(impl_->db, *impl_, repo->id, report);
    QPLUG_TRY(writer.prepare());
    auto result = fill(writer);
    if (!result) {
        writer.transaction().reset(); // roll back whatever was written
        if (result.error().kind != Error::Kind::cancelled) {
            (void)record_sync_error(repository, result.error().to_string());
        }
        return std::move(result).error();
    }
    report.not_modified = result->not_modified;
    if (!writer.transaction()) {
        // Nothing was written (not modified, or an empty repository that was never cleared).
        auto tx = sql::Transaction::begin(impl_->db);
        QPLUG_RETURN_IF_ERROR(tx);
        writer.transaction().emplace(std::move(*tx));
        if (!result->not_modified) {
            QPLUG_TRY(impl_->clear_repository(repo->id));
        }
    }
    auto st = impl_->db.prepare(
        "UPDATE repositories SET etag = ?, last_modified = ?, last_sync = ?, last_error = '', "
        "revision = revision + ? WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, result->etag)
        .bind(2, result->last_modified)
        .bind(3, utc_now())
        .bind(4, result->not_modified ? 0 : 1)
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
    auto update = impl_->db.prepare(
        "UPDATE releases SET dependencies_json = ?, dependencies_known = 1 WHERE id = ?");
    auto clear_modules = impl_->db.prepare("DELETE FROM modules WHERE release_id = ?");
    auto mod =
        impl_->db.prepare("INSERT OR IGNORE INTO modules (release_id, module) VALUES (?, ?)");
    for (auto* st : {&update, &clear_modules, &mod}) {
        if (!*st) {
            return st->error();
        }
    }
    update->bind(1, dependencies_to_json(dependencies)).bind(2, release_id);
    if (auto r = update->run(impl_->db, "updating dependencies"); !r) {
        return r;
    }
    clear_modules->bind(1, release_id);
    if (auto r = clear_modules->run(impl_->db, "updating modules"); !r) {
        return r;
    }
    for (const std::string& m : modules) {
        mod->bind(1, release_id).bind(2, m);
        if (auto r = mod->run(impl_->db, "adding a module"); !r) {
            return r;
        }
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
    Writer writer(impl_->db, *impl_, repo->id, report);
    QPLUG_TRY(writer.prepare());
    QPLUG_TRY(writer.begin_partial());
    for (const char* sql :
         {"DELETE FROM modules WHERE release_id IN (SELECT r.id FROM releases r JOIN packages p "
          "ON p.id = r.package_id WHERE p.repository_id = ?1 AND p.name = ?2)",
          "DELETE FROM releases WHERE package_id IN (SELECT id FROM packages WHERE "
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
