// The index's schema as a list of migrations; docs/index.md describes the tables.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <span>

namespace qplug::solver::schema {

/// migrations()[i] takes the schema from version i to i + 1 (PRAGMA user_version).
std::span<const char* const> migrations();

} // namespace qplug::solver::schema
