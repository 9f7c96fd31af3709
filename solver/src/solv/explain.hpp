// Explaining an unsolvable request from libsolv's problem rules, in the user's terms.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <set>

#include <qplug/solver/resolve.hpp>

#include "solv/libsolv.hpp"
#include "solv/model.hpp"

namespace qplug::solver::solv {

/// The root causes (grouped by package, versions merged), the path from the request to each
/// cause, the solutions libsolv offers (as actions), and the proof (libsolv's decision list
/// rendered with qplug's names, never libsolv's strings).
/// `requested`: the releases that could satisfy the requests (where the paths start).
Explanation explain(Solver* solver, const Model& model, const std::set<Id>& requested);

} // namespace qplug::solver::solv
