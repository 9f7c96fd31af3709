// A release's dependencies as one JSON array in its row (releases.dependencies_json): an array
// per dependency, [kind, target, spec, markers, extra, is_constraint]. One column instead of a
// row per dependency makes a large import several times faster; the `dependencies` view unpacks
// it with json_each for SQL readers (docs/index.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// `[["pip","numpy",">=1.21","","",0],...]`; "[]" for none.
std::string dependencies_to_json(const std::vector<Dependency>& dependencies);

/// Reads what dependencies_to_json (or the migration's json_group_array) wrote; an error for
/// anything else (a damaged index).
Expected<std::vector<Dependency>> dependencies_from_json(std::string_view json);

/// A release's modules in its row (releases.modules_json, schema 5; the `modules` view unpacks
/// them): `["a","b"]`, sorted and without repeats, as the table they replace kept them.
std::string modules_to_json(const std::vector<std::string>& modules);

/// Reads what modules_to_json (or the migration's json_group_array) wrote; an error for
/// anything else.
Expected<std::vector<std::string>> modules_from_json(std::string_view json);

} // namespace qplug::solver
