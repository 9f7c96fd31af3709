// The index: opening and migrating the database, repositories, syncs as transactions.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>
#include <cstdlib>

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <qplug/solver/index.hpp>

#include "errors.hpp"
#include "index/index_impl.hpp"
#include "index/index_schema.hpp"
#include "io/system_text.hpp"

namespace qplug::solver {

namespace {

Error invalid(std::string_view what, std::string_view input, std::string_view message,
              Error::Kind kind = Error::Kind::invalid) {
    Error e = failure(fmt::format("{} '{}' {}", what, input, message));
    e.kind = kind;
    return e;
}

Error not_configured(std::string_view name) {
    return invalid("repository", name, "is not configured", Error::Kind::not_found);
}

/// PRAGMA user_version, the schema version; an error when the file cannot be read (not a
/// database, damaged).
Expected<std::size_t> stored_schema_version(sql::Database& db, const std::string& path) {
    auto query = db.prepare("PRAGMA user_version");
    if (!query) {
        return invalid("index", path, "cannot be read: " + query.error().message);
    }
    if (!query->step()) {
        return invalid("index", path,
                       fmt::format("cannot be read: {}", sqlite3_errmsg(db.handle())));
    }
    return static_cast<std::size_t>(query->integer(0));
}

Error newer_schema(const std::string& path, std::size_t version) {
    return invalid("index", path,
                   fmt::format("was written by a newer qplug (schema {}, this one knows up to {})",
                               version, schema::migrations().size()));
}

Expected<void> migrate(sql::Database& db, const std::string& path) {
    const auto steps = schema::migrations();
    for (;;) {
        auto tx = sql::Transaction::begin(db); // re-read the version under the write lock
        QPLUG_RETURN_IF_ERROR(tx);
        auto stored = stored_schema_version(db, path);
        QPLUG_RETURN_IF_ERROR(stored);
        const std::size_t version = *stored;
        if (version > steps.size()) {
            return newer_schema(path, version);
        }
        if (version == steps.size()) {
            return tx->commit();
        }
        QPLUG_TRY(db.exec(steps[version]));
        QPLUG_TRY(db.exec(fmt::format("PRAGMA user_version = {}", version + 1).c_str()));
        if (auto r = tx->commit(); !r) {
            return r;
        }
    }
}

} // namespace

Index::Index(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Index::Index(Index&&) noexcept = default;
Index& Index::operator=(Index&&) noexcept = default;
Index::~Index() = default;

int Index::current_schema_version() {
    return static_cast<int>(schema::migrations().size());
}

std::filesystem::path Index::default_path() {
    if (const char* env = std::getenv("QPLUG_INDEX"); env != nullptr && *env != '\0') {
        return env;
    }
    if (const char* data = std::getenv("XDG_DATA_HOME"); data != nullptr && *data == '/') {
        return std::filesystem::path(data) / "qplug" / "index.sqlite";
    }
    const char* home = std::getenv("HOME");
    return std::filesystem::path(home != nullptr ? home : ".") / ".local" / "share" / "qplug" /
           "index.sqlite";
}

Expected<Index> Index::open(const std::filesystem::path& path, Mode mode) {
    const bool read_only = mode == Mode::read_only;
    if (!read_only && path.has_parent_path()) {
        std::error_code ec;
        std::filesystem::create_directories(path.parent_path(), ec);
        if (ec) {
            return invalid("index", path.string(),
                           fmt::format("cannot create its folder: {}", ec.message()),
                           Error::Kind::io);
        }
    }
    if (read_only && !std::filesystem::exists(path)) {
        return invalid("index", path.string(), "does not exist (add a repository first)",
                       Error::Kind::not_found);
    }
    auto db = sql::Database::open(path.string(), read_only);
    QPLUG_RETURN_IF_ERROR(db);
    // A sync may hold the write lock for a while; other writers wait instead of failing.
    // WAL: readers never wait for a writer, and a killed sync leaves the last commit.
    // A sync writes a whole repository in one transaction: a page cache of up to 64 MB keeps
    // SQLite from spilling (and rewriting) pages into the WAL before the commit.
    for (const char* pragma : {"PRAGMA busy_timeout = 30000", "PRAGMA foreign_keys = ON",
                               "PRAGMA cache_size = -65536"}) {
        QPLUG_TRY(db->exec(pragma)); // (a damaged file: the message names it)
    }
    if (!read_only) {
        for (const char* pragma : {"PRAGMA page_size = 16384", "PRAGMA journal_mode = WAL",
                                   "PRAGMA synchronous = NORMAL"}) {
            QPLUG_TRY(db->exec(pragma)); // (a damaged file: the message names it)
        }
        QPLUG_TRY(migrate(*db, path.string()));
    } else {
        // A reader cannot migrate: it reads the schema this qplug writes, or nothing.
        auto version = stored_schema_version(*db, path.string());
        QPLUG_RETURN_IF_ERROR(version);
        const std::size_t current = schema::migrations().size();
        if (*version > current) {
            return newer_schema(path.string(), *version);
        }
        if (*version < current) {
            return invalid("index", path.string(),
                           *version == 0
                               ? std::string("is not a qplug index (no schema version)")
                               : fmt::format("has schema {}, older than this qplug's {}: a "
                                             "command that writes (qplug repo sync) updates it",
                                             *version, current));
        }
    }
    auto impl = std::make_unique<Impl>();
    impl->path = path;
    impl->db = std::move(*db);
    return Index(std::move(impl));
}

int Index::schema_version() const {
    auto st = impl_->db.query("PRAGMA user_version");
    if (!st.next_row("the schema version")) {
        return -1;
    }
    return static_cast<int>(st.integer(0));
}

const std::filesystem::path& Index::path() const {
    return impl_->path;
}

// --- repositories ---------------------------------------------------------------------

namespace {

constexpr std::string_view kRepositoryColumns =
    "id, name, kind, backend, url, priority, enabled, protected, credentials, options, etag, "
    "last_modified, last_sync, last_error, revision";

RepositoryConfig read_repository(const sql::Statement& st) {
    RepositoryConfig r;
    r.id = st.integer(0);
    r.name = st.text(1);
    r.kind = st.text(2);
    r.backend = backend_from_name(st.text(3));
    r.url = st.text(4);
    r.priority = static_cast<int>(st.integer(5));
    r.enabled = st.integer(6) != 0;
    r.is_protected = st.integer(7) != 0;
    r.credentials = st.text(8);
    r.options = st.text(9);
    r.etag = st.text(10);
    r.last_modified = st.text(11);
    r.last_sync = st.text(12);
    r.last_error = st.text(13);
    r.revision = st.integer(14);
    return r;
}

} // namespace

Expected<RepositoryConfig> Index::add_repository(RepositoryConfig config) {
    if (config.name.empty()) {
        return failure("a repository needs a name");
    }
    if (repository(config.name)) {
        return invalid("repository", config.name, "exists already");
    }
    auto st = impl_->db.prepare(
        "INSERT INTO repositories (name, kind, backend, url, priority, enabled, protected, "
        "credentials, options) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, config.name)
        .bind(2, config.kind)
        .bind(3, config.backend ? backend_name(*config.backend) : std::string_view())
        .bind(4, config.url)
        .bind(5, config.priority)
        .bind(6, config.enabled)
        .bind(7, config.is_protected)
        .bind(8, config.credentials)
        .bind(9, config.options);
    QPLUG_TRY(st->run(impl_->db, "adding the repository"));
    return *repository(config.name);
}

std::vector<RepositoryConfig> Index::repositories() const {
    std::vector<RepositoryConfig> out;
    auto st = impl_->db.query(fmt::format(
        "SELECT {} FROM repositories ORDER BY priority DESC, name", kRepositoryColumns));
    while (st.next_row("the repositories")) {
        out.push_back(read_repository(st));
    }
    return out;
}

std::optional<RepositoryConfig> Index::repository(std::string_view name) const {
    auto st = impl_->db.query(
        fmt::format("SELECT {} FROM repositories WHERE name = ?", kRepositoryColumns));
    st.bind(1, name);
    if (!st.next_row("the repositories")) {
        return std::nullopt;
    }
    return read_repository(st);
}

Expected<void> Index::remove_repository(std::string_view name, bool force) {
    const auto repo = repository(name);
    if (!repo) {
        return not_configured(name);
    }
    if (repo->is_protected && !force) {
        return invalid("repository", std::string(name), "is protected (remove it with --force)");
    }
    auto tx = sql::Transaction::begin(impl_->db);
    QPLUG_RETURN_IF_ERROR(tx);
    if (auto r = impl_->clear_repository(repo->id); !r) {
        return r;
    }
    auto st = impl_->db.prepare("DELETE FROM repositories WHERE id = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, repo->id);
    if (auto r = st->run(impl_->db, "removing the repository"); !r) {
        return r;
    }
    return tx->commit();
}

Expected<void> Index::set_enabled(std::string_view name, bool enabled) {
    auto st = impl_->db.prepare("UPDATE repositories SET enabled = ? WHERE name = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, enabled).bind(2, name);
    if (auto r = st->run(impl_->db, "updating the repository"); !r) {
        return r;
    }
    if (sqlite3_changes(impl_->db.handle()) == 0) {
        return not_configured(name);
    }
    return {};
}

Expected<void> Index::record_sync_error(std::string_view name, std::string_view message) {
    auto st =
        impl_->db.prepare("UPDATE repositories SET last_error = ?, last_sync = ? WHERE name = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, message).bind(2, utc_now()).bind(3, name);
    return st->run(impl_->db, "recording the sync error");
}

std::vector<std::pair<std::string, std::string>> Index::pins() const {
    std::vector<std::pair<std::string, std::string>> out;
    auto st = impl_->db.query("SELECT target, spec FROM pins ORDER BY target");
    while (st.next_row("the pins")) {
        out.emplace_back(st.text(0), st.text(1));
    }
    return out;
}

Expected<void> Index::set_pin(std::string_view target, std::string_view spec) {
    auto st = impl_->db.prepare("INSERT INTO pins (target, spec, added) VALUES (?, ?, ?) "
                                "ON CONFLICT (target) DO UPDATE SET spec = excluded.spec, "
                                "added = excluded.added");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, target).bind(2, spec).bind(3, utc_now());
    return st->run(impl_->db, "recording the pin");
}

Expected<void> Index::remove_pin(std::string_view target) {
    auto st = impl_->db.prepare("DELETE FROM pins WHERE target = ?");
    QPLUG_RETURN_IF_ERROR(st);
    st->bind(1, target);
    if (auto r = st->run(impl_->db, "removing the pin"); !r) {
        return r;
    }
    if (sqlite3_changes(impl_->db.handle()) == 0) {
        return invalid("pin", std::string(target), "is not pinned", Error::Kind::not_found);
    }
    return {};
}

} // namespace qplug::solver
