// Simplifying the problem rules: root causes grouped by what they are about (sources merged
// across rules and problems), the paths from the request to them, the solutions as actions;
// whatever would read the same is said once.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <deque>

#include <fmt/format.h>

#include "solv/model_text.hpp"
#include "solv/problem_graph.hpp"

namespace qplug::solver::solv {

namespace {

using Kind = ProblemCause::Kind;

template <class T>
void push_unique(std::vector<T>& list, const T& value) {
    if (std::find(list.begin(), list.end(), value) == list.end()) {
        list.push_back(value);
    }
}

/// The spec part of a namespace dependency ("==1.0"), as written.
std::string spec_of(Id dep, const Model& model) {
    if (!is_reldep(dep)) {
        return "";
    }
    const std::string text = pool_id2str(model.pool(), get_reldep(model.pool(), dep)->name);
    const std::size_t hash = text.find('#');
    return hash == std::string::npos ? "" : text.substr(hash + 1);
}

std::string package_key(const Model& model, Id p) {
    const SolvableInfo* i = model.info(p);
    return i == nullptr ? std::string()
                        : fmt::format("{} ({})", i->display, backend_name(i->backend));
}

/// Causes keyed as their sentences group them (std::map: in the sentences' order).
struct Grouped {
    std::map<std::string, Cause> platform;    // dep text
    std::map<std::string, Cause> missing;     // dep text, or "to keep X within ..."
    std::map<std::string, Cause> modules;     // module
    std::map<std::string, Cause> one_version; // display name
    std::map<std::string, Cause> pins;        // pin
    std::set<Id> installed_kept, not_downgraded, erased, external;
    std::map<Id, std::set<std::size_t>> job_problems;
    std::vector<std::pair<Id, Id>> edges; // requires: source -> provider
    std::set<Id> causes;                  // the solvables paths lead to
    // For "only one version": per package, each requirement on it and who has it.
    std::map<std::string, std::map<std::string, std::vector<Id>>> required_as;
};

Cause& cause_at(std::map<std::string, Cause>& map, const std::string& key, Kind kind,
                std::size_t problem) {
    Cause& c = map[key];
    c.kind = kind;
    c.subject = key;
    c.problems.insert(problem);
    return c;
}

Grouped group(const ProblemRules& rules, const Model& model) {
    Grouped g;
    for (const auto& r : rules.requirements) {
        for (const Id p : r.providers) {
            g.edges.emplace_back(r.source, p);
            push_unique(g.required_as[package_key(model, p)][spec_of(r.dep, model)], r.source);
        }
        if (!r.providers.empty()) {
            continue;
        }
        const std::string what = describe_dependency(model, r.dep);
        const bool on_platform = model.is_platform_dependency(r.dep);
        Cause& c = cause_at(on_platform ? g.platform : g.missing, what,
                            on_platform ? Kind::platform : Kind::missing, r.problem);
        if (!on_platform) {
            c.because = why_unsatisfied(model, r.dep);
        }
        c.dep = r.dep;
        c.sources.push_back(r.source);
        g.causes.insert(r.source);
    }
    for (const auto& r : rules.conflicts) {
        using Conflict = ProblemRules::Conflict::Kind;
        switch (r.kind) {
        case Conflict::pin: {
            Cause& c = cause_at(g.pins, model.info(r.source)->display, Kind::pin, r.problem);
            c.sources.push_back(r.target);
            g.causes.insert(r.target);
            break;
        }
        case Conflict::module: {
            const std::string what = describe_dependency(model, r.dep);
            Cause& c = cause_at(g.modules, what.substr(19, what.find('\'', 19) - 19),
                                Kind::module_conflict, r.problem);
            c.sources.push_back(r.source);
            c.others.push_back(r.target);
            g.causes.insert(r.source);
            g.causes.insert(r.target);
            break;
        }
        case Conflict::constraint: {
            const std::string what = describe_dependency(model, r.dep);
            Cause& c = cause_at(g.missing, fmt::format("to keep {} within its constraint", what),
                                Kind::constraint, r.problem);
            c.sources.push_back(r.source);
            g.causes.insert(r.source);
            break;
        }
        case Conflict::same_name: {
            Cause& c = cause_at(g.one_version, model.info(r.source)->display, Kind::one_version,
                                r.problem);
            push_unique(c.others, r.source);
            push_unique(c.others, r.target);
            g.causes.insert(r.source);
            break;
        }
        }
    }
    for (const auto& j : rules.jobs) {
        using Job = ProblemRules::Job::Kind;
        switch (j.kind) {
        case Job::erase:
            g.erased.insert(j.solvable);
            break;
        case Job::older_kept_out:
            g.not_downgraded.insert(j.solvable);
            break;
        case Job::external:
            g.external.insert(j.solvable);
            break;
        case Job::installed_kept:
            g.installed_kept.insert(j.solvable);
            break;
        }
        g.job_problems[j.solvable].insert(j.problem);
    }
    return g;
}

/// The libsolv problems a set of solvables' job rules come from.
std::set<std::size_t> problems_of(const Grouped& g, const std::set<Id>& ids) {
    std::set<std::size_t> out;
    for (const Id p : ids) {
        if (auto it = g.job_problems.find(p); it != g.job_problems.end()) {
            out.insert(it->second.begin(), it->second.end());
        }
    }
    return out;
}

std::set<std::size_t> all_problems(const ProblemRules& rules) {
    std::set<std::size_t> out;
    for (std::size_t i = 0; i < rules.problem_count; ++i) {
        out.insert(i);
    }
    return out;
}

/// Root causes in the order the summary lists them. `dependents`: the installed releases
/// that stand in the way of a removal.
std::vector<Cause> causes_of(const ProblemRules& rules, Grouped& g, const Model& model,
                             std::set<Id>& dependents) {
    std::vector<Cause> out;
    for (auto* map : {&g.platform, &g.missing, &g.modules}) {
        for (auto& [key, cause] : *map) {
            out.push_back(std::move(cause));
        }
    }
    for (auto& [name, cause] : g.one_version) {
        // "Common Lib (legacy): only one version can be installed, but it is required as
        // ==1.0 by Base Layers 2.1 (legacy); ==2.0 by Needs Two 1.0 (legacy)"
        cause.subject = package_key(model, cause.others.front());
        if (auto it = g.required_as.find(cause.subject); it != g.required_as.end()) {
            for (const auto& [spec, sources] : it->second) {
                cause.required_as.emplace_back(spec, sources);
                for (const Id s : sources) {
                    push_unique(cause.sources, s);
                }
            }
        }
        out.push_back(std::move(cause));
    }
    for (auto& [pin, cause] : g.pins) {
        out.push_back(std::move(cause));
    }
    // A removal another installed package stands in the way of: name it.
    std::set<std::string> said;
    for (const auto& [from, to] : g.edges) {
        const SolvableInfo* f = model.info(from);
        if (g.erased.count(to) == 0 || g.erased.count(from) != 0 || f == nullptr || !f->installed) {
            continue;
        }
        for (const auto& [dep, providers] : model.requirements(from)) {
            if (std::find(providers.begin(), providers.end(), to) == providers.end()) {
                continue;
            }
            const std::string line =
                fmt::format("{} requires {}", label(model, from), describe_dependency(model, dep));
            if (said.insert(line).second) {
                Cause c;
                c.kind = Kind::removal_needed;
                c.subject = describe_dependency(model, dep);
                c.sources = {from};
                c.others = {to};
                c.dep = dep;
                c.problems = problems_of(g, {to});
                out.push_back(std::move(c));
            }
        }
        dependents.insert(from);
    }
    for (const Id p : dependents) {
        g.installed_kept.erase(p);
    }
    for (const Id p : g.external) {
        Cause c;
        c.kind = Kind::external;
        c.subject = label(model, p);
        c.sources = {p};
        c.problems = problems_of(g, {p});
        out.push_back(std::move(c));
        g.installed_kept.erase(p);
    }
    if (!g.installed_kept.empty()) {
        Cause c;
        c.kind = Kind::installed_kept;
        c.sources.assign(g.installed_kept.begin(), g.installed_kept.end());
        c.problems = problems_of(g, g.installed_kept);
        out.push_back(std::move(c));
    }
    for (const Id p : g.installed_kept) {
        g.not_downgraded.erase(p);
    }
    if (!g.not_downgraded.empty()) {
        Cause c;
        c.kind = Kind::not_downgraded;
        c.sources.assign(g.not_downgraded.begin(), g.not_downgraded.end());
        c.problems = problems_of(g, g.not_downgraded);
        out.push_back(std::move(c));
    }
    if (out.empty()) {
        Cause c;
        c.kind = Kind::unknown;
        c.problems = all_problems(rules);
        out.push_back(std::move(c));
    }
    return out;
}

/// Breadth-first from what was requested to each cause, over the requires edges; each path
/// once (as its labels read).
std::vector<std::vector<Id>> paths_of(const ProblemRules& rules, const Grouped& g,
                                      const Model& model) {
    std::map<Id, std::vector<Id>> next;
    for (const auto& [from, to] : g.edges) {
        next[from].push_back(to);
    }
    std::vector<std::vector<Id>> out;
    std::set<std::vector<std::string>> shown;
    for (const Id start : rules.requested) {
        std::map<Id, Id> parent;
        std::deque<Id> todo{start};
        parent[start] = 0;
        while (!todo.empty()) {
            const Id p = todo.front();
            todo.pop_front();
            if (g.causes.count(p) != 0 && p != start) {
                std::vector<Id> chain;
                for (Id q = p; q != 0; q = parent[q]) {
                    chain.push_back(q);
                }
                std::reverse(chain.begin(), chain.end());
                std::vector<std::string> labels;
                for (const Id q : chain) {
                    labels.push_back(label(model, q));
                }
                if (shown.insert(labels).second) {
                    out.push_back(std::move(chain));
                }
            }
            for (const Id q : next[p]) {
                if (parent.emplace(q, p).second) {
                    todo.push_back(q);
                }
            }
        }
    }
    return out;
}

Action action_of(const ProblemRules::Element& e, const Model& model, const std::set<Id>& dependents,
                 bool& known) {
    using A = SolutionAction::Kind;
    known = true;
    if (e.p == SOLVER_SOLUTION_JOB || e.p == SOLVER_SOLUTION_POOLJOB) {
        const SolvableInfo* target =
            (e.how & SOLVER_SELECTMASK) == SOLVER_SOLVABLE ? model.info(e.what) : nullptr;
        if (target != nullptr && target->kind == SolvableInfo::Kind::pin) {
            return {A::drop_pin, {}, target->display, false};
        }
        if ((e.how & SOLVER_JOBMASK) == SOLVER_LOCK && target != nullptr &&
            target->kind == SolvableInfo::Kind::release) {
            return {A::change_external, {e.what}, {}, false};
        }
        if ((e.how & SOLVER_JOBMASK) == SOLVER_LOCK) {
            return {A::retarget, {}, {}, false};
        }
        QueueOwner q;
        pool_job2solvables(model.pool(), q.get(), e.how, e.what);
        return {A::drop_request, std::vector<Id>(q->elements, q->elements + q.count()), {}, false};
    }
    if (e.p > 0 && e.rp == 0) {
        const SolvableInfo* i = model.info(e.p);
        if (i != nullptr && i->kind == SolvableInfo::Kind::pin) {
            return {A::drop_pin, {}, i->display, false};
        }
        return {A::remove, {e.p}, {}, dependents.count(e.p) != 0};
    }
    if (e.p > 0 && e.rp > 0) {
        return {A::replace, {e.p, e.rp}, {}, false};
    }
    if (e.p == SOLVER_SOLUTION_BEST) {
        return {A::accept_older, {}, {}, false};
    }
    known = false;
    return {};
}

} // namespace

Simplified simplify(const ProblemRules& rules, const Model& model) {
    Simplified out;
    Grouped g = group(rules, model);
    std::set<Id> dependents;
    out.causes = causes_of(rules, g, model, dependents);
    out.paths = paths_of(rules, g, model);

    // Solutions: each action once within a solution, each solution once (as they read).
    std::set<std::string> said;
    for (const auto& problem : rules.solutions) {
        for (const auto& elements : problem) {
            std::vector<Action> actions;
            std::vector<std::string> texts;
            for (const auto& e : elements) {
                bool known = false;
                Action a = action_of(e, model, dependents, known);
                if (!known) {
                    continue;
                }
                std::string text = action_text(a, model);
                if (std::find(texts.begin(), texts.end(), text) == texts.end()) {
                    texts.push_back(std::move(text));
                    actions.push_back(std::move(a));
                }
            }
            if (!actions.empty() &&
                said.insert(fmt::format("{}", fmt::join(texts, ", and "))).second) {
                out.solutions.push_back(std::move(actions));
            }
        }
    }
    const bool something_missing =
        std::any_of(out.causes.begin(), out.causes.end(), [](const Cause& c) {
            return (c.kind == Kind::missing || c.kind == Kind::constraint) &&
                   (c.because.empty() || c.because.find("offered") != std::string::npos ||
                    c.because.find("which no repository offers") != std::string::npos);
        });
    if (something_missing) {
        out.solutions.push_back({Action{SolutionAction::Kind::add_repository, {}, {}, false}});
    }
    return out;
}

} // namespace qplug::solver::solv
