// The public problem graph: solvables become nodes, the versions of one package whose
// neighbours are the same merged into one node (libmamba's "siblings"); causes, paths and
// solutions point at those nodes.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <tuple>

#include "solv/model_text.hpp"
#include "solv/problem_graph.hpp"

namespace qplug::solver::solv {

namespace {

/// The graph before merging: one node per solvable (and per missing dependency).
class Builder {
public:
    explicit Builder(const Model& model) : model_(model) {
        nodes_.push_back({ProblemNode::Kind::root, {}, {}, {}, 0});
    }

    std::size_t solvable(Id p) {
        if (auto it = by_solvable_.find(p); it != by_solvable_.end()) {
            return it->second;
        }
        const SolvableInfo* i = model_.info(p);
        Raw node{ProblemNode::Kind::constraint, {}, {}, {}, p};
        if (i == nullptr) {
            node.name = node.display = label(model_, p);
        } else if (i->kind == SolvableInfo::Kind::release || i->kind == SolvableInfo::Kind::extra) {
            node.kind = ProblemNode::Kind::package;
            node.backend = i->backend;
            node.name = i->name;
            node.display = i->display;
        } else if (i->kind == SolvableInfo::Kind::pin) {
            node.name = i->display;
            node.display = label(model_, p);
        } else {
            node.name = i->name;
            node.display = i->kind == SolvableInfo::Kind::qgis ? "QGIS" : "Python";
        }
        nodes_.push_back(std::move(node));
        return by_solvable_[p] = nodes_.size() - 1;
    }

    std::size_t missing(const std::string& what) {
        if (auto it = by_missing_.find(what); it != by_missing_.end()) {
            return it->second;
        }
        nodes_.push_back({ProblemNode::Kind::missing, {}, what, what, 0});
        return by_missing_[what] = nodes_.size() - 1;
    }

    void edge(ProblemEdge::Kind kind, std::size_t from, std::size_t to, std::string dep = {}) {
        edges_.push_back({kind, from, to, std::move(dep)});
    }

    /// Merges package nodes of one name and backend with the same neighbours; returns the
    /// graph and each raw node's merged node.
    ProblemGraph merge(std::vector<std::size_t>& to_merged) const {
        std::vector<std::set<std::tuple<int, std::size_t, std::string>>> in(nodes_.size());
        std::vector<std::set<std::tuple<int, std::size_t, std::string>>> out(nodes_.size());
        for (const auto& e : edges_) {
            out[e.from].emplace(static_cast<int>(e.kind), e.to, e.dependency);
            in[e.to].emplace(static_cast<int>(e.kind), e.from, e.dependency);
        }
        using Key =
            std::tuple<int, std::string, std::set<std::tuple<int, std::size_t, std::string>>,
                       std::set<std::tuple<int, std::size_t, std::string>>>;
        std::map<Key, std::size_t> siblings;
        ProblemGraph g;
        to_merged.assign(nodes_.size(), 0);
        for (std::size_t n = 0; n < nodes_.size(); ++n) {
            const Raw& raw = nodes_[n];
            if (raw.kind == ProblemNode::Kind::package) {
                const Key key{static_cast<int>(*raw.backend), raw.name, in[n], out[n]};
                if (auto it = siblings.find(key); it != siblings.end()) {
                    to_merged[n] = it->second;
                    add_version(g.nodes[it->second], raw.solvable);
                    continue;
                }
                siblings.emplace(key, g.nodes.size());
            }
            to_merged[n] = g.nodes.size();
            ProblemNode node{raw.kind, raw.backend, raw.name, raw.display, {}, {}};
            if (raw.solvable != 0) {
                add_version(node, raw.solvable);
            }
            g.nodes.push_back(std::move(node));
        }
        std::set<std::tuple<int, std::size_t, std::size_t, std::string>> seen;
        for (const auto& e : edges_) {
            const std::size_t from = to_merged[e.from];
            const std::size_t to = to_merged[e.to];
            if (from == to && e.kind != ProblemEdge::Kind::require) {
                continue; // versions of one merged node
            }
            if (seen.emplace(static_cast<int>(e.kind), from, to, e.dependency).second) {
                g.edges.push_back({e.kind, from, to, e.dependency});
            }
        }
        return g;
    }

private:
    struct Raw {
        ProblemNode::Kind kind;
        std::optional<Backend> backend;
        std::string name;
        std::string display;
        Id solvable = 0;
    };

    void add_version(ProblemNode& node, Id p) const {
        const SolvableInfo* i = model_.info(p);
        if (i == nullptr || i->kind == SolvableInfo::Kind::pin) {
            return;
        }
        if (std::find(node.versions.begin(), node.versions.end(), i->version) ==
            node.versions.end()) {
            node.versions.push_back(i->version);
        }
        if (i->installed && std::find(node.installed.begin(), node.installed.end(), i->version) ==
                                node.installed.end()) {
            node.installed.push_back(i->version);
        }
    }

    const Model& model_;
    std::vector<Raw> nodes_;
    std::vector<ProblemEdge> edges_;
    std::map<Id, std::size_t> by_solvable_;
    std::map<std::string, std::size_t> by_missing_;
};

bool names_missing(ProblemCause::Kind kind) {
    return kind == ProblemCause::Kind::missing || kind == ProblemCause::Kind::platform ||
           kind == ProblemCause::Kind::constraint;
}

} // namespace

ProblemGraph graph_data(const ProblemRules& rules, const Simplified& simplified,
                        const Model& model) {
    Builder b(model);
    using EK = ProblemEdge::Kind;
    for (const Id p : rules.requested) {
        b.edge(EK::require, 0, b.solvable(p));
    }
    for (const auto& r : rules.requirements) {
        const std::string what = describe_dependency(model, r.dep);
        const std::size_t from = b.solvable(r.source);
        if (r.providers.empty()) {
            b.edge(EK::require, from, b.missing(what), what);
        }
        for (const Id p : r.providers) {
            b.edge(EK::require, from, b.solvable(p), what);
        }
    }
    for (const auto& c : rules.conflicts) {
        const EK kind = c.kind == ProblemRules::Conflict::Kind::pin ? EK::excludes : EK::conflicts;
        b.edge(kind, b.solvable(c.source), b.solvable(c.target));
    }
    // Nodes for everything the causes and solutions name, before merging.
    std::vector<std::vector<std::size_t>> cause_nodes;
    for (const Cause& c : simplified.causes) {
        auto& nodes = cause_nodes.emplace_back();
        for (const Id p : c.sources) {
            nodes.push_back(b.solvable(p));
        }
        for (const Id p : c.others) {
            nodes.push_back(b.solvable(p));
        }
        if (names_missing(c.kind) && c.kind != ProblemCause::Kind::constraint) {
            nodes.push_back(b.missing(c.subject));
        }
        if (c.kind == ProblemCause::Kind::platform) {
            const bool on_qgis = c.subject.rfind("QGIS", 0) == 0;
            const Id target = on_qgis ? model.qgis_solvable() : model.python_solvable();
            if (target != 0) {
                nodes.push_back(b.solvable(target));
            }
        }
    }
    std::vector<std::vector<std::size_t>> path_nodes;
    for (const auto& chain : simplified.paths) {
        auto& nodes = path_nodes.emplace_back();
        for (const Id p : chain) {
            nodes.push_back(b.solvable(p));
        }
    }
    std::vector<std::vector<std::vector<std::size_t>>> action_nodes;
    for (const auto& actions : simplified.solutions) {
        auto& per_action = action_nodes.emplace_back();
        for (const Action& a : actions) {
            auto& nodes = per_action.emplace_back();
            for (const Id p : a.solvables) {
                nodes.push_back(b.solvable(p));
            }
        }
    }

    std::vector<std::size_t> to;
    ProblemGraph g = b.merge(to);
    g.problem_count = rules.problem_count;
    const auto mapped = [&](const std::vector<std::size_t>& raw, bool keep_repeats) {
        std::vector<std::size_t> out;
        for (const std::size_t n : raw) {
            const std::size_t m = to[n];
            if (keep_repeats ? (out.empty() || out.back() != m)
                             : std::find(out.begin(), out.end(), m) == out.end()) {
                out.push_back(m);
            }
        }
        return out;
    };
    for (std::size_t i = 0; i < simplified.causes.size(); ++i) {
        const Cause& c = simplified.causes[i];
        g.causes.push_back({c.kind,
                            c.subject,
                            mapped(cause_nodes[i], false),
                            std::vector<std::size_t>(c.problems.begin(), c.problems.end()),
                            {}});
    }
    for (const auto& nodes : path_nodes) {
        std::vector<std::size_t> path{0};
        for (const std::size_t m : mapped(nodes, true)) {
            if (path.back() != m) {
                path.push_back(m);
            }
        }
        g.paths.push_back(std::move(path));
    }
    for (std::size_t i = 0; i < simplified.solutions.size(); ++i) {
        ProblemSolution solution;
        for (std::size_t k = 0; k < simplified.solutions[i].size(); ++k) {
            const Action& a = simplified.solutions[i][k];
            SolutionAction action{a.kind, a.subject, mapped(action_nodes[i][k], false), {}};
            for (const Id p : a.solvables) {
                const SolvableInfo* info = model.info(p);
                action.versions.push_back(info != nullptr ? info->version : std::string());
            }
            solution.actions.push_back(std::move(action));
        }
        g.solutions.push_back(std::move(solution));
    }
    return g;
}

} // namespace qplug::solver::solv
