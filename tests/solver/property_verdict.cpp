// The property checker's verdict on a resolution (property_checker.hpp): the plan's steps
// applied to the installed state, their order, the choices against every valid installation,
// the marks.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "property_checker.hpp"

namespace qplug::test::property {

using solver::Backend;
using solver::PlanStep;
using solver::Resolution;

namespace {

std::string backend_text(Backend b) {
    return std::string(solver::backend_name(b));
}

} // namespace

std::optional<Assignment> Checker::apply(const Resolution& r, std::vector<std::string>& problems,
                                         std::vector<long>& step_of_group) const {
    Assignment state = installed_state_;
    step_of_group.assign(group_names_.size(), -1);
    const std::size_t before = problems.size();
    for (std::size_t k = 0; k < r.plan.steps.size(); ++k) {
        const PlanStep& step = r.plan.steps[k];
        const std::string what =
            fmt::format("step {} ({} {}:{} {})", k + 1, solver::action_name(step.action),
                        backend_text(step.backend), step.name, step.version);
        // The release it leads to: an index release by id, an installed one by name.
        std::optional<std::size_t> target;
        for (std::size_t i = 0; i < elements_.size(); ++i) {
            const Element& e = elements_[i];
            const bool by_id =
                step.action != PlanStep::Action::remove && step.action != PlanStep::Action::keep;
            if (by_id ? !e.installed && e.id == step.release_id
                      : e.installed && e.backend == step.backend && e.key == step.name &&
                            e.version == step.version) {
                target = i;
                break;
            }
        }
        if (!target) {
            problems.push_back(what + " names a release that is not in the input");
            continue;
        }
        const Element& t = elements_[*target];
        if (t.backend != step.backend || t.key != step.name || t.version != step.version) {
            problems.push_back(what + " names release " + std::to_string(step.release_id) +
                               ", which is " + label(*target));
            continue;
        }
        const std::size_t g = t.group;
        if (step_of_group[g] != -1) {
            problems.push_back(what + " touches " + group_names_[g] + " a second time");
            continue;
        }
        step_of_group[g] = static_cast<long>(k);
        const long current = state[g];
        switch (step.action) {
        case PlanStep::Action::install:
            if (current != kAbsent) {
                problems.push_back(what + " installs over " +
                                   label(static_cast<std::size_t>(current)));
            }
            state[g] = static_cast<long>(*target);
            break;
        case PlanStep::Action::upgrade:
        case PlanStep::Action::downgrade: {
            if (current == kAbsent) {
                problems.push_back(what + " replaces nothing installed");
                state[g] = static_cast<long>(*target);
                break;
            }
            const Element& old = elements_[static_cast<std::size_t>(current)];
            if (old.version != step.from_version) {
                problems.push_back(what + " says it replaces " + step.from_version +
                                   ", but installed is " + old.version);
            }
            const bool up = step.action == PlanStep::Action::upgrade;
            const bool reinstall = up && t.rank == old.rank && t.backend == Backend::pip &&
                                   modeled(Finding::extra_reinstalls);
            if (!reinstall && (up ? t.rank <= old.rank : t.rank >= old.rank)) {
                problems.push_back(fmt::format("{}: {} is not {} than {}", what, t.version,
                                               up ? "newer" : "older", old.version));
            }
            state[g] = static_cast<long>(*target);
            break;
        }
        case PlanStep::Action::remove:
            if (current != static_cast<long>(*target)) {
                problems.push_back(what + " removes what is not installed");
            }
            state[g] = kAbsent;
            break;
        case PlanStep::Action::keep:
            if (current != static_cast<long>(*target)) {
                problems.push_back(what + " keeps what is not installed");
            }
            break;
        }
    }
    if (problems.size() != before) {
        return std::nullopt;
    }
    return state;
}

void Checker::check_order(const Resolution& r, const Assignment& result,
                          const std::vector<long>& step_of_group,
                          std::vector<std::string>& problems) const {
    // A dependency before what needs it (within a cycle any order).
    auto closure = [&](const Assignment& a) {
        // (An extra qplug takes as installed is no step of its own: f5.)
        const auto need = needs(a, false);
        std::vector<std::vector<char>> reach(elements_.size(),
                                             std::vector<char>(elements_.size(), 0));
        for (std::size_t e = 0; e < elements_.size(); ++e) {
            for (const std::size_t p : need[e]) {
                reach[e][p] = 1;
            }
        }
        for (std::size_t k = 0; k < elements_.size(); ++k) {
            for (std::size_t x = 0; x < elements_.size(); ++x) {
                if (reach[x][k] == 0) {
                    continue;
                }
                for (std::size_t y = 0; y < elements_.size(); ++y) {
                    reach[x][y] = static_cast<char>(reach[x][y] | reach[k][y]);
                }
            }
        }
        return std::make_pair(need, reach);
    };
    auto step_of = [&](std::size_t e) { return step_of_group[elements_[e].group]; };
    {
        const auto [need, reach] = closure(result);
        for (const long m : result) {
            if (m == kAbsent) {
                continue;
            }
            const auto e = static_cast<std::size_t>(m);
            const long se = step_of(e);
            if (se < 0 ||
                r.plan.steps[static_cast<std::size_t>(se)].action == PlanStep::Action::keep) {
                continue;
            }
            for (const std::size_t p : need[e]) {
                const long sp = step_of(p);
                if (sp < 0 || elements_[p].installed || reach[p][e] != 0) {
                    continue; // already there, or a cycle
                }
                if (sp > se) {
                    problems.push_back(
                        fmt::format("step {} ({}) comes before step {} ({}), which it needs",
                                    se + 1, label(e), sp + 1, label(p)));
                }
            }
        }
    }
    // (The order of removals is not held: qplug carries them out after every install, and
    // their order among themselves changes nothing; libsolv sometimes removes a dependency
    // before its dependent.)
}

void Checker::check_choices(const Assignment& result, const std::vector<Assignment>& valid,
                            std::vector<std::string>& problems) const {
    const std::size_t n = result.size();
    const Assignment& before = installed_state_;
    bool upgrade_all = false;
    // The groups a request decides: the releases that satisfy it in the result.
    std::vector<std::vector<std::size_t>> decided(requests_.size());
    std::vector<bool> fixed(n, false), fits_installed(n, false);
    for (std::size_t k = 0; k < requests_.size(); ++k) {
        const RequestModel& q = requests_[k];
        upgrade_all = upgrade_all || q.action == RequestModel::Action::upgrade_all;
        for (const std::size_t c : q.candidates) {
            const std::size_t g = elements_[c].group;
            if (result[g] == static_cast<long>(c)) {
                decided[k].push_back(g);
                fixed[g] = true;
            }
            // An install of what is installed and fits: it stays, unless it cannot.
            if (q.action == RequestModel::Action::install && elements_[c].installed) {
                fits_installed[g] = true;
            }
        }
    }
    for (std::size_t g = 0; g < n; ++g) {
        if (remove_target_[g]) {
            fixed[g] = true;
        }
        if (upgrade_all && before[g] != kAbsent && result[g] != kAbsent &&
            elements_[static_cast<std::size_t>(result[g])].rank >
                elements_[static_cast<std::size_t>(before[g])].rank) {
            fixed[g] = true;
        }
    }
    // Each requested package: the newest release any valid installation allows with the
    // other requests' choices as they are, and without removing what the plan keeps.
    for (std::size_t k = 0; k < requests_.size(); ++k) {
        const RequestModel& q = requests_[k];
        if (decided[k].size() != 1) {
            continue;
        }
        const std::size_t g = decided[k].front();
        const auto chosen = static_cast<std::size_t>(result[g]);
        if (q.action == RequestModel::Action::install && elements_[chosen].installed) {
            continue; // installed already and fitting: it stays
        }
        for (const Assignment& a : valid) {
            if (a[g] == kAbsent ||
                std::find(q.candidates.begin(), q.candidates.end(),
                          static_cast<std::size_t>(a[g])) == q.candidates.end() ||
                elements_[static_cast<std::size_t>(a[g])].rank <= elements_[chosen].rank ||
                loses_phantom_extras(a)) {
                continue;
            }
            bool same = true;
            for (std::size_t h = 0; h < n && same; ++h) {
                same = h == g || !fixed[h] || a[h] == result[h];
                if (before[h] != kAbsent && result[h] != kAbsent && a[h] == kAbsent) {
                    same = false;
                }
                if (same && modeled(Finding::automatic_in_the_way) && before[h] != kAbsent &&
                    a[h] == kAbsent && !remove_target_[h]) {
                    // qplug's first solve keeps what is installed where it can; it removes
                    // what turned out unneeded only afterwards.
                    Assignment restored = a;
                    restored[h] = before[h];
                    same = !check(restored).has_value() ? same : false;
                }
            }
            if (same) {
                problems.push_back(fmt::format(
                    "the request {} gets {}, but {} is newer and this installation fits: {}",
                    q.text, label(chosen), label(static_cast<std::size_t>(a[g])), describe(a)));
                break;
            }
        }
    }
    // Nothing changes that no request needs.
    // qplug solves as if the automatic packages it removes afterwards stayed (f7): what it
    // changed for their sake stays changed.
    bool autoremoved = false;
    for (std::size_t g = 0; g < n; ++g) {
        autoremoved =
            autoremoved || (before[g] != kAbsent && result[g] == kAbsent && !remove_target_[g] &&
                            elements_[static_cast<std::size_t>(before[g])].automatic);
    }
    for (std::size_t g = 0; g < n; ++g) {
        if (result[g] == before[g] || remove_target_[g]) {
            continue;
        }
        if (modeled(Finding::automatic_in_the_way) && autoremoved) {
            continue;
        }
        if (fixed[g] && !fits_installed[g]) {
            continue; // what a request asked for
        }
        if (before[g] != kAbsent && result[g] == kAbsent &&
            elements_[static_cast<std::size_t>(before[g])].automatic) {
            continue; // an automatic package nothing needs any more (checked below)
        }
        for (const Assignment& a : valid) {
            if (a[g] != before[g]) {
                continue;
            }
            bool subset = true;
            for (std::size_t h = 0; h < n && subset; ++h) {
                if (h == g) {
                    continue;
                }
                subset = fixed[h] && !fits_installed[h] ? a[h] == result[h]
                                                        : a[h] == result[h] || a[h] == before[h];
            }
            if (subset) {
                const std::string was = before[g] == kAbsent
                                            ? group_names_[g] + " (not installed)"
                                            : label(static_cast<std::size_t>(before[g]));
                const std::string now =
                    result[g] == kAbsent ? "removes it"
                                         : "makes it " + label(static_cast<std::size_t>(result[g]));
                problems.push_back(fmt::format("the plan changes {} (it {}), which nothing asked "
                                               "for: this installation keeps it and changes "
                                               "less: {}",
                                               was, now, describe(a)));
                break;
            }
        }
    }
    // upgrade: no installed package could be newer with everything else installed as it is.
    if (upgrade_all) {
        for (std::size_t g = 0; g < n; ++g) {
            if (before[g] == kAbsent || result[g] == kAbsent ||
                elements_[static_cast<std::size_t>(before[g])].external) {
                continue;
            }
            const int rank = elements_[static_cast<std::size_t>(result[g])].rank;
            for (const Assignment& a : valid) {
                if (a[g] == kAbsent || elements_[static_cast<std::size_t>(a[g])].rank <= rank ||
                    std::find(upgrade_candidates_[g].begin(), upgrade_candidates_[g].end(),
                              static_cast<std::size_t>(a[g])) == upgrade_candidates_[g].end() ||
                    loses_phantom_extras(a)) {
                    continue;
                }
                bool same = true;
                for (std::size_t h = 0; h < n && same; ++h) {
                    same = h == g || before[h] == kAbsent || a[h] == result[h];
                }
                if (same) {
                    problems.push_back(fmt::format(
                        "upgrade leaves {}, but {} fits with every other installed package as "
                        "the plan has it: {}",
                        label(static_cast<std::size_t>(result[g])),
                        label(static_cast<std::size_t>(a[g])), describe(a)));
                    break;
                }
            }
        }
    }
}

PlanVerdict Checker::verdict(const Expected<Resolution>& result) const {
    PlanVerdict v;
    auto& problems = v.problems;
    bool removes_nothing = false;
    for (const auto& q : requests_) {
        if (q.action == RequestModel::Action::remove && q.named_installed.empty()) {
            removes_nothing = true;
        }
    }
    if (!result) {
        if (!removes_nothing) {
            problems.push_back("resolve failed on well-formed input: " + result.error().message);
        }
        return v;
    }
    if (removes_nothing) {
        problems.push_back("a request removes a package that is not installed, yet resolve "
                           "answered");
        return v;
    }
    const Resolution& r = *result;
    // "upgrade NAME" of what is not installed is refused, saying so (as a remove of it is).
    for (const auto& q : requests_) {
        if (q.action != RequestModel::Action::upgrade || !q.named_installed.empty()) {
            continue;
        }
        const std::string said = fmt::format("{}", fmt::join(r.explanation.summary, "\n"));
        if (r.solved || said.find("not installed") == std::string::npos) {
            problems.push_back("the request " + q.text +
                               " upgrades what is not installed, yet resolve did not refuse "
                               "it saying so");
        }
        return v;
    }
    std::size_t tried = 0;
    const auto valid = valid_installations(&tried);
    v.searched_too_big = !valid;
    v.valid_installations = valid ? valid->size() : 0;
    // The installed packages that need what a request removes.
    for (const long m : installed_state_) {
        if (m == kAbsent || remove_target_[elements_[static_cast<std::size_t>(m)].group]) {
            continue;
        }
        for (const Requirement& q : nodes_[static_cast<std::size_t>(m)].front().second) {
            if (std::any_of(q.by.begin(), q.by.end(), [&](std::size_t p) {
                    return elements_[p].installed && remove_target_[elements_[p].group];
                })) {
                v.dependents.push_back(elements_[static_cast<std::size_t>(m)].display);
                break;
            }
        }
    }
    auto explanation = [&] {
        std::vector<std::string> lines = r.explanation.summary;
        lines.insert(lines.end(), r.explanation.paths.begin(), r.explanation.paths.end());
        lines.insert(lines.end(), r.explanation.solutions.begin(), r.explanation.solutions.end());
        return fmt::format("{}", fmt::join(lines, "\n"));
    };
    if (!r.solved) {
        if (valid && !valid->empty()) {
            problems.push_back(fmt::format("resolve found no plan, but this installation "
                                           "satisfies every constraint and the policy reaches "
                                           "it: {}\nexplanation:\n{}",
                                           describe(valid->front()), explanation()));
        }
        // A remove refused because another installed package needs it names that package.
        const bool only_removes = std::all_of(requests_.begin(), requests_.end(), [](auto& q) {
            return q.action == RequestModel::Action::remove;
        });
        if (only_removes && valid && valid->empty() && refused_for_dependents()) {
            const auto& dependents = v.dependents;
            const std::string text = explanation();
            if (!dependents.empty() &&
                std::none_of(dependents.begin(), dependents.end(), [&](const std::string& d) {
                    // By its name, or by its key (a pip release's extra: "lib-d[slow]").
                    const auto at = std::find_if(elements_.begin(), elements_.end(),
                                                 [&](const Element& e) { return e.display == d; });
                    return text.find(d) != std::string::npos ||
                           (at != elements_.end() && text.find(at->key) != std::string::npos);
                })) {
                problems.push_back(fmt::format("the remove is refused, but the explanation names "
                                               "none of the packages that need it ({}):\n{}",
                                               fmt::join(dependents, ", "), text));
            }
        }
        return v;
    }
    std::vector<long> step_of_group;
    const auto applied = apply(r, problems, step_of_group);
    if (!applied) {
        return v;
    }
    const Assignment& after = *applied;
    // The installation the resolution reports is the plan's result (but the environment's
    // own packages, which it leaves out).
    {
        std::set<std::string> expected, reported;
        for (const long m : after) {
            if (m != kAbsent && !elements_[static_cast<std::size_t>(m)].external) {
                const Element& e = elements_[static_cast<std::size_t>(m)];
                expected.insert(fmt::format("{}:{} {}", backend_text(e.backend), e.key, e.version));
            }
        }
        for (const PlanStep& s : r.installation) {
            reported.insert(fmt::format("{}:{} {}", backend_text(s.backend), s.name, s.version));
        }
        if (expected != reported) {
            problems.push_back(fmt::format("applying the plan gives {}, but the resolution's "
                                           "installation is {}",
                                           fmt::join(expected, ", "), fmt::join(reported, ", ")));
        }
    }
    if (auto broken = check(after)) {
        problems.push_back("the plan's result breaks a constraint: " + *broken);
    }
    if (auto unreachable = reachable(after)) {
        problems.push_back("the plan does what the policy does not allow: " + *unreachable);
    }
    check_order(r, after, step_of_group, problems);
    // Keep steps: what an install request names that is installed and stays; the requested
    // mark on what a request names.
    {
        std::set<std::size_t> candidates, kept, removed;
        for (const auto& q : requests_) {
            candidates.insert(q.candidates.begin(), q.candidates.end());
            for (const std::size_t i : q.named_installed) {
                if (q.action == RequestModel::Action::install &&
                    after[elements_[i].group] == static_cast<long>(i)) {
                    kept.insert(i);
                }
                if (q.action == RequestModel::Action::remove) {
                    removed.insert(i);
                }
            }
        }
        std::set<std::size_t> keep_steps;
        for (const PlanStep& s : r.plan.steps) {
            const auto found = std::find(group_names_.begin(), group_names_.end(),
                                         backend_text(s.backend) + ":" + s.name);
            if (found == group_names_.end()) {
                continue; // apply() found every step's release
            }
            const auto g = static_cast<std::size_t>(found - group_names_.begin());
            const long e = s.action == PlanStep::Action::remove ? installed_state_[g] : after[g];
            if (e == kAbsent) {
                continue;
            }
            const auto element = static_cast<std::size_t>(e);
            bool expected = false;
            switch (s.action) {
            case PlanStep::Action::keep:
                keep_steps.insert(element);
                expected = true;
                break;
            case PlanStep::Action::remove:
                expected = removed.count(element) != 0;
                break;
            default:
                expected = candidates.count(element) != 0;
                break;
            }
            if (s.requested != expected) {
                problems.push_back(fmt::format("the step {} {} is {}marked requested",
                                               solver::action_name(s.action), label(element),
                                               s.requested ? "" : "not "));
            }
        }
        if (keep_steps != kept) {
            std::vector<std::string> a, b;
            for (const std::size_t i : kept) {
                a.push_back(label(i));
            }
            for (const std::size_t i : keep_steps) {
                b.push_back(label(i));
            }
            problems.push_back(fmt::format("keep steps for {}, expected for {}", fmt::join(b, ", "),
                                           fmt::join(a, ", ")));
        }
    }
    // Automatic packages that nothing the user asked for needs go.
    {
        const auto need = needed(after);
        // qplug removes them in one solve, which fails when one has extras it takes as
        // installed and uninstalling is not allowed (f5): then they all stay.
        // The same when the extras it takes as installed need one of them (f5), or when an
        // upgrade removed a package it names (f8: its job fails then).
        const auto with_phantoms = needs(after);
        const auto without = needs(after, false);
        bool blocked = false;
        for (std::size_t g = 0; g < after.size(); ++g) {
            const long was = installed_state_[g];
            if (was == kAbsent || after[g] == kAbsent || need[g] || allow_uninstall_ ||
                !elements_[static_cast<std::size_t>(was)].automatic) {
                continue;
            }
            blocked = blocked || !phantom_extras(after, g).empty();
            for (const long m : after) {
                if (m == kAbsent) {
                    continue;
                }
                const auto& a = with_phantoms[static_cast<std::size_t>(m)];
                const auto& b = without[static_cast<std::size_t>(m)];
                const auto e = static_cast<std::size_t>(after[g]);
                blocked = blocked || (std::find(a.begin(), a.end(), e) != a.end() &&
                                      std::find(b.begin(), b.end(), e) == b.end());
            }
        }
        for (std::size_t g = 0; g < after.size(); ++g) {
            const long was = installed_state_[g];
            if (was == kAbsent || after[g] == kAbsent) {
                continue;
            }
            const Element& i = elements_[static_cast<std::size_t>(was)];
            if (blocked) {
                continue;
            }
            if (i.automatic && !i.external && !need[g]) {
                problems.push_back(fmt::format("{} was installed automatically and nothing needs "
                                               "it now, yet it stays as {}",
                                               label(static_cast<std::size_t>(was)),
                                               label(static_cast<std::size_t>(after[g]))));
            }
        }
    }
    if (valid && problems.empty()) {
        check_choices(after, *valid, problems);
    }
    return v;
}

} // namespace qplug::test::property
