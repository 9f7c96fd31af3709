// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/explain.hpp"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <set>

#include <fmt/format.h>

namespace qplug::solver::solv {

namespace {

/// "alpha 2.0, 2.1 (legacy)": the solvables of one name and backend with their versions
/// merged.
std::string merged(const Model& model, const std::vector<Id>& ids) {
    std::map<std::string, std::vector<std::string>> by_name;
    for (const Id p : ids) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr) {
            continue;
        }
        if (i->kind != SolvableInfo::Kind::release && i->kind != SolvableInfo::Kind::extra) {
            by_name[model.label(p)];
            continue;
        }
        auto& versions = by_name[fmt::format("{}\t{}", i->display, backend_name(i->backend))];
        // One entry per version; "[installed]" when the installed release is that version.
        auto same = std::find_if(versions.begin(), versions.end(), [&](const std::string& v) {
            return v == i->version || v == i->version + " [installed]";
        });
        if (same == versions.end()) {
            versions.push_back(i->version + (i->installed ? " [installed]" : ""));
        } else if (i->installed) {
            *same = i->version + " [installed]";
        }
    }
    std::vector<std::string> parts;
    for (const auto& [key, versions] : by_name) {
        const std::size_t tab = key.find('\t');
        if (versions.empty() || tab == std::string::npos) {
            parts.push_back(key);
        } else {
            parts.push_back(fmt::format("{} {} ({})", key.substr(0, tab), fmt::join(versions, ", "),
                                        key.substr(tab + 1)));
        }
    }
    return fmt::format("{}", fmt::join(parts, "; "));
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

struct RuleInfo {
    SolverRuleinfo type;
    Id source, target, dep;
};

std::vector<RuleInfo> infos_of(Solver* solver, Id rule) {
    std::vector<RuleInfo> out;
    QueueOwner q;
    solver_allruleinfos(solver, rule, q.get());
    for (int i = 0; i + 3 < q.count(); i += 4) {
        out.push_back({static_cast<SolverRuleinfo>(q[i]), q[i + 1], q[i + 2], q[i + 3]});
    }
    return out;
}

} // namespace

Explanation explain(Solver* solver, const Model& model, const std::set<Id>& requested) {
    Pool* pool = model.pool();
    Explanation out;
    // Causes keyed by their sentence without the sources; sources merged.
    std::map<std::string, std::vector<Id>> requires_nothing; // dep text -> sources
    std::map<std::string, std::string> unsatisfied_because;  // dep text -> why
    std::map<std::string, std::vector<Id>> platform;         // dep text -> sources
    std::map<std::string, std::pair<std::vector<Id>, std::vector<Id>>> modules; // module -> sides
    std::map<std::string, std::vector<Id>> same_name;                           // name -> versions
    std::map<std::string, std::vector<Id>> pins;                                // pin -> excluded
    std::set<Id> installed_kept;
    std::set<Id> not_downgraded; // installed, older releases kept out (uninstalling allowed)
    std::set<Id> erased;         // what a request removes (erase jobs)
    std::set<Id> external;       // the environment's packages, locked (lock jobs on releases)
    std::vector<std::pair<Id, Id>> edges; // requires: source -> provider
    std::set<Id> causes;
    // For "only one version": per package, each requirement on it and who has it.
    std::map<std::string, std::map<std::string, std::vector<Id>>> required_as;
    auto package_key = [&](Id p) {
        const SolvableInfo* i = model.info(p);
        return i == nullptr ? std::string()
                            : fmt::format("{} ({})", i->display, backend_name(i->backend));
    };

    for (Id problem = solver_next_problem(solver, 0); problem != 0;
         problem = solver_next_problem(solver, problem)) {
        QueueOwner rules;
        solver_findallproblemrules(solver, problem, rules.get());
        for (int k = 0; k < rules.count(); ++k) {
            for (const RuleInfo& r : infos_of(solver, rules[k])) {
                switch (r.type) {
                case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
                case SOLVER_RULE_PKG_REQUIRES: {
                    const std::string what = model.describe_dependency(r.dep);
                    bool any = false;
                    for (const Id p : whatprovides(model.pool(), r.dep)) {
                        any = true;
                        edges.emplace_back(r.source, p);
                        auto& sources = required_as[package_key(p)][spec_of(r.dep, model)];
                        if (std::find(sources.begin(), sources.end(), r.source) == sources.end()) {
                            sources.push_back(r.source);
                        }
                    }
                    if (!any) {
                        if (!model.is_platform_dependency(r.dep)) {
                            unsatisfied_because[what] = model.why_unsatisfied(r.dep);
                        }
                        auto& list = model.is_platform_dependency(r.dep) ? platform[what]
                                                                         : requires_nothing[what];
                        list.push_back(r.source);
                        causes.insert(r.source);
                    }
                    break;
                }
                case SOLVER_RULE_PKG_CONFLICTS: {
                    const SolvableInfo* src = model.info(r.source);
                    const std::string what = model.describe_dependency(r.dep);
                    if (src != nullptr && src->kind == SolvableInfo::Kind::pin) {
                        pins[src->display].push_back(r.target);
                        causes.insert(r.target);
                        break;
                    }
                    if (what.rfind("the Python module", 0) == 0) {
                        const std::string module = what.substr(19, what.find('\'', 19) - 19);
                        auto& sides = modules[module];
                        sides.first.push_back(r.source);
                        sides.second.push_back(r.target);
                        causes.insert(r.source);
                        causes.insert(r.target);
                        break;
                    }
                    // conda "constrains" (a conflict with the target's other versions).
                    requires_nothing[fmt::format("to keep {} within its constraint", what)]
                        .push_back(r.source);
                    causes.insert(r.source);
                    break;
                }
                case SOLVER_RULE_PKG_SAME_NAME: {
                    const SolvableInfo* a = model.info(r.source);
                    if (a != nullptr) {
                        auto& list = same_name[a->display];
                        for (const Id id : {r.source, r.target}) {
                            if (std::find(list.begin(), list.end(), id) == list.end()) {
                                list.push_back(id);
                            }
                        }
                        causes.insert(r.source);
                    }
                    break;
                }
                case SOLVER_RULE_JOB: {
                    // source: the job's index; target: its flags; dep: what it selects.
                    const Id how = r.target;
                    if ((how & SOLVER_SELECTMASK) != SOLVER_SOLVABLE) {
                        break;
                    }
                    const SolvableInfo* i = model.info(r.dep);
                    if ((how & SOLVER_JOBMASK) == SOLVER_ERASE && i != nullptr && !i->installed) {
                        // An older release kept out: the installed one may not be downgraded.
                        const Solvable* older = pool_id2solvable(pool, r.dep);
                        const Repo* system = pool->installed;
                        for (Id p = system->start; p < system->end; ++p) {
                            if (pool_id2solvable(pool, p)->repo == system &&
                                pool_id2solvable(pool, p)->name == older->name) {
                                not_downgraded.insert(p);
                            }
                        }
                    } else if ((how & SOLVER_JOBMASK) == SOLVER_ERASE) {
                        erased.insert(r.dep);
                    } else if ((how & SOLVER_JOBMASK) == SOLVER_LOCK && i != nullptr &&
                               i->kind == SolvableInfo::Kind::release) {
                        external.insert(r.dep);
                    }
                    break;
                }
                case SOLVER_RULE_UPDATE:
                case SOLVER_RULE_FEATURE: {
                    const SolvableInfo* i = model.info(r.source);
                    if (i != nullptr && i->kind == SolvableInfo::Kind::release) {
                        installed_kept.insert(r.source);
                    }
                    break;
                }
                default:
                    break;
                }
            }
        }
    }

    const SolvableInfo* qgis = nullptr;
    const SolvableInfo* python = nullptr;
    for (Id p = 2; p < pool->nsolvables; ++p) {
        const SolvableInfo* i = model.info(p);
        if (i != nullptr && i->kind == SolvableInfo::Kind::qgis) {
            qgis = i;
        }
        if (i != nullptr && i->kind == SolvableInfo::Kind::python) {
            python = i;
        }
    }
    for (const auto& [what, sources] : platform) {
        const bool on_qgis = what.rfind("QGIS", 0) == 0;
        out.summary.push_back(
            fmt::format("{} require{} {}, but the target is {} {}", merged(model, sources),
                        sources.size() == 1 ? "s" : "", what, on_qgis ? "QGIS" : "Python",
                        on_qgis ? (qgis ? qgis->version : "?") : (python ? python->version : "?")));
    }
    for (const auto& [what, sources] : requires_nothing) {
        auto because = unsatisfied_because.find(what);
        out.summary.push_back(fmt::format(
            "{} require{} {}, {}", merged(model, sources), sources.size() == 1 ? "s" : "", what,
            because == unsatisfied_because.end() ? "which no repository offers" : because->second));
    }
    for (const auto& [module, sides] : modules) {
        std::vector<Id> all = sides.first;
        all.insert(all.end(), sides.second.begin(), sides.second.end());
        out.summary.push_back(fmt::format(
            "the Python module '{}' may come from one backend only, but it would come from {}",
            module, merged(model, all)));
    }
    for (const auto& [name, versions] : same_name) {
        // "Common Lib (legacy): only one version can be installed, but it is required as
        // ==1.0 by Base Layers 2.1 (legacy); ==2.0 by Needs Two 1.0 (legacy); 2.0 is installed"
        const std::string key = package_key(versions.front());
        std::vector<std::string> uses;
        if (auto it = required_as.find(key); it != required_as.end()) {
            for (const auto& [spec, sources] : it->second) {
                uses.push_back(fmt::format("{} by {}", spec.empty() ? "any version" : spec,
                                           merged(model, sources)));
            }
        }
        std::vector<std::string> asked;
        std::vector<std::string> installed;
        for (const Id p : versions) {
            const SolvableInfo* i = model.info(p);
            if (i != nullptr && i->installed) {
                installed.push_back(i->version);
            }
            if (requested.count(p) != 0 && i != nullptr) {
                asked.push_back(i->version);
            }
        }
        if (!asked.empty()) {
            uses.push_back(fmt::format("{} by your request", fmt::join(asked, ", ")));
        }
        std::string line =
            fmt::format("{}: only one version can be installed, but it is {}", key,
                        uses.empty() ? std::string("needed as ") + merged(model, versions)
                                     : "required as " + fmt::format("{}", fmt::join(uses, "; ")));
        if (!installed.empty()) {
            line += fmt::format("; {} is installed", fmt::join(installed, ", "));
        }
        out.summary.push_back(line);
    }
    for (const auto& [pin, excluded] : pins) {
        out.summary.push_back(fmt::format("your pin {} excludes {}", pin, merged(model, excluded)));
    }
    // A removal another installed package stands in the way of: name it.
    std::set<Id> dependents;
    std::set<std::string> said;
    for (const auto& [from, to] : edges) {
        const SolvableInfo* f = model.info(from);
        if (erased.count(to) == 0 || erased.count(from) != 0 || f == nullptr || !f->installed) {
            continue;
        }
        for (const auto& [dep, providers] : model.requirements(from)) {
            if (std::find(providers.begin(), providers.end(), to) == providers.end()) {
                continue;
            }
            const std::string line = fmt::format("{} requires {}, which you asked to remove",
                                                 model.label(from), model.describe_dependency(dep));
            if (said.insert(line).second) {
                out.summary.push_back(line);
            }
        }
        dependents.insert(from);
    }
    for (const Id p : dependents) {
        installed_kept.erase(p);
    }
    for (const Id p : external) {
        const ReleaseRecord* r = model.record(p);
        out.summary.push_back(fmt::format(
            "{} belongs to the target's Python environment{} and was not installed by qplug: "
            "qplug leaves it as it is",
            model.label(p),
            r != nullptr && !r->release.path.empty()
                ? " (" + std::filesystem::path(r->release.path).parent_path().string() + ")"
                : std::string()));
        installed_kept.erase(p);
    }
    if (!installed_kept.empty()) {
        out.summary.push_back(fmt::format(
            "{} {} installed and stay{} unless you allow downgrading (--allow-downgrade) or "
            "removing (--allow-uninstall)",
            merged(model, std::vector<Id>(installed_kept.begin(), installed_kept.end())),
            installed_kept.size() == 1 ? "is" : "are", installed_kept.size() == 1 ? "s" : ""));
    }
    for (const Id p : installed_kept) {
        not_downgraded.erase(p);
    }
    if (!not_downgraded.empty()) {
        out.summary.push_back(fmt::format(
            "{} {} installed and {} not downgraded unless you allow downgrading "
            "(--allow-downgrade)",
            merged(model, std::vector<Id>(not_downgraded.begin(), not_downgraded.end())),
            not_downgraded.size() == 1 ? "is" : "are", not_downgraded.size() == 1 ? "is" : "are"));
    }
    if (out.summary.empty()) {
        out.summary.push_back("the requested packages cannot be installed together");
    }

    // Paths: breadth-first from what was requested to each cause, over the requires edges.
    std::map<Id, std::vector<Id>> next;
    for (const auto& [from, to] : edges) {
        next[from].push_back(to);
    }
    std::set<std::string> shown;
    for (const Id start : requested) {
        std::map<Id, Id> parent;
        std::deque<Id> todo{start};
        parent[start] = 0;
        while (!todo.empty()) {
            const Id p = todo.front();
            todo.pop_front();
            if (causes.count(p) != 0 && p != start) {
                std::vector<std::string> chain;
                for (Id q = p; q != 0; q = parent[q]) {
                    chain.push_back(model.label(q));
                }
                std::reverse(chain.begin(), chain.end());
                const std::string path = fmt::format("{}", fmt::join(chain, " -> "));
                if (shown.insert(path).second) {
                    out.paths.push_back(path);
                }
            }
            for (const Id q : next[p]) {
                if (parent.emplace(q, p).second) {
                    todo.push_back(q);
                }
            }
        }
    }

    // Solutions, as actions.
    for (Id problem = solver_next_problem(solver, 0); problem != 0;
         problem = solver_next_problem(solver, problem)) {
        const unsigned count = solver_solution_count(solver, problem);
        for (Id solution = 1; solution <= static_cast<Id>(count); ++solution) {
            std::vector<std::string> actions;
            Id element = 0;
            Id p = 0;
            Id rp = 0;
            while ((element = solver_next_solutionelement(solver, problem, solution, element, &p,
                                                          &rp)) != 0) {
                if (p == SOLVER_SOLUTION_JOB || p == SOLVER_SOLUTION_POOLJOB) {
                    const Id how = solver->job.elements[rp - 1];
                    const Id what = solver->job.elements[rp];
                    const SolvableInfo* target =
                        (how & SOLVER_SELECTMASK) == SOLVER_SOLVABLE ? model.info(what) : nullptr;
                    if (target != nullptr && target->kind == SolvableInfo::Kind::pin) {
                        actions.push_back("drop your pin " + target->display);
                    } else if ((how & SOLVER_JOBMASK) == SOLVER_LOCK && target != nullptr &&
                               target->kind == SolvableInfo::Kind::release) {
                        actions.push_back(fmt::format(
                            "change {} in the Python environment yourself (qplug changes only "
                            "what it installed)",
                            model.label(what)));
                    } else if ((how & SOLVER_JOBMASK) == SOLVER_LOCK) {
                        actions.push_back("target another QGIS or Python version");
                    } else {
                        QueueOwner q;
                        pool_job2solvables(pool, q.get(), how, what);
                        std::vector<Id> ids(q->elements, q->elements + q.count());
                        actions.push_back("drop your request for " + merged(model, ids));
                    }
                } else if (p > 0 && rp == 0) {
                    const SolvableInfo* i = model.info(p);
                    actions.push_back(i != nullptr && i->kind == SolvableInfo::Kind::pin
                                          ? "drop your pin " + i->display
                                      : dependents.count(p) != 0
                                          ? "remove " + model.label(p) + " too"
                                          : "remove " + model.label(p));
                } else if (p > 0 && rp > 0) {
                    actions.push_back(
                        fmt::format("replace {} with {}", model.label(p), model.label(rp)));
                } else if (p == SOLVER_SOLUTION_BEST) {
                    actions.push_back("accept an older release than the newest");
                }
            }
            std::vector<std::string> unique;
            for (auto& a : actions) {
                if (std::find(unique.begin(), unique.end(), a) == unique.end()) {
                    unique.push_back(std::move(a));
                }
            }
            actions = std::move(unique);
            if (!actions.empty()) {
                const std::string text = fmt::format("{}", fmt::join(actions, ", and "));
                if (std::find(out.solutions.begin(), out.solutions.end(), text) ==
                    out.solutions.end()) {
                    out.solutions.push_back(text);
                }
            }
        }
    }
    if (std::any_of(out.summary.begin(), out.summary.end(), [](const std::string& s) {
            return s.find("which no repository offers") != std::string::npos ||
                   s.find("offered") != std::string::npos;
        })) {
        out.solutions.push_back("add and sync a repository that offers what is missing, or "
                                "ask the plugin's authors to update its dependencies");
    }

    // Proof: for each problem, the rules libsolv found that cannot all hold together, in
    // qplug's words. Not libsolv 0.7.23's decision list (solver_get_decisionlist): for some
    // problems its proof walk calls abort() (an installed release whose requirement was unmet
    // before, a downgrade refused while uninstalling is allowed: scenario p07), and its
    // SOLVER_DECISIONLIST_SORTED form reads outside the pool when it compares two erase jobs'
    // flags as solvable ids (`qplug remove` of a plugin another installed plugin needs, q20).
    for (Id problem = solver_next_problem(solver, 0); problem != 0;
         problem = solver_next_problem(solver, problem)) {
        QueueOwner rules;
        solver_findallproblemrules(solver, problem, rules.get());
        for (int i = 0; i < rules.count(); ++i) {
            Id from = 0, to = 0, dep = 0;
            const SolverRuleinfo type = solver_ruleinfo(solver, rules[i], &from, &to, &dep);
            std::string why;
            switch (type & SOLVER_RULE_TYPEMASK) {
            case SOLVER_RULE_JOB:
                why = "your request (or the target's marks and pins)";
                break;
            case SOLVER_RULE_PKG:
                if (type == SOLVER_RULE_PKG_REQUIRES ||
                    type == SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP) {
                    why = fmt::format("{} requires {}", model.label(from),
                                      model.describe_dependency(dep));
                } else if (type == SOLVER_RULE_PKG_CONFLICTS) {
                    why = fmt::format("{} conflicts with {}", model.label(from), model.label(to));
                } else if (type == SOLVER_RULE_PKG_SAME_NAME) {
                    why = fmt::format("only one of {} and {}", model.label(from), model.label(to));
                } else {
                    why = "a package rule";
                }
                break;
            case SOLVER_RULE_UPDATE:
            case SOLVER_RULE_FEATURE:
                why = fmt::format("{} is installed and stays", model.label(from));
                break;
            case SOLVER_RULE_LEARNT:
                why = "follows from the others";
                break;
            default:
                why = "a solver rule";
            }
            out.proof.push_back(why);
        }
        if (rules.count() > 0) {
            out.proof.push_back("=> these cannot all hold");
        }
    }
    return out;
}

} // namespace qplug::solver::solv
