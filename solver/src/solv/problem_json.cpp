// The problem graph as JSON (docs/resolve.md, "The problem graph").
// SPDX-License-Identifier: GPL-2.0-or-later
#include <nlohmann/json.hpp>

#include <qplug/solver/problems.hpp>

namespace qplug::solver {

std::string_view node_kind_name(ProblemNode::Kind kind) {
    switch (kind) {
    case ProblemNode::Kind::root:
        return "root";
    case ProblemNode::Kind::package:
        return "package";
    case ProblemNode::Kind::missing:
        return "missing";
    case ProblemNode::Kind::constraint:
        break;
    }
    return "constraint";
}

std::string_view edge_kind_name(ProblemEdge::Kind kind) {
    switch (kind) {
    case ProblemEdge::Kind::require:
        return "requires";
    case ProblemEdge::Kind::conflicts:
        return "conflicts";
    case ProblemEdge::Kind::excludes:
        break;
    }
    return "excludes";
}

std::string_view cause_kind_name(ProblemCause::Kind kind) {
    using K = ProblemCause::Kind;
    switch (kind) {
    case K::missing:
        return "missing";
    case K::platform:
        return "platform";
    case K::constraint:
        return "constraint";
    case K::module_conflict:
        return "module_conflict";
    case K::one_version:
        return "one_version";
    case K::pin:
        return "pin";
    case K::removal_needed:
        return "removal_needed";
    case K::external:
        return "external";
    case K::installed_kept:
        return "installed_kept";
    case K::not_downgraded:
        return "not_downgraded";
    case K::not_installed:
        return "not_installed";
    case K::no_matching_version:
        return "no_matching_version";
    case K::unknown_package:
        return "unknown_package";
    case K::left_out_by_policy:
        return "left_out_by_policy";
    case K::unknown:
        break;
    }
    return "unknown";
}

std::string_view action_kind_name(SolutionAction::Kind kind) {
    using K = SolutionAction::Kind;
    switch (kind) {
    case K::drop_request:
        return "drop_request";
    case K::drop_pin:
        return "drop_pin";
    case K::remove:
        return "remove";
    case K::replace:
        return "replace";
    case K::change_external:
        return "change_external";
    case K::retarget:
        return "retarget";
    case K::accept_older:
        return "accept_older";
    case K::change_request:
        return "change_request";
    case K::change_policy:
        return "change_policy";
    case K::add_repository:
        break;
    }
    return "add_repository";
}

std::string problem_graph_json(const ProblemGraph& graph) {
    using json = nlohmann::ordered_json;
    json nodes = json::array();
    for (std::size_t i = 0; i < graph.nodes.size(); ++i) {
        const ProblemNode& n = graph.nodes[i];
        json node = {{"id", i}, {"kind", node_kind_name(n.kind)}};
        if (n.kind != ProblemNode::Kind::root) {
            node["name"] = n.name;
            node["display"] = n.display;
            node["backend"] = n.backend ? json(backend_name(*n.backend)) : json(nullptr);
            node["versions"] = n.versions;
            node["installed"] = n.installed;
        }
        nodes.push_back(std::move(node));
    }
    json edges = json::array();
    for (const ProblemEdge& e : graph.edges) {
        edges.push_back({{"kind", edge_kind_name(e.kind)},
                         {"from", e.from},
                         {"to", e.to},
                         {"dependency", e.dependency}});
    }
    json causes = json::array();
    for (const ProblemCause& c : graph.causes) {
        causes.push_back({{"kind", cause_kind_name(c.kind)},
                          {"subject", c.subject},
                          {"nodes", c.nodes},
                          {"problems", c.problems},
                          {"text", c.text}});
    }
    json solutions = json::array();
    for (const ProblemSolution& s : graph.solutions) {
        json actions = json::array();
        for (const SolutionAction& a : s.actions) {
            actions.push_back({{"kind", action_kind_name(a.kind)},
                               {"subject", a.subject},
                               {"nodes", a.nodes},
                               {"versions", a.versions}});
        }
        solutions.push_back({{"actions", std::move(actions)}, {"text", s.text}});
    }
    const json out = {{"count", graph.problem_count}, {"nodes", std::move(nodes)},
                      {"edges", std::move(edges)},    {"causes", std::move(causes)},
                      {"paths", graph.paths},         {"solutions", std::move(solutions)}};
    return out.dump();
}

} // namespace qplug::solver
