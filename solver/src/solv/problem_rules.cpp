// Reading libsolv's problems: each problem's rules (solver_findallproblemrules,
// solver_allruleinfos) and solutions (solver_next_solutionelement) in solvable ids.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/model_text.hpp"
#include "solv/problem_graph.hpp"

namespace qplug::solver::solv {

namespace {

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

void read_rule(const RuleInfo& r, std::size_t problem, const Model& model, ProblemRules& out) {
    Pool* pool = model.pool();
    switch (r.type) {
    case SOLVER_RULE_PKG_NOTHING_PROVIDES_DEP:
    case SOLVER_RULE_PKG_REQUIRES:
        out.requirements.push_back({r.source, r.dep, whatprovides(pool, r.dep), problem});
        break;
    case SOLVER_RULE_PKG_CONFLICTS: {
        using Kind = ProblemRules::Conflict::Kind;
        const SolvableInfo* src = model.info(r.source);
        Kind kind = Kind::constraint; // conda "constrains": the target's other versions
        if (src != nullptr && src->kind == SolvableInfo::Kind::pin) {
            kind = Kind::pin;
        } else if (describe_dependency(model, r.dep).rfind("the Python module", 0) == 0) {
            kind = Kind::module;
        }
        out.conflicts.push_back({kind, r.source, r.target, r.dep, problem});
        break;
    }
    case SOLVER_RULE_PKG_SAME_NAME:
        if (model.info(r.source) != nullptr) {
            out.conflicts.push_back(
                {ProblemRules::Conflict::Kind::same_name, r.source, r.target, r.dep, problem});
        }
        break;
    case SOLVER_RULE_JOB: {
        // source: the job's index; target: its flags; dep: what it selects.
        using Kind = ProblemRules::Job::Kind;
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
                    out.jobs.push_back({Kind::older_kept_out, p, problem});
                }
            }
        } else if ((how & SOLVER_JOBMASK) == SOLVER_ERASE) {
            out.jobs.push_back({Kind::erase, r.dep, problem});
        } else if ((how & SOLVER_JOBMASK) == SOLVER_LOCK && i != nullptr &&
                   i->kind == SolvableInfo::Kind::release) {
            out.jobs.push_back({Kind::external, r.dep, problem});
        }
        break;
    }
    case SOLVER_RULE_UPDATE:
    case SOLVER_RULE_FEATURE: {
        const SolvableInfo* i = model.info(r.source);
        if (i != nullptr && i->kind == SolvableInfo::Kind::release) {
            out.jobs.push_back({ProblemRules::Job::Kind::installed_kept, r.source, problem});
        }
        break;
    }
    default:
        break;
    }
}

} // namespace

ProblemRules read_problems(Solver* solver, const Model& model, const std::set<Id>& requested) {
    ProblemRules out;
    out.requested = requested;
    std::size_t index = 0;
    for (Id problem = solver_next_problem(solver, 0); problem != 0;
         problem = solver_next_problem(solver, problem), ++index) {
        QueueOwner rules;
        solver_findallproblemrules(solver, problem, rules.get());
        auto& proof = out.proof.emplace_back();
        for (int k = 0; k < rules.count(); ++k) {
            for (const RuleInfo& r : infos_of(solver, rules[k])) {
                read_rule(r, index, model, out);
            }
            ProblemRules::ProofRule rule;
            rule.type = solver_ruleinfo(solver, rules[k], &rule.from, &rule.to, &rule.dep);
            proof.push_back(rule);
        }
        auto& solutions = out.solutions.emplace_back();
        const unsigned count = solver_solution_count(solver, problem);
        for (Id solution = 1; solution <= static_cast<Id>(count); ++solution) {
            auto& elements = solutions.emplace_back();
            Id element = 0;
            Id p = 0;
            Id rp = 0;
            while ((element = solver_next_solutionelement(solver, problem, solution, element, &p,
                                                          &rp)) != 0) {
                ProblemRules::Element e{p, rp, 0, 0};
                if (p == SOLVER_SOLUTION_JOB || p == SOLVER_SOLUTION_POOLJOB) {
                    e.how = solver->job.elements[rp - 1];
                    e.what = solver->job.elements[rp];
                }
                elements.push_back(e);
            }
        }
    }
    out.problem_count = index;
    return out;
}

} // namespace qplug::solver::solv
