// SPDX-License-Identifier: GPL-2.0-or-later
#include "index/sqlite.hpp"

#include <filesystem>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/solver/index.hpp>

#include "errors.hpp"

namespace qplug::solver::sql {

namespace {

/// The message for a failure of `code` (extended) while `doing`: a damaged file
/// (SQLITE_CORRUPT, SQLITE_NOTADB) is named as such, with what to do about it.
std::string failure_message(sqlite3* db, int code, std::string_view doing) {
    const char* file = db != nullptr ? sqlite3_db_filename(db, "main") : nullptr;
    const std::string path = file != nullptr && *file != '\0' ? file : "(in memory)";
    const char* message = db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(code);
    const int primary = code & 0xFF;
    if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) {
        return fmt::format(
            "the index {} is damaged ({}, {}): nothing from it is used. Check it with "
            "sqlite3 '{}' 'PRAGMA integrity_check'. A sync cannot repair it: move the file "
            "away, then add and sync the repositories again (`qplug repo list --index "
            "MOVED-FILE` may still name them)",
            path, message, doing, path);
    }
    return fmt::format("the index {} cannot be read ({}, {})", path, message, doing);
}

bool damaged(int code) {
    return (code & 0xFF) == SQLITE_CORRUPT || (code & 0xFF) == SQLITE_NOTADB;
}

} // namespace

Database& Database::operator=(Database&& other) noexcept {
    if (this != &other) {
        sqlite3_close_v2(db_);
        db_ = other.db_;
        other.db_ = nullptr;
    }
    return *this;
}

Database::~Database() {
    sqlite3_close_v2(db_);
}

Expected<Database> Database::open(const std::string& path, bool read_only) {
    sqlite3* db = nullptr;
    if (read_only) {
        // A reader of a WAL database leaves its -wal and -shm files behind when it was opened
        // SQLITE_OPEN_READONLY (it may not delete them). Opened read-write with writes
        // refused (query_only), the last connection to close removes them and leaves the
        // index byte for byte as it was; a file this user cannot write is opened read-only.
        const std::filesystem::path folder = std::filesystem::path(path).parent_path();
        if (::access(path.c_str(), W_OK) == 0 &&
            ::access(folder.empty() ? "." : folder.c_str(), W_OK) == 0 &&
            sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX,
                            nullptr) == SQLITE_OK &&
            sqlite3_exec(db, "PRAGMA query_only = ON", nullptr, nullptr, nullptr) == SQLITE_OK) {
            sqlite3_extended_result_codes(db, 1);
            return Database(db);
        }
        sqlite3_close_v2(db);
        db = nullptr;
    }
    const int flags =
        (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE) |
        SQLITE_OPEN_NOMUTEX;
    const int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
    if (rc != SQLITE_OK) {
        Error e = failure(fmt::format("index {} cannot be opened: {}", path,
                                      db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
        e.kind = Error::Kind::io;
        sqlite3_close_v2(db);
        return e;
    }
    sqlite3_extended_result_codes(db, 1);
    return Database(db);
}

Error Database::error(std::string_view doing) const {
    if (db_ != nullptr && damaged(sqlite3_extended_errcode(db_))) {
        Error e = failure(failure_message(db_, sqlite3_extended_errcode(db_), doing));
        e.kind = Error::Kind::io;
        return e;
    }
    Error e = failure(
        fmt::format("index: {}: {}", doing, db_ != nullptr ? sqlite3_errmsg(db_) : "no database"));
    e.kind = Error::Kind::io; // the database file, its lock or the disk
    return e;
}

Expected<void> Database::exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
        if (damaged(sqlite3_extended_errcode(db_))) {
            sqlite3_free(message);
            Error e = failure(failure_message(db_, sqlite3_extended_errcode(db_), sql));
            e.kind = Error::Kind::io;
            return e;
        }
        Error e = failure(std::string("index: ") + (message != nullptr ? message : "SQL failed"));
        e.kind = Error::Kind::io;
        sqlite3_free(message);
        return e;
    }
    return {};
}

Expected<Statement> Database::prepare(std::string_view sql) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT,
                           &st, nullptr) != SQLITE_OK) {
        return error(fmt::format("preparing '{}'", sql.substr(0, 60)));
    }
    return Statement(st);
}

Statement Database::query(std::string_view sql) const {
    sqlite3_stmt* st = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &st, nullptr);
    if (rc != SQLITE_OK) {
        throw_read_error(db_, rc, "its schema");
    }
    return Statement(st);
}

void throw_read_error(sqlite3* db, int code, std::string_view reading) {
    throw IndexReadError(failure_message(db, code, fmt::format("reading {}", reading)));
}

Statement& Statement::operator=(Statement&& other) noexcept {
    if (this != &other) {
        sqlite3_finalize(st_);
        st_ = other.st_;
        last_ = other.last_;
        other.st_ = nullptr;
    }
    return *this;
}

Statement::~Statement() {
    sqlite3_finalize(st_);
}

// A null data pointer would bind NULL: an empty view binds the empty text.
Statement& Statement::bind(int index, std::string_view text) {
    sqlite3_bind_text64(st_, index, text.data() != nullptr ? text.data() : "", text.size(),
                        SQLITE_TRANSIENT, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bind_static(int index, std::string_view text) {
    sqlite3_bind_text64(st_, index, text.data() != nullptr ? text.data() : "", text.size(),
                        SQLITE_STATIC, SQLITE_UTF8);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    sqlite3_bind_int64(st_, index, value);
    return *this;
}

Statement& Statement::bind_null(int index) {
    sqlite3_bind_null(st_, index);
    return *this;
}

bool Statement::step() {
    last_ = sqlite3_step(st_);
    return last_ == SQLITE_ROW;
}

bool Statement::next_row(std::string_view reading) {
    last_ = sqlite3_step(st_);
    if (last_ == SQLITE_ROW) {
        return true;
    }
    if (last_ == SQLITE_DONE) {
        return false;
    }
    const int code = last_;
    sqlite3* db = sqlite3_db_handle(st_);
    throw_read_error(db, sqlite3_extended_errcode(db) != 0 ? sqlite3_extended_errcode(db) : code,
                     reading);
}

Expected<void> Statement::run(const Database& db, std::string_view doing) {
    while (step()) {
    }
    const bool bad = failed();
    reset();
    if (bad) {
        return db.error(doing);
    }
    return {};
}

void Statement::reset() {
    sqlite3_reset(st_); // bindings stay: every caller binds every parameter again
    last_ = SQLITE_OK;
}

std::string_view Statement::text(int column) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(st_, column));
    return p == nullptr
               ? std::string_view()
               : std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(st_, column)));
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(st_, column);
}

bool Statement::is_null(int column) const {
    return sqlite3_column_type(st_, column) == SQLITE_NULL;
}

Expected<Transaction> Transaction::begin(Database& db) {
    QPLUG_TRY(db.exec("BEGIN IMMEDIATE"));
    return Transaction(&db);
}

Transaction::~Transaction() {
    if (db_ != nullptr) {
        (void)db_->exec("ROLLBACK");
    }
}

Expected<void> Transaction::commit() {
    auto r = db_->exec("COMMIT");
    if (r) {
        db_ = nullptr;
    }
    return r;
}

} // namespace qplug::solver::sql
