// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/explain.hpp"

#include "solv/problem_graph.hpp"

namespace qplug::solver::solv {

Explanation explain(Solver* solver, const Model& model, const std::set<Id>& requested) {
    const ProblemRules rules = read_problems(solver, model, requested);
    const Simplified simplified = simplify(rules, model);
    Explanation out = render_sentences(rules, simplified, model);
    out.problems = graph_data(rules, simplified, model);
    for (std::size_t i = 0; i < out.problems.causes.size(); ++i) {
        out.problems.causes[i].text = out.summary[i];
    }
    for (std::size_t i = 0; i < out.problems.solutions.size(); ++i) {
        out.problems.solutions[i].text = out.solutions[i];
    }
    return out;
}

void explain_request(Explanation& e, ProblemCause::Kind kind, const std::string& name,
                     std::string sentence) {
    ProblemGraph& g = e.problems;
    if (g.nodes.empty()) {
        g.nodes.push_back({ProblemNode::Kind::root, {}, {}, {}, {}, {}});
    }
    std::size_t node = 0;
    while (node < g.nodes.size() &&
           !(g.nodes[node].kind == ProblemNode::Kind::missing && g.nodes[node].name == name)) {
        ++node;
    }
    if (node == g.nodes.size()) {
        g.nodes.push_back({ProblemNode::Kind::missing, {}, name, name, {}, {}});
        g.edges.push_back({ProblemEdge::Kind::require, 0, node, name});
    }
    g.causes.push_back({kind, name, {node}, {}, sentence});
    e.summary.push_back(std::move(sentence));
}

void offer_solution(Explanation& e, SolutionAction::Kind kind, std::string sentence) {
    e.problems.solutions.push_back({{SolutionAction{kind, {}, {}, {}}}, sentence});
    e.solutions.push_back(std::move(sentence));
}

} // namespace qplug::solver::solv
