// What the index's .cpp files share.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include <qplug/solver/index.hpp>

#include "index/sqlite.hpp"

namespace qplug::solver {

/// The statements a sync writes with, prepared once per open index (Impl::sync_statements).
struct SyncStatements {
    sql::Statement insert_package;
    sql::Statement update_package;
    sql::Statement insert_release;
    sql::Statement delete_release;
    sql::Statement delete_package;
    sql::Statement previous_packages; ///< a repository's packages before the sync
    sql::Statement previous_releases; ///< and their releases, with their content hashes
};

struct Index::Impl {
    std::filesystem::path path;
    sql::Database db;
    /// Declared after `db`: finalized before it closes.
    std::optional<SyncStatements> sync_statements_;

    /// The sync's statements, prepared at the first sync of this open index.
    Expected<SyncStatements*> sync_statements();

    /// Deletes a repository's packages, releases, dependencies and modules (inside the
    /// caller's transaction).
    Expected<void> clear_repository(std::int64_t repository_id);
};

} // namespace qplug::solver
