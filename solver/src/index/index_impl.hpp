// What the index's .cpp files share.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>

#include <qplug/solver/index.hpp>

#include "index/sqlite.hpp"

namespace qplug::solver {

struct Index::Impl {
    std::filesystem::path path;
    sql::Database db;

    /// Deletes a repository's packages, releases, dependencies and modules (inside the
    /// caller's transaction).
    Expected<void> clear_repository(std::int64_t repository_id);
};

} // namespace qplug::solver
