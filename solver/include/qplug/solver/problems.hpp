// Why no plan exists, as data: the problem graph that explanations are rendered from
// (docs/resolve.md, "The problem graph"). Built from libsolv's problem rules, simplified
// (versions of one package merged, paths over the merged nodes), then rendered: the English
// sentences of Explanation are one rendering, JSON (resolution_json) another.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// One node of the simplified graph. Node 0 is always the root (the request).
struct ProblemNode {
    enum class Kind {
        root,       ///< what was asked for
        package,    ///< releases of one package of one backend (versions merged)
        missing,    ///< a dependency nothing satisfies (its text in `name`)
        constraint, ///< the target's QGIS or Python, or a pin
    };
    Kind kind = Kind::package;
    std::optional<Backend> backend;     ///< packages
    std::string name;                   ///< a package's key; "qgis", "python"; a pin's target
    std::string display;                ///< as the sentences name it
    std::vector<std::string> versions;  ///< packages, the target's QGIS or Python: each once
    std::vector<std::string> installed; ///< those of `versions` that are installed
};

/// A relation between two nodes.
struct ProblemEdge {
    enum class Kind {
        require,   ///< `from` needs `to` (root: asked for); "requires" in JSON
        conflicts, ///< not both: one module from two backends, two versions, a conda constraint
        excludes,  ///< a pin (`from`) keeps `to` out
    };
    Kind kind = Kind::require;
    std::size_t from = 0;
    std::size_t to = 0;
    std::string dependency; ///< requires: the dependency as the user reads it
};

/// One root cause: exactly one sentence of Explanation::summary, in the same order.
struct ProblemCause {
    enum class Kind {
        missing,         ///< a dependency no repository offers (or only other versions)
        platform,        ///< a QGIS or Python range the target is outside of
        constraint,      ///< a conda "constrains" entry
        module_conflict, ///< one Python module from two backends
        one_version,     ///< two versions of one package required at once
        pin,             ///< a pin excludes what is needed
        removal_needed,  ///< a removal an installed package stands in the way of
        external,        ///< the target's Python environment's own package, left as it is
        installed_kept,  ///< installed releases stay (no downgrading or uninstalling allowed)
        not_downgraded,  ///< installed releases are not downgraded
        unknown,         ///< none of these (libsolv gave no rule qplug reads)
        // Said of a request before libsolv runs (its node: a `missing` one, the name):
        not_installed,       ///< an upgrade of what is not installed
        no_matching_version, ///< no release of the name matches the spec
        unknown_package,     ///< no repository offers the name
        left_out_by_policy,  ///< the policy leaves its releases out
    };
    Kind kind = Kind::unknown;
    /// What it is about: the dependency's text, the module, the pin, the package.
    std::string subject;
    std::vector<std::size_t> nodes;    ///< the nodes involved (sources first)
    std::vector<std::size_t> problems; ///< libsolv's problems it comes from (0-based)
    std::string text;                  ///< its sentence (the English rendering)
};

/// One action of a solution.
struct SolutionAction {
    enum class Kind {
        drop_request,    ///< do not ask for `nodes`
        drop_pin,        ///< drop the pin `subject`
        remove,          ///< remove `nodes` (version in `versions`)
        replace,         ///< replace nodes[0] at versions[0] with nodes[1] at versions[1]
        change_external, ///< change the environment's package yourself
        retarget,        ///< target another QGIS or Python version
        accept_older,    ///< accept an older release than the newest
        add_repository,  ///< add a repository that offers what is missing
        change_request,  ///< ask for something else (another version, the exact one, a name)
        change_policy,   ///< allow experimental, deprecated or newer releases
    };
    Kind kind = Kind::drop_request;
    std::string subject;               ///< drop_pin: the pin
    std::vector<std::size_t> nodes;    ///< the nodes of the releases it names
    std::vector<std::string> versions; ///< the version of each release it names, in order
};

/// One solution: exactly one sentence of Explanation::solutions, in the same order.
struct ProblemSolution {
    std::vector<SolutionAction> actions;
    std::string text; ///< its sentence (the English rendering)
};

struct ProblemGraph {
    std::size_t problem_count = 0; ///< libsolv's problems (independent conflicts)
    std::vector<ProblemNode> nodes;
    std::vector<ProblemEdge> edges;
    std::vector<ProblemCause> causes;
    /// From the root to a cause, node by node; one per sentence of Explanation::paths.
    std::vector<std::vector<std::size_t>> paths;
    std::vector<ProblemSolution> solutions;
};

std::string_view node_kind_name(ProblemNode::Kind kind);
std::string_view edge_kind_name(ProblemEdge::Kind kind);
std::string_view cause_kind_name(ProblemCause::Kind kind);
std::string_view action_kind_name(SolutionAction::Kind kind);

/// The graph as JSON (the "problems" member of resolution_json's "explanation").
std::string problem_graph_json(const ProblemGraph& graph);

} // namespace qplug::solver
