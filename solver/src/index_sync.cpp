// Writing the index: a sync as one transaction, and dependencies learnt later.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <optional>

#include <fmt/format.h>

#include "errors.hpp"
#include "index_impl.hpp"

namespace qplug::solver {

Expected<void> Index::Impl::clear_repository(std::int64_t repository_id) {
    // Children first (range deletes on their clustered keys), then releases and packages.
    for (const char* sql : {"DELETE FROM modules WHERE release_id IN (SELECT id FROM releases "
                            "WHERE repository_id = ?)",
                            "DELETE FROM dependencies WHERE release_id IN "
                            "(SELECT id FROM releases WHERE repository_id = ?)",
                            "DELETE FROM releases WHERE repository_id = ?",
                            "DELETE FROM packages WHERE repository_id = ?"}) {
        auto st = db.prepare(sql);
        if (!st) {
            return std::move(st).error();
        }
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
        auto& st = insert_package_;
        st.bind(1, repository_id_)
            .bind_static(2, package.name)
            .bind_static(3, package.display_name.empty() ? package.name : package.display_name)
            .bind_static(4, package.summary)
            .bind_static(5, package.keywords);
        // A package listed twice (plugins.xml lists one element per version) is merged.
        if (!st.step()) {
            return finish(st, "adding a package");
        }
        const std::int64_t package_id = st.integer(0);
        st.reset();
        ++report_.packages;
        for (const Release& r : package.releases) {
            if (auto result = add_release(package_id, r); !result) {
                return result;
            }
        }
        return {};
    }

    void warn(std::string message) override { report_.warnings.push_back(std::move(message)); }

    Expected<void> prepare() {
        auto p = db_.prepare(
            "INSERT INTO packages (repository_id, name, display_name, summary, keywords) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT (repository_id, name) DO UPDATE SET "
            "display_name = excluded.display_name, summary = excluded.summary, "
            "keywords = excluded.keywords RETURNING id");
        auto r = db_.prepare(
            "INSERT INTO releases (repository_id, package_id, version, channel, deprecated, "
            "trusted, qgis_minimum, qgis_maximum, requires_python, download_url, file_name, size, "
            "hash, build, build_number, subdir, update_date, metadata, dependencies_known, path, "
            "owner) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        auto m = db_.prepare("INSERT OR IGNORE INTO modules (release_id, module) VALUES (?, ?)");
        for (auto* s : {&p, &r, &m}) {
            if (!*s) {
                return s->error();
            }
        }
        insert_package_ = std::move(*p);
        insert_release_ = std::move(*r);
        insert_module_ = std::move(*m);
        return {};
    }

    std::optional<sql::Transaction>& transaction() { return transaction_; }

private:
    Expected<void> ensure_transaction() {
        if (transaction_) {
            return {};
        }
        auto tx = sql::Transaction::begin(db_);
        if (!tx) {
            return std::move(tx).error();
        }
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

    Expected<void> add_release(std::int64_t package_id, const Release& r) {
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
            .bind_static(21, r.path.empty() ? std::string_view() : backend_name(r.owner));
        st.step();
        if (auto done = finish(st, "adding a release"); !done) {
            return done;
        }
        const std::int64_t release_id = sqlite3_last_insert_rowid(db_.handle());
        ++report_.releases;
        // Dependencies go in by up to kRowsPerInsert rows per statement.
        for (std::size_t start = 0; start < r.dependencies.size(); start += kRowsPerInsert) {
            const std::size_t n = std::min(kRowsPerInsert, r.dependencies.size() - start);
            auto prepared = dependency_insert(n);
            if (!prepared) {
                return std::move(prepared).error();
            }
            sql::Statement& ds = **prepared;
            for (std::size_t k = 0; k < n; ++k) {
                const Dependency& d = r.dependencies[start + k];
                const int first = static_cast<int>(k * 8) + 1;
                ds.bind(first, release_id)
                    .bind(first + 1, static_cast<std::int64_t>(start + k))
                    .bind_static(first + 2, dependency_kind_name(d.kind))
                    .bind_static(first + 3, d.target)
                    .bind_static(first + 4, d.spec)
                    .bind_static(first + 5, d.markers)
                    .bind_static(first + 6, d.extra)
                    .bind(first + 7, d.constraint);
            }
            ds.step();
            if (auto done = finish(ds, "adding dependencies"); !done) {
                return done;
            }
            report_.dependencies += n;
        }
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
    sql::Statement insert_release_;
    static constexpr std::size_t kRowsPerInsert = 8;
    /// INSERT INTO dependencies with `rows` rows, prepared once per row count.
    Expected<sql::Statement*> dependency_insert(std::size_t rows) {
        sql::Statement& cached = insert_dependencies_[rows - 1];
        if (!cached.prepared()) {
            std::string sql = "INSERT INTO dependencies (release_id, seq, kind, target, spec, "
                              "markers, extra, is_constraint) VALUES ";
            for (std::size_t k = 0; k < rows; ++k) {
                sql += k == 0 ? "(?, ?, ?, ?, ?, ?, ?, ?)" : ", (?, ?, ?, ?, ?, ?, ?, ?)";
            }
            auto st = db_.prepare(sql);
            if (!st) {
                return std::move(st).error();
            }
            cached = std::move(*st);
        }
        return &cached;
    }
    std::array<sql::Statement, kRowsPerInsert> insert_dependencies_;
    sql::Statement insert_module_;
};

} // namespace

Expected<SyncReport> Index::sync(std::string_view repository,
                                 const std::function<Expected<SyncResult>(SyncSink&)>& fill) {
    const auto repo = this->repository(repository);
    if (!repo) {
        return failure(fmt::format("repository '{}' is not configured", repository));
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
    if (auto r = writer.prepare(); !r) {
        return std::move(r).error();
    }
    auto result = fill(writer);
    if (!result) {
        writer.transaction().reset(); // roll back whatever was written
        (void)record_sync_error(repository, result.error().to_string());
        return std::move(result).error();
    }
    report.not_modified = result->not_modified;
    if (!writer.transaction()) {
        // Nothing was written (not modified, or an empty repository that was never cleared).
        auto tx = sql::Transaction::begin(impl_->db);
        if (!tx) {
            return std::move(tx).error();
        }
        writer.transaction().emplace(std::move(*tx));
        if (!result->not_modified) {
            if (auto r = impl_->clear_repository(repo->id); !r) {
                return std::move(r).error();
            }
        }
    }
    auto st = impl_->db.prepare(
        "UPDATE repositories SET etag = ?, last_modified = ?, last_sync = ?, last_error = '', "
        "revision = revision + ? WHERE id = ?");
    if (!st) {
        return std::move(st).error();
    }
    st->bind(1, result->etag)
        .bind(2, result->last_modified)
        .bind(3, utc_now())
        .bind(4, result->not_modified ? 0 : 1)
        .bind(5, repo->id);
    if (auto r = st->run(impl_->db, "recording the sync"); !r) {
        return std::move(r).error();
    }
    if (auto r = writer.transaction()->commit(); !r) {
        return std::move(r).error();
    }
    writer.transaction().reset();
    return report;
}

Expected<void> Index::set_dependencies(std::int64_t release_id,
                                       const std::vector<Dependency>& dependencies,
                                       const std::vector<std::string>& modules) {
    auto tx = sql::Transaction::begin(impl_->db);
    if (!tx) {
        return std::move(tx).error();
    }
    auto find = impl_->db.prepare("SELECT repository_id FROM releases WHERE id = ?");
    if (!find) {
        return std::move(find).error();
    }
    find->bind(1, release_id);
    if (!find->step()) {
        return failure(fmt::format("release {} is not in the index", release_id));
    }
    const std::int64_t repository_id = find->integer(0);
    // The repository's contents changed: its revision says so (the .solv cache is keyed by it).
    auto bump = impl_->db.prepare("UPDATE repositories SET revision = revision + 1 WHERE id = ?");
    if (!bump) {
        return std::move(bump).error();
    }
    bump->bind(1, repository_id);
    if (auto r = bump->run(impl_->db, "updating the revision"); !r) {
        return r;
    }
    for (const char* sql : {"DELETE FROM dependencies WHERE release_id = ?",
                            "DELETE FROM modules WHERE release_id = ?",
                            "UPDATE releases SET dependencies_known = 1 WHERE id = ?"}) {
        auto st = impl_->db.prepare(sql);
        if (!st) {
            return std::move(st).error();
        }
        st->bind(1, release_id);
        if (auto r = st->run(impl_->db, "updating dependencies"); !r) {
            return r;
        }
    }
    auto dep = impl_->db.prepare("INSERT INTO dependencies (release_id, seq, kind, target, spec, "
                                 "markers, extra, is_constraint) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    auto mod =
        impl_->db.prepare("INSERT OR IGNORE INTO modules (release_id, module) VALUES (?, ?)");
    if (!dep || !mod) {
        return !dep ? std::move(dep).error() : std::move(mod).error();
    }
    std::int64_t seq = 0;
    for (const Dependency& d : dependencies) {
        dep->bind(1, release_id)
            .bind(2, seq++)
            .bind(3, dependency_kind_name(d.kind))
            .bind(4, d.target)
            .bind(5, d.spec)
            .bind(6, d.markers)
            .bind(7, d.extra)
            .bind(8, d.constraint);
        if (auto r = dep->run(impl_->db, "adding a dependency"); !r) {
            return r;
        }
    }
    for (const std::string& m : modules) {
        mod->bind(1, release_id).bind(2, m);
        if (auto r = mod->run(impl_->db, "adding a module"); !r) {
            return r;
        }
    }
    return tx->commit();
}

} // namespace qplug::solver
