// Explaining an unsolvable request from libsolv's problem rules, in the user's terms.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <set>

#include <qplug/solver/resolve.hpp>

#include "solv/libsolv.hpp"
#include "solv/model.hpp"

namespace qplug::solver::solv {

/// Reads the problems (read_problems), simplifies them (simplify) and renders them as
/// sentences (render_sentences) and as data (graph_data, Explanation::problems).
/// The root causes (grouped by package, versions merged), the path from the request to each
/// cause, the solutions libsolv offers (as actions), and the proof (libsolv's decision list
/// rendered with qplug's names, never libsolv's strings).
/// `requested`: the releases that could satisfy the requests (where the paths start).
Explanation explain(Solver* solver, const Model& model, const std::set<Id>& requested);

/// A cause found in a request before libsolv runs (`name`: what it names): its sentence, and
/// in the graph a cause with the name as a `missing` node the root requires.
void explain_request(Explanation& e, ProblemCause::Kind kind, const std::string& name,
                     std::string sentence);
/// A solution to such a cause: one action, its sentence.
void offer_solution(Explanation& e, SolutionAction::Kind kind, std::string sentence);

} // namespace qplug::solver::solv
