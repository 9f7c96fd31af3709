// A thin RAII layer over the SQLite C API: a connection, prepared statements with typed
// binds and columns, and errors as qplug::Error (writes) or IndexReadError (reads). Only the
// index's .cpp files include it.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include <qplug/expected.hpp>

namespace qplug::solver::sql {

class Statement;

class Database {
public:
    Database() = default;
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;
    Database(Database&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Database& operator=(Database&& other) noexcept;
    ~Database();

    static Expected<Database> open(const std::string& path, bool read_only);

    /// Runs one or more statements without results.
    Expected<void> exec(const char* sql);
    Expected<Statement> prepare(std::string_view sql);
    /// A statement that reads: prepared, or IndexReadError (a damaged or unreadable index).
    Statement query(std::string_view sql) const;

    /// An Error carrying SQLite's message for the last failure.
    Error error(std::string_view doing) const;
    sqlite3* handle() const { return db_; }

private:
    explicit Database(sqlite3* db) : db_(db) {}
    sqlite3* db_ = nullptr;
};

class Statement {
public:
    Statement() = default;
    Statement(const Statement&) = delete;
    Statement& operator=(const Statement&) = delete;
    Statement(Statement&& other) noexcept : st_(other.st_) { other.st_ = nullptr; }
    Statement& operator=(Statement&& other) noexcept;
    ~Statement();

    // Binds are 1-based, as in SQLite. Texts are copied (SQLITE_TRANSIENT) unless the caller
    // guarantees they outlive the step (bind_static).
    Statement& bind(int index, std::string_view text);
    Statement& bind_static(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind(int index, bool value) { return bind(index, static_cast<std::int64_t>(value)); }
    Statement& bind_null(int index);
    template <class T>
    Statement& bind(int index, const std::optional<T>& value) {
        return value ? bind(index, static_cast<std::int64_t>(*value)) : bind_null(index);
    }

    /// Steps once: true when a row is available, false when done; SQLITE errors are
    /// reported through ok()/error().
    bool step();
    /// Steps a reading statement once: true when a row is available, false when every row
    /// was read; throws IndexReadError when SQLite fails (never a partial result).
    bool next_row(std::string_view reading);
    /// Runs a statement without results to completion and resets it.
    Expected<void> run(const Database& db, std::string_view doing);
    void reset();

    std::string_view text(int column) const;
    std::int64_t integer(int column) const;
    bool is_null(int column) const;
    std::optional<std::int64_t> optional_integer(int column) const {
        return is_null(column) ? std::nullopt : std::optional<std::int64_t>(integer(column));
    }

    bool prepared() const { return st_ != nullptr; }
    bool failed() const {
        return last_ != SQLITE_OK && last_ != SQLITE_ROW && last_ != SQLITE_DONE;
    }

private:
    friend class Database;
    explicit Statement(sqlite3_stmt* st) : st_(st) {}
    sqlite3_stmt* st_ = nullptr;
    int last_ = SQLITE_OK;
};

/// The IndexReadError of a failed read: a damaged file (SQLITE_CORRUPT, SQLITE_NOTADB) is
/// named as such, with what to do about it.
[[noreturn]] void throw_read_error(sqlite3* db, int code, std::string_view reading);

/// BEGIN IMMEDIATE ... COMMIT, rolled back unless committed.
class Transaction {
public:
    static Expected<Transaction> begin(Database& db);
    Transaction(Transaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    Transaction& operator=(Transaction&&) = delete;
    ~Transaction();
    Expected<void> commit();

private:
    explicit Transaction(Database* db) : db_(db) {}
    Database* db_ = nullptr;
};

} // namespace qplug::solver::sql
