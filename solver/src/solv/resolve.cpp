// resolve(): the model, the jobs, libsolv's solver, and the plan or the explanation.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/pep508.hpp>

#include "errors.hpp"
#include "solv/explain.hpp"
#include "solv/model.hpp"
#include "solv/model_text.hpp"
#include "solv/plugin_backends.hpp"

namespace qplug::solver {

std::string_view action_name(PlanStep::Action action) {
    switch (action) {
    case PlanStep::Action::install:
        return "install";
    case PlanStep::Action::upgrade:
        return "upgrade";
    case PlanStep::Action::downgrade:
        return "downgrade";
    case PlanStep::Action::remove:
        return "remove";
    case PlanStep::Action::keep:
        return "keep";
    }
    return "?";
}

namespace {

/// "name[a, b]" -> name "name", extras {a, b} (canonical, each once), read as a PEP 508
/// requirement (packaging's grammar). The error when the name has brackets but is not that.
std::optional<Error> split_extras(Request& r) {
    if (r.name.find_first_of("[]") == std::string::npos) {
        return std::nullopt;
    }
    auto requirement = version::pep508::parse_requirement(r.name);
    if (!requirement || !requirement->url.empty() || !requirement->specifier.empty() ||
        requirement->marker) {
        Error e;
        e.what = "request";
        e.input = r.text;
        e.message = "'" + r.name + "' is not a pip name with extras (name[extra,...])";
        return e;
    }
    std::set<std::string> extras;
    for (const auto& extra : requirement->extras) {
        extras.insert(normalize_pip_name(extra));
    }
    r.extras.assign(extras.begin(), extras.end());
    r.name = requirement->name;
    return std::nullopt;
}

} // namespace

Expected<Request> parse_request(std::string_view text, Request::Action action) {
    Request r;
    r.action = action;
    r.text = std::string(text);
    std::string_view rest = unicode::strip(text);
    for (const Backend b : {Backend::legacy, Backend::pip, Backend::conda}) {
        const std::string prefix = std::string(backend_name(b)) + ":";
        if (rest.substr(0, prefix.size()) == prefix) {
            r.backend = b;
            rest = unicode::strip(rest.substr(prefix.size()));
            break;
        }
    }
    // A plugin name may hold spaces: the spec starts at the first operator character. A
    // conda spec may start with a version ("numpy 1.26.*"): for conda a blank ends the name.
    std::size_t cut = rest.find_first_of("=<>!~");
    if (r.backend == Backend::conda) {
        cut = std::min(cut, rest.find(' '));
    }
    r.name = std::string(unicode::strip(rest.substr(0, cut)));
    if (cut != std::string_view::npos) {
        r.spec = std::string(unicode::strip(rest.substr(cut)));
    }
    if (!r.backend || *r.backend == Backend::pip) {
        if (auto failed = split_extras(r); failed && r.backend) {
            return std::move(*failed);
        }
    }
    if (r.name.empty() && !(action == Request::Action::upgrade && r.spec.empty())) {
        Error e;
        e.what = "request";
        e.input = r.text;
        e.message = "names no package";
        return e;
    }
    return r;
}

namespace {

using solv::Model;
using solv::SolvableInfo;

PlanStep step_for(const Model& model, Id p, PlanStep::Action action) {
    PlanStep step;
    step.action = action;
    const SolvableInfo* i = model.info(p);
    if (i == nullptr) {
        return step;
    }
    step.backend = i->backend;
    step.name = i->name;
    step.display_name = i->display;
    step.version = i->version;
    if (const ReleaseRecord* record = model.record(p)) {
        const ReleaseRecord& r = *record;
        step.repository = r.repository;
        step.download_url = r.release.download_url;
        step.file_name = r.release.file_name;
        step.hash = r.release.hash;
        step.size = r.release.size;
        step.release_id = i->installed ? 0 : r.id;
        if (i->backend != Backend::legacy) {
            step.plugin_key = plugin_key(i->backend, r.package, r.release);
            for (const auto& d : r.release.dependencies) {
                if (!step.plugin_key.empty() && d.kind != DependencyKind::plugin &&
                    d.kind != DependencyKind::qgis) {
                    step.plugin_requirements.push_back(d); // (metadata.txt gives the others)
                }
            }
        }
    }
    return step;
}

void push_one_of(solv::QueueOwner& job, Pool* pool, const std::vector<Id>& ids, Id how) {
    solv::QueueOwner q;
    for (const Id p : ids) {
        q.push(p);
    }
    job.push2(how | SOLVER_SOLVABLE_ONE_OF, pool_queuetowhatprovides(pool, q.get()));
}

/// Why each package of the result is there: a breadth-first walk from the requested
/// releases over the requirements among the result's releases (shortest chains first).
class ResultGraph {
public:
    ResultGraph(const Model& model, const std::set<Id>& result, const std::set<Id>& roots)
        : model_(model), roots_(roots) {
        std::deque<Id> todo;
        for (const Id r : roots) {
            if (result.count(r) != 0) {
                parent_[r] = {0, 0};
                todo.push_back(r);
            }
        }
        walk(result, todo);
        // What no request reaches is explained from the top of the installation: the
        // releases that nothing in it requires.
        std::set<Id> required;
        for (const Id p : result) {
            for (const auto& [dep, providers] : model.requirements(p)) {
                for (const Id q : providers) {
                    if (q != p && result.count(q) != 0) {
                        required.insert(q);
                    }
                }
            }
        }
        for (const Id p : result) {
            const SolvableInfo* i = model.info(p);
            if (required.count(p) == 0 && parent_.count(p) == 0 && i != nullptr &&
                (i->kind == SolvableInfo::Kind::release || i->kind == SolvableInfo::Kind::extra)) {
                parent_[p] = {0, 0};
                top_.insert(p);
                todo.push_back(p);
            }
        }
        walk(result, todo);
    }

    bool reached(Id p) const { return parent_.count(p) != 0; }
    /// Whether a request names p (a root of the walk, not the top of the installation).
    bool requested(Id p) const {
        auto it = parent_.find(p);
        return it != parent_.end() && it->second.first == 0 && top_.count(p) == 0;
    }

    void walk(const std::set<Id>& result, std::deque<Id>& todo) {
        while (!todo.empty()) {
            const Id p = todo.front();
            todo.pop_front();
            for (const auto& [dep, providers] : model_.requirements(p)) {
                for (const Id q : providers) {
                    if (result.count(q) != 0 && parent_.emplace(q, std::make_pair(p, dep)).second) {
                        todo.push_back(q);
                    }
                }
            }
        }
    }

    /// "requested", "requested (with its extra ...)", "needed by X: it requires ...", or "".
    std::string reason(Id p) const {
        auto it = parent_.find(p);
        if (it == parent_.end()) {
            return "";
        }
        const auto [from, dep] = it->second;
        if (from == 0) {
            return top_.count(p) != 0 ? "" : "requested";
        }
        const SolvableInfo* f = model_.info(from);
        if (f != nullptr && f->kind == SolvableInfo::Kind::extra && roots_.count(from) != 0 &&
            model_.is_extra_base(dep)) {
            return "requested (with " + f->name.substr(f->name.find('[')) + ")";
        }
        return fmt::format("needed by {}: it requires {}", label(model_, from),
                           describe_dependency(model_, dep));
    }

    /// From the request down to p, one line per link.
    std::vector<std::string> chain(Id p) const {
        std::vector<std::string> lines;
        for (Id current = p; reached(current);) {
            const auto [from, dep] = parent_.at(current);
            if (from == 0) {
                lines.push_back(fmt::format("{}: {}", label(model_, current),
                                            top_.count(current) != 0
                                                ? "installed, and no other package requires it"
                                                : "you asked for it"));
                break;
            }
            lines.push_back(fmt::format("{} requires {}, satisfied by {}", label(model_, from),
                                        describe_dependency(model_, dep), label(model_, current)));
            current = from;
        }
        std::reverse(lines.begin(), lines.end());
        return lines;
    }

private:
    const Model& model_;
    std::set<Id> roots_;
    std::map<Id, std::pair<Id, Id>> parent_; ///< p -> (dependent, its requirement)
    std::set<Id> top_;                       ///< reached from the top of the installation
};

/// The order QGIS loads plugins in: every plugin after those it names in
/// plugin_dependencies (QGIS's updateAvailablePlugins(sort_by_dependencies)); a cycle is cut
/// where it is first revisited.
std::vector<std::string> load_order(const Model& model, const std::vector<Id>& plugins) {
    std::map<std::string, Id> by_name;
    for (const Id p : plugins) {
        by_name[model.info(p)->display] = p;
    }
    std::vector<std::string> order;
    std::set<std::string> visited;
    std::function<void(Id)> visit = [&](Id p) {
        const SolvableInfo* i = model.info(p);
        const ReleaseRecord* record = model.record(p);
        // QGIS loads a plugin by its folder: a wheel's or conda package's is its module.
        std::string key = i->name;
        if (record != nullptr && i->backend != Backend::legacy) {
            key = plugin_key(i->backend, record->package, record->release);
        }
        if (!visited.insert(key).second) {
            return;
        }
        if (record != nullptr) {
            for (const auto& d : record->release.dependencies) {
                if (d.kind != DependencyKind::plugin) {
                    continue;
                }
                if (auto it = by_name.find(d.target); it != by_name.end()) {
                    visit(it->second);
                }
            }
        }
        order.push_back(key);
    };
    std::vector<Id> sorted = plugins;
    std::sort(sorted.begin(), sorted.end(),
              [&](Id a, Id b) { return model.info(a)->name < model.info(b)->name; });
    for (const Id p : sorted) {
        visit(p);
    }
    return order;
}

Expected<Resolution> solve(Model& model, const std::vector<Request>& requests,
                           const Policy& policy);

/// The installed automatic packages the solution keeps although nothing in it needs them:
/// what the user asked for (the requests, the requested marks, and what replaces a
/// requested package) is walked down its requirements within the solution; automatic
/// packages not reached go (apt's autoremove). libsolv's solver_get_unneeded looks at the
/// installed packages only, so it misses what a new release no longer requires.
std::vector<Id> unneeded_automatic(const Model& model, Solver* solver, const std::set<Id>& roots,
                                   const std::set<Id>& to_remove) {
    Pool* pool = model.pool();
    std::set<Id> chosen;
    {
        solv::QueueOwner result;
        solver_get_decisionqueue(solver, result.get());
        for (int k = 0; k < result.count(); ++k) {
            if (result[k] > 0) {
                chosen.insert(result[k]);
            }
        }
    }
    // Installed packages by name: what a new release replaces.
    std::map<Id, Id> installed_by_name;
    const Repo* system = pool->installed;
    for (Id p = system->start; p < system->end; ++p) {
        if (pool_id2solvable(pool, p)->repo == system) {
            installed_by_name[pool_id2solvable(pool, p)->name] = p;
        }
    }
    const auto wanted_by_user = [&](Id p) {
        const ReleaseRecord* r = model.record(p);
        return r != nullptr && (!r->release.automatic || r->release.external);
    };
    std::deque<Id> todo;
    std::set<Id> reached;
    for (const Id p : chosen) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr || i->kind == SolvableInfo::Kind::qgis ||
            i->kind == SolvableInfo::Kind::python) {
            continue;
        }
        bool user = roots.count(p) != 0 || i->kind == SolvableInfo::Kind::pin;
        if (!user && i->installed) {
            user = wanted_by_user(p);
        } else if (!user) {
            auto it = installed_by_name.find(pool_id2solvable(pool, p)->name);
            user = it != installed_by_name.end() && wanted_by_user(it->second);
        }
        if (user && reached.insert(p).second) {
            todo.push_back(p);
        }
    }
    while (!todo.empty()) {
        const Id p = todo.front();
        todo.pop_front();
        for (const auto& [dep, providers] : model.requirements(p)) {
            for (const Id q : providers) {
                if (chosen.count(q) != 0 && reached.insert(q).second) {
                    todo.push_back(q);
                }
            }
        }
    }
    std::set<Id> out;
    for (const Id p : chosen) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr || i->kind != SolvableInfo::Kind::release || reached.count(p) != 0) {
            continue;
        }
        // An installed automatic package, or the new release of one, that nothing needs.
        Id installed = i->installed ? p : 0;
        if (installed == 0) {
            auto it = installed_by_name.find(pool_id2solvable(pool, p)->name);
            installed = it == installed_by_name.end() ? 0 : it->second;
        }
        const ReleaseRecord* r = installed != 0 ? model.record(installed) : nullptr;
        if (r != nullptr && r->release.automatic && !r->release.external &&
            to_remove.count(installed) == 0) {
            out.insert(installed);
        }
    }
    return {out.begin(), out.end()};
}

} // namespace

Expected<Resolution> resolve(const std::vector<ReleaseRecord>& available,
                             const std::vector<ReleaseRecord>& installed,
                             const std::vector<Request>& requests, const Policy& policy) {
    auto built = Model::build(available, installed, requests, policy);
    QPLUG_RETURN_IF_ERROR(built);
    return solve(**built, requests, policy);
}

Expected<Resolution> resolve(const Index& index, const std::vector<Request>& requests,
                             Policy policy) {
    return resolve(index, index.installed(), requests, std::move(policy));
}

Expected<Resolution> resolve(const Index& index, const std::vector<ReleaseRecord>& installed,
                             const std::vector<Request>& requests, Policy policy) {
    for (auto& pin : index.pins()) {
        policy.pins.push_back(std::move(pin));
    }
    solv::CacheUse cache;
    auto built = Model::build(index, installed, requests, policy, &cache);
    QPLUG_RETURN_IF_ERROR(built);
    return solve(**built, requests, policy);
}

namespace {

Expected<Resolution> solve(Model& model, const std::vector<Request>& requests,
                           const Policy& policy) {
    Pool* pool = model.pool();
    Resolution resolution;
    resolution.plan.warnings = model.warnings();

    solv::QueueOwner job;
    bool upgrade_all = false;
    std::set<Id> roots;     // the releases that can satisfy a request
    std::set<Id> to_remove; // the releases a request removes
    // Where each install request's job is in the queue, with the releases that satisfy it.
    std::vector<std::pair<int, std::vector<Id>>> install_jobs;
    struct ExtraJob {
        const Request* request;
        std::string extra;
        std::vector<Id> candidates;
    };
    std::vector<ExtraJob> extra_jobs; // the extras of pip requests
    for (const Request& r : requests) {
        if (r.action == Request::Action::upgrade && r.name.empty()) {
            upgrade_all = true;
            continue;
        }
        if (r.action == Request::Action::remove) {
            const auto ids = model.installed_named(r);
            if (ids.empty()) {
                Error e = failure(fmt::format("'{}' is not installed", r.text));
                e.kind = Error::Kind::not_found;
                return e;
            }
            for (const Id p : ids) {
                job.push2(SOLVER_ERASE | SOLVER_SOLVABLE | SOLVER_CLEANDEPS, p);
                to_remove.insert(p);
            }
            continue;
        }
        if (r.action == Request::Action::upgrade && model.installed_named(r).empty()) {
            // libsolv would take an update of nothing installed as done: say so instead.
            solv::explain_request(
                resolution.explanation, ProblemCause::Kind::not_installed, r.name,
                fmt::format("'{}' is not installed, so there is nothing to upgrade", r.text));
            solv::offer_solution(resolution.explanation, SolutionAction::Kind::change_request,
                                 fmt::format("install it (qplug install '{}')", r.name));
            continue;
        }
        const auto ids = model.candidates(r);
        if (ids.empty()) {
            // G3: libsolv would take an install job without providers as done. Say it here.
            Request any = r;
            any.spec.clear();
            const auto others = model.candidates(any);
            const auto left_out = model.excluded(r.name);
            auto& e = resolution.explanation;
            if (!others.empty()) {
                std::vector<std::string> versions;
                for (const Id p : others) {
                    versions.push_back(model.info(p)->version);
                }
                solv::explain_request(e, ProblemCause::Kind::no_matching_version, r.name,
                                      fmt::format("no release of '{}' matches {} (there are {})",
                                                  r.name, r.spec, fmt::join(versions, ", ")));
                solv::offer_solution(e, SolutionAction::Kind::change_request,
                                     "ask for one of those versions");
            } else if (left_out.empty()) {
                solv::explain_request(e, ProblemCause::Kind::unknown_package, r.name,
                                      fmt::format("no repository offers '{}'", r.name));
                solv::offer_solution(
                    e, SolutionAction::Kind::change_request,
                    "check the name (qplug search), or add and sync the repository that has it");
            }
            if (!left_out.empty()) {
                std::vector<std::string> parts;
                std::set<std::string> reasons;
                for (const auto& [version, why] : left_out) {
                    parts.push_back(version + " (" + why + ")");
                    reasons.insert(why);
                }
                solv::explain_request(
                    e, ProblemCause::Kind::left_out_by_policy, r.name,
                    fmt::format("the policy leaves out {} {}", r.name, fmt::join(parts, ", ")));
                for (const auto& why : reasons) {
                    solv::offer_solution(
                        e,
                        why.rfind("older than", 0) == 0 ? SolutionAction::Kind::change_request
                                                        : SolutionAction::Kind::change_policy,
                        why == "experimental"
                            ? fmt::format("allow experimental releases (--allow-experimental, "
                                          "or --experimental-for '{}')",
                                          r.name)
                        : why == "deprecated"
                            ? std::string("allow deprecated releases (--allow-deprecated)")
                        : why.rfind("older than", 0) == 0
                            ? fmt::format("ask for the version exactly ('{}==VERSION')", r.name)
                            : std::string("allow newer releases (a later --exclude-newer)"));
                }
            }
            continue;
        }
        if (r.action == Request::Action::upgrade) {
            // A plugin whose best release comes from another backend moves there: removed
            // from one backend, installed from the other, in one plan.
            std::vector<Id> moved;
            for (const Id p : ids) {
                if (!model.info(p)->installed) {
                    continue;
                }
                const auto to = backend_switch(model, p);
                if (!to.empty()) {
                    job.push2(SOLVER_ALLOWUNINSTALL | SOLVER_SOLVABLE, p);
                    moved.insert(moved.end(), to.begin(), to.end());
                }
            }
            if (!moved.empty()) {
                roots.insert(moved.begin(), moved.end());
                push_one_of(job, pool, moved, SOLVER_INSTALL);
                continue;
            }
        }
        const Id how =
            r.action == Request::Action::upgrade ? SOLVER_UPDATE | SOLVER_TARGETED : SOLVER_INSTALL;
        roots.insert(ids.begin(), ids.end());
        if (r.action == Request::Action::install) {
            install_jobs.emplace_back(job.count(), ids);
        }
        push_one_of(job, pool, ids, how);
        if (r.action == Request::Action::upgrade) {
            // What an upgrade names stays: libsolv may otherwise erase it when uninstalling
            // is allowed, and autoremove's clean-up may take it with an unneeded dependent.
            push_one_of(job, pool, ids, SOLVER_INSTALL);
            for (const Id p : model.installed_named(r)) {
                job.push2(SOLVER_USERINSTALLED | SOLVER_SOLVABLE, p);
            }
        }
        for (const std::string& extra : r.extras) {
            // Each extra of "name[a,b]": its solvable, or a release without it (pip warns).
            auto with_extra = model.extra_candidates(r, extra);
            if (with_extra.empty()) {
                // Only installed releases: the installed source does not read their extras.
                resolution.plan.warnings.push_back(fmt::format(
                    "'{}': the extra '{}' is not checked: only an installed {} is offered, and "
                    "the extras of installed distributions are not known",
                    r.text, extra, r.name));
                continue;
            }
            roots.insert(with_extra.begin(), with_extra.end());
            if (r.action == Request::Action::install) {
                install_jobs.emplace_back(job.count(), with_extra); // held as the release is
            }
            push_one_of(job, pool, with_extra, how);
            extra_jobs.push_back({&r, extra, std::move(with_extra)});
        }
    }
    if (!resolution.explanation.summary.empty()) {
        return resolution; // a request that names nothing installable
    }
    // Where each installed release's upgrade-all job starts in the queue (an automatic
    // package nothing needs is removed rather than upgraded).
    std::map<Id, int> upgrade_job_at;
    // Installed plugins an upgrade of everything moves to another backend, with the releases
    // of that backend (see the named upgrade above).
    std::vector<std::pair<Id, std::vector<Id>>> moves;
    const auto update_candidates = [&](Id p) {
        const SolvableInfo* i = model.info(p);
        Request same;
        same.backend = i->backend;
        same.name = i->name;
        return model.candidates(same);
    };
    if (upgrade_all) {
        // Each installed release towards what may replace it (not SOLVABLE_ALL, which would
        // also take releases that are in the pool only for an exact pin).
        const Repo* system = pool->installed;
        for (Id p = system->start; p < system->end; ++p) {
            const SolvableInfo* i =
                pool_id2solvable(pool, p)->repo == system ? model.info(p) : nullptr;
            if (i == nullptr || i->kind != SolvableInfo::Kind::release) {
                continue;
            }
            if (auto to = backend_switch(model, p); !to.empty()) {
                moves.emplace_back(p, std::move(to)); // (their jobs come last, below)
                continue;
            }
            upgrade_job_at[p] = job.count();
            push_one_of(job, pool, update_candidates(p), SOLVER_UPDATE | SOLVER_TARGETED);
        }
    }
    for (const Id pin : model.pin_solvables()) {
        job.push2(SOLVER_INSTALL | SOLVER_SOLVABLE, pin); // see Model::finish
    }
    // The target's marks: what the user asked for by name stays when what needed it goes
    // (CLEANDEPS removes only what is not user-installed); what the host environment has
    // (QGIS's numpy ...) is not qplug's to change.
    {
        const Repo* system = pool->installed;
        for (Id p = system->start; p < system->end; ++p) {
            if (pool_id2solvable(pool, p)->repo != system) {
                continue;
            }
            const SolvableInfo* i = model.info(p);
            const ReleaseRecord* r = model.record(p);
            if (i == nullptr || i->kind != SolvableInfo::Kind::release || r == nullptr) {
                continue;
            }
            if (r->release.external) {
                job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, p);
            } else if (!r->release.automatic) {
                job.push2(SOLVER_USERINSTALLED | SOLVER_SOLVABLE, p);
            }
        }
    }
    // Uninstalling allowed does not allow downgrading: libsolv would erase an installed
    // release and install an older one as new. Keep the older releases out instead.
    if (policy.allow_uninstall && !policy.allow_downgrade) {
        const Repo* system = pool->installed;
        for (Id p = system->start; p < system->end; ++p) {
            const Solvable* installed = pool_id2solvable(pool, p);
            const SolvableInfo* i = installed->repo == system ? model.info(p) : nullptr;
            if (i == nullptr || i->kind != SolvableInfo::Kind::release) {
                continue;
            }
            Id* q = pool_whatprovides_ptr(pool, installed->name);
            for (; q != nullptr && *q != 0; ++q) {
                const Solvable* other = pool_id2solvable(pool, *q);
                if (other->repo != system && other->name == installed->name &&
                    pool_evrcmp(pool, other->evr, installed->evr, EVRCMP_COMPARE) < 0) {
                    job.push2(SOLVER_ERASE | SOLVER_SOLVABLE, *q);
                }
            }
        }
    }
    // The platform is what it is.
    job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, model.qgis_solvable());
    job.push2(SOLVER_LOCK | SOLVER_SOLVABLE, model.python_solvable());
    // One plugin from several backends: which release a choice takes (later favours win).
    for (const Id p : plugin_preference(model)) {
        job.push2(SOLVER_FAVOR | SOLVER_SOLVABLE, p);
    }
    // The moves come last, so that they can be dropped when they cannot all be made: an
    // upgrade of everything does not fail for a move (each is then an ordinary update).
    const int before_moves = job.count();
    for (const auto& [p, to] : moves) {
        job.push2(SOLVER_ALLOWUNINSTALL | SOLVER_SOLVABLE, p);
        upgrade_job_at[p] = job.count();
        push_one_of(job, pool, to, SOLVER_INSTALL);
        roots.insert(to.begin(), to.end());
    }

    // First pass: an install gets the newest release that fits, updating what it needs as
    // needed (as pip does), rather than the newest that leaves everything installed alone.
    // A run without an install (remove, upgrade NAME, pins) changes only what it must: no
    // focus on the best, which would upgrade what nothing asked for.
    bool focus_best = upgrade_all || !install_jobs.empty();
    // `upgrade` (everything) downgrades only what must be: libsolv, allowed to, would
    // downgrade one package so that another can be upgraded. Without downgrades first.
    bool avoid_downgrades = upgrade_all && policy.allow_downgrade;
    const auto make_solver = [&] {
        solv::SolverPtr s(solver_create(pool));
        solver_set_flag(s.get(), SOLVER_FLAG_ALLOW_DOWNGRADE,
                        policy.allow_downgrade && !avoid_downgrades ? 1 : 0);
        solver_set_flag(s.get(), SOLVER_FLAG_ALLOW_UNINSTALL, policy.allow_uninstall ? 1 : 0);
        solver_set_flag(s.get(), SOLVER_FLAG_FOCUS_BEST, focus_best ? 1 : 0);
        solver_set_flag(s.get(), SOLVER_FLAG_BEST_OBEY_POLICY, 1);
        return s;
    };
    solv::SolverPtr owned = make_solver();
    int failed = solver_solve(owned.get(), job.get());
    const auto allow_downgrades_if_needed = [&] {
        if (failed != 0 && avoid_downgrades) {
            avoid_downgrades = false; // something needs one (a pin): as the policy allows
            owned = make_solver();
            failed = solver_solve(owned.get(), job.get());
        }
    };
    allow_downgrades_if_needed();
    if (failed != 0 && !moves.empty()) {
        // The moves cannot all be made: each is an ordinary update instead.
        queue_truncate(job.get(), before_moves);
        for (const auto& [p, to] : moves) {
            upgrade_job_at[p] = job.count();
            push_one_of(job, pool, update_candidates(p), SOLVER_UPDATE | SOLVER_TARGETED);
            resolution.plan.warnings.push_back(
                fmt::format("{} stays with its backend: moving it to {}'s release cannot be "
                            "done in this upgrade",
                            label(model, p), backend_name(model.info(to.front())->backend)));
        }
        avoid_downgrades = upgrade_all && policy.allow_downgrade;
        owned = make_solver();
        failed = solver_solve(owned.get(), job.get());
        allow_downgrades_if_needed();
    }
    if (failed != 0) {
        resolution.explanation = solv::explain(owned.get(), model, roots);
        return resolution;
    }
    // Second pass: with the requested releases the first pass chose held, nothing else
    // changes that they do not need (pip's "only-if-needed"): focusing on the best also
    // upgrades an installed dependency that already fits, and with it whatever pins that
    // dependency. Not for `upgrade` with no name, which asks to change everything.
    if (!upgrade_all && !install_jobs.empty()) {
        solv::QueueOwner held;
        std::size_t next = 0;
        for (int k = 0; k + 1 < job.count(); k += 2) {
            if (next < install_jobs.size() && install_jobs[next].first == k) {
                Id chosen = 0;
                for (const Id p : install_jobs[next].second) {
                    if (solver_get_decisionlevel(owned.get(), p) > 0) {
                        chosen = p;
                        break;
                    }
                }
                ++next;
                if (chosen != 0) {
                    held.push2(SOLVER_INSTALL | SOLVER_SOLVABLE, chosen);
                    continue;
                }
            }
            held.push2(job[k], job[k + 1]);
        }
        focus_best = false;
        solv::SolverPtr minimal = make_solver();
        if (solver_solve(minimal.get(), held.get()) == 0) {
            owned = std::move(minimal);
            queue_free(job.get());
            queue_init_clone(job.get(), held.get());
        } else {
            focus_best = true; // cannot happen (the first result is one); keep it
        }
    }
    // Automatic packages nothing needs any more go in the same run (apt's autoremove, done
    // by every change): after the plan, what the user-installed packages no longer need.
    std::set<Id> autoremoved;
    // Removing one may leave others unneeded (a chain of automatic packages): until none is
    // left, a few rounds at most.
    for (int round = 0; round < 8; ++round) {
        std::vector<Id> gone = unneeded_automatic(model, owned.get(), roots, to_remove);
        std::erase_if(gone, [&](Id p) { return autoremoved.count(p) != 0; });
        if (gone.empty()) {
            break;
        }
        std::set<Id> all = autoremoved;
        all.insert(gone.begin(), gone.end());
        std::set<int> skip;
        for (const Id p : all) {
            if (auto it = upgrade_job_at.find(p); it != upgrade_job_at.end()) {
                skip.insert(it->second);
            }
        }
        solv::QueueOwner again_jobs;
        for (int k = 0; k + 1 < job.count(); k += 2) {
            if (skip.count(k) == 0) {
                again_jobs.push2(job[k], job[k + 1]);
            }
        }
        for (const Id p : all) {
            again_jobs.push2(SOLVER_ERASE | SOLVER_SOLVABLE | SOLVER_CLEANDEPS, p);
        }
        solv::SolverPtr again = make_solver();
        if (solver_solve(again.get(), again_jobs.get()) != 0) {
            break; // keep the last solution: an unneeded package left is no failure
        }
        owned = std::move(again);
        autoremoved = std::move(all);
    }
    Solver* solver = owned.get();
    resolution.solved = true;
    solv::TransactionPtr transaction(solver_create_transaction(solver));
    Transaction* trans = transaction.get();
    transaction_order(trans, 0);
    const int mode = SOLVER_TRANSACTION_SHOW_ACTIVE | SOLVER_TRANSACTION_SHOW_ALL |
                     SOLVER_TRANSACTION_SHOW_OBSOLETES | SOLVER_TRANSACTION_OBSOLETE_IS_UPGRADE;
    std::set<Id> replaced;
    std::vector<std::pair<std::size_t, Id>> pending; // steps whose reason needs the result
    for (int k = 0; k < trans->steps.count; ++k) {
        const Id p = trans->steps.elements[k];
        const Id type = transaction_type(trans, p, mode);
        const Id old = transaction_obs_pkg(trans, p);
        PlanStep step;
        switch (type) {
        case SOLVER_TRANSACTION_INSTALL:
            step = step_for(model, p, PlanStep::Action::install);
            break;
        case SOLVER_TRANSACTION_UPGRADE:
        case SOLVER_TRANSACTION_DOWNGRADE:
        case SOLVER_TRANSACTION_CHANGE:
        case SOLVER_TRANSACTION_REINSTALL:
            step = step_for(model, p,
                            type == SOLVER_TRANSACTION_DOWNGRADE ? PlanStep::Action::downgrade
                                                                 : PlanStep::Action::upgrade);
            if (old != 0 && model.info(old) != nullptr) {
                step.from_version = model.info(old)->version;
                replaced.insert(old);
            }
            break;
        case SOLVER_TRANSACTION_ERASE:
            step = step_for(model, p, PlanStep::Action::remove);
            break;
        default:
            continue;
        }
        const SolvableInfo* i = model.info(p);
        if (i == nullptr || i->kind == SolvableInfo::Kind::extra ||
            i->kind == SolvableInfo::Kind::pin) {
            continue; // extras and pins are not installed by themselves
        }
        if (step.action == PlanStep::Action::remove) {
            Id info = 0;
            const int reason = solver_describe_decision(solver, p, &info);
            step.requested = to_remove.count(p) != 0;
            step.reason = to_remove.count(p) != 0 ? "requested"
                          : reason == SOLVER_REASON_CLEANDEPS_ERASE || autoremoved.count(p) != 0
                              ? "no longer needed"
                              : "in the way of the request";
        } else {
            pending.emplace_back(resolution.plan.steps.size(), p);
        }
        resolution.plan.steps.push_back(std::move(step));
    }
    // Requested packages that are installed and stay: "keep".
    std::set<Id> kept;
    for (const Request& r : requests) {
        if (r.action != Request::Action::install) {
            continue;
        }
        for (const Id p : model.installed_named(r)) {
            if (solver_get_decisionlevel(solver, p) > 0 && replaced.count(p) == 0 &&
                kept.insert(p).second) {
                PlanStep step = step_for(model, p, PlanStep::Action::keep);
                step.reason = "installed already";
                step.requested = true;
                resolution.plan.steps.push_back(std::move(step));
            }
        }
    }
    // The resulting installation: the load order of its plugins, and "why" for each package.
    std::set<Id> chosen;
    {
        solv::QueueOwner result;
        solver_get_decisionqueue(solver, result.get());
        for (int k = 0; k < result.count(); ++k) {
            if (result[k] > 0) {
                chosen.insert(result[k]);
            }
        }
    }
    const ResultGraph graph(model, chosen, roots);
    // libsolv leaves alone what was broken before the request (an installed release whose
    // requirement nothing installed satisfied); say so rather than hide it.
    for (const Id p : chosen) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr || !i->installed || i->kind != SolvableInfo::Kind::release) {
            continue;
        }
        if (const ReleaseRecord* r = model.record(p); r != nullptr && r->release.external) {
            continue; // the host environment's own business
        }
        for (const auto& [dep, providers] : model.requirements(p)) {
            if (std::none_of(providers.begin(), providers.end(),
                             [&](Id q) { return chosen.count(q) != 0; })) {
                resolution.plan.warnings.push_back(
                    fmt::format("{} stays installed, but its requirement {} is not met (it was "
                                "not before either; qplug leaves it as it is)",
                                label(model, p), describe_dependency(model, dep)));
            }
        }
    }
    // pip 23 takes a release that does not have an extra it is asked for, and warns.
    std::set<std::string> said;
    auto lacks = [&](Id p, const std::string& extra, const std::string& asked) {
        const SolvableInfo* i = model.info(p);
        const ReleaseRecord* r = model.record(p);
        if (i == nullptr || i->kind != SolvableInfo::Kind::release ||
            (r != nullptr && !r->release.dependencies_known)) {
            return; // an extra, or a release whose extras are not known (said below)
        }
        std::string w = fmt::format("{} does not provide the extra '{}' ({}): it is installed "
                                    "without it, as pip does",
                                    label(model, p), extra, asked);
        if (said.insert(w).second) {
            resolution.plan.warnings.push_back(std::move(w));
        }
    };
    for (const auto& j : extra_jobs) {
        for (const Id p : j.candidates) {
            if (chosen.count(p) != 0) {
                lacks(p, j.extra, "you asked for '" + j.request->text + "'");
            }
        }
    }
    for (const Id p : chosen) {
        for (const auto& [dep, providers] : model.requirements(p)) {
            const auto extra = model.requested_extra(dep);
            for (const Id q : extra ? providers : std::vector<Id>{}) {
                if (chosen.count(q) != 0) {
                    lacks(q, *extra, label(model, p) + " asks for it");
                }
            }
        }
    }
    for (const auto& [index, p] : pending) {
        PlanStep& step = resolution.plan.steps[index];
        step.reason = graph.reason(p);
        step.requested = graph.requested(p);
        if (step.reason.empty()) {
            step.reason = step.action == PlanStep::Action::install
                              ? "needed to satisfy the request"
                              : "an update of what is installed";
        }
    }
    std::vector<Id> plugins;
    for (const Id p : chosen) {
        const SolvableInfo* i = model.info(p);
        if (i == nullptr || (i->kind != SolvableInfo::Kind::release)) {
            continue;
        }
        if (const ReleaseRecord* r = model.record(p);
            i->backend == Backend::legacy ||
            (r != nullptr && is_plugin_release(i->backend, r->release))) {
            plugins.push_back(p);
        }
        std::vector<std::string> chain = graph.chain(p);
        if (chain.empty()) {
            chain.push_back(
                fmt::format("{}: {}", label(model, p),
                            i->installed ? "installed already" : "an update of what is installed"));
        }
        resolution.why.emplace_back(i->name, std::move(chain));
        if (const ReleaseRecord* r = model.record(p); r != nullptr && r->release.external) {
            continue; // the host environment's, not part of what qplug installs or locks
        }
        PlanStep member =
            step_for(model, p, i->installed ? PlanStep::Action::keep : PlanStep::Action::install);
        member.reason.clear();
        resolution.installation.push_back(std::move(member));
    }
    std::sort(resolution.installation.begin(), resolution.installation.end(),
              [](const PlanStep& a, const PlanStep& b) {
                  return std::tie(a.backend, a.name) < std::tie(b.backend, b.name);
              });
    resolution.plan.load_order = load_order(model, plugins);
    for (const auto& [index, p] : pending) {
        const PlanStep& step = resolution.plan.steps[index];
        const ReleaseRecord* r = model.record(p);
        if (step.release_id == 0 || r == nullptr || r->release.dependencies_known) {
            continue;
        }
        if (step.backend == Backend::legacy) {
            resolution.plan.warnings.push_back(
                fmt::format("{} {}: its plugin_dependencies are read from its ZIP when it is "
                            "fetched; installing resolves again then",
                            step.display_name, step.version));
        } else if (step.backend == Backend::pip) {
            // Never silently empty: a plan without a release's requirements may be wrong.
            resolution.plan.warnings.push_back(fmt::format(
                "{} {} (pip): its dependencies are not known ({}), so this plan may miss some",
                step.display_name, step.version,
                r->release.file_name.ends_with(".whl")
                    ? "its wheel's METADATA was not read"
                    : "a source distribution: pip builds it to learn them"));
        }
    }
    return resolution;
}

} // namespace

} // namespace qplug::solver
