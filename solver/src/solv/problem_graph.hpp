// The stages of an explanation (after libmamba's ProblemsGraph -> simplify -> render):
// read_problems() takes libsolv's problem rules and solutions into qplug's terms (solvable
// ids, nothing merged); simplify() groups them into root causes (one per sentence, versions
// merged per package), paths and solutions; render_sentences() and graph_data() render the
// result as English and as the public ProblemGraph.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include <qplug/solver/problems.hpp>
#include <qplug/solver/resolve.hpp>

#include "solv/libsolv.hpp"
#include "solv/model.hpp"

namespace qplug::solver::solv {

/// What the problem rules say, per rule, in solvable ids.
struct ProblemRules {
    struct Requirement {
        Id source = 0;
        Id dep = 0;
        std::vector<Id> providers; ///< empty: nothing satisfies it
        std::size_t problem = 0;
    };
    struct Conflict {
        enum class Kind { pin, module, constraint, same_name };
        Kind kind = Kind::same_name;
        Id source = 0;
        Id target = 0;
        Id dep = 0;
        std::size_t problem = 0;
    };
    /// A job or update rule: what a request removes, keeps out or locks, what stays.
    struct Job {
        enum class Kind { erase, older_kept_out, external, installed_kept };
        Kind kind = Kind::erase;
        Id solvable = 0;
        std::size_t problem = 0;
    };
    /// One element of a libsolv solution (solver_next_solutionelement), job elements
    /// resolved to the job's flags and selection.
    struct Element {
        Id p = 0;
        Id rp = 0;
        Id how = 0;
        Id what = 0;
    };
    /// A rule as the proof lists it (solver_ruleinfo).
    struct ProofRule {
        SolverRuleinfo type{};
        Id from = 0;
        Id to = 0;
        Id dep = 0;
    };

    std::size_t problem_count = 0;
    std::set<Id> requested; ///< the releases that could satisfy the requests
    std::vector<Requirement> requirements;
    std::vector<Conflict> conflicts;
    std::vector<Job> jobs;
    /// Per problem, per solution, its elements.
    std::vector<std::vector<std::vector<Element>>> solutions;
    /// Per problem, its rules.
    std::vector<std::vector<ProofRule>> proof;
};

ProblemRules read_problems(Solver* solver, const Model& model, const std::set<Id>& requested);

/// One root cause with the solvables it names, merged as its sentence merges them.
struct Cause {
    ProblemCause::Kind kind = ProblemCause::Kind::unknown;
    std::string subject;     ///< the dependency's text, the module, the pin, a package key
    std::string because;     ///< missing: why nothing satisfies it
    std::vector<Id> sources; ///< who has it
    std::vector<Id> others;  ///< module: the other side; one_version: the versions
    /// one_version: each spec required of the package and who requires it.
    std::vector<std::pair<std::string, std::vector<Id>>> required_as;
    Id dep = 0; ///< removal_needed: the requirement
    std::set<std::size_t> problems;
};

/// One action of a solution, before it is worded.
struct Action {
    SolutionAction::Kind kind = SolutionAction::Kind::drop_request;
    std::vector<Id> solvables; ///< replace: from, to
    std::string subject;       ///< drop_pin: the pin
    bool too = false;          ///< remove: a package that stands in the way of a removal
};

struct Simplified {
    std::vector<Cause> causes;
    std::vector<std::vector<Id>> paths; ///< from a requested release to a cause
    std::vector<std::vector<Action>> solutions;
};

Simplified simplify(const ProblemRules& rules, const Model& model);

/// "alpha 2.0, 2.1 (legacy)": solvables merged per name and backend.
std::string merged(const Model& model, const std::vector<Id>& ids);
/// An action as a solution words it: "drop your request for ...", "remove ...".
std::string action_text(const Action& action, const Model& model);
/// The English explanation: summary (one line per cause), paths, solutions, proof.
Explanation render_sentences(const ProblemRules& rules, const Simplified& simplified,
                             const Model& model);
/// The public graph: one node per package and backend whose versions share their neighbours,
/// the causes, paths and solutions over those nodes.
ProblemGraph graph_data(const ProblemRules& rules, const Simplified& simplified,
                        const Model& model);

} // namespace qplug::solver::solv
