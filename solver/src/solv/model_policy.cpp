// The policy applied to the pool: which solvables the solver considers, how many releases
// of one name it keeps.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/compat.hpp>
#include <qplug/version/scheme.hpp>

#include "solv/model.hpp"

namespace qplug::solver::solv {

namespace {

/// Names with fewer releases than this are left as they are (the check costs more).
constexpr std::size_t kLimitFrom = 64;

} // namespace

void Model::apply_policy(const std::vector<Request>& requests) {
    // "Name==V" pins of plugin dependencies and requests (qgis-facts 5.2: a required version
    // equal to the experimental one selects the experimental channel).
    std::set<std::pair<std::string, std::string>> exact = exact_;
    for (const auto& q : requests) {
        if (q.spec.rfind("==", 0) == 0) {
            exact.emplace(q.name, q.spec.substr(2));
        }
    }
    Map* considered = static_cast<Map*>(solv_calloc(1, sizeof(Map)));
    map_init(considered, pool_->nsolvables);
    map_setall(considered);
    pool_->considered = considered; // owned by the pool from here on
    auto leave_out = [&](Id p) {
        const auto bit = static_cast<unsigned>(p);
        considered->map[bit >> 3] =
            static_cast<unsigned char>(considered->map[bit >> 3] & ~(1U << (bit & 7U)));
    };
    for (const auto& [repoid, channel] : channels_) {
        const Repo* repo = pool_id2repo(pool_, repoid);
        if (repo == nullptr) {
            continue;
        }
        const bool keep_all = (!channel.experimental || policy_.allow_experimental) &&
                              (!channel.deprecated || policy_.allow_deprecated);
        if (keep_all && policy_.exclude_newer.empty()) {
            continue;
        }
        for (Id p = repo->start; p < repo->end; ++p) {
            Solvable* s = pool_id2solvable(pool_, p);
            if (s->repo != repo) {
                continue;
            }
            if (channel.deprecated && !policy_.allow_deprecated) {
                leave_out(p);
                continue;
            }
            if (!policy_.exclude_newer.empty()) {
                const char* date = solvable_lookup_str(s, key_date_);
                if (date != nullptr &&
                    std::string_view(date).substr(0, policy_.exclude_newer.size()) >
                        policy_.exclude_newer) {
                    leave_out(p);
                    continue;
                }
            }
            if (channel.experimental && !policy_.allow_experimental) {
                const SolvableInfo* i = info(p);
                if (i == nullptr) {
                    continue;
                }
                const bool allowed = policy_.experimental_for.count(i->name) != 0 ||
                                     policy_.experimental_for.count(i->display) != 0;
                if (allowed) {
                    continue;
                }
                if (exact.count({i->display, i->version}) != 0 ||
                    exact.count({i->name, i->version}) != 0) {
                    pin_only_.insert(p);
                    infos_[p].pin_only = true;
                    continue;
                }
                leave_out(p);
            }
        }
    }
}

bool Model::limit_releases_per_name(const std::vector<Request>& requests) {
    // The available releases of each name with many (installed ones and pins stay).
    std::unordered_map<Id, std::vector<Id>> by_name;
    for (const auto& [repoid, channel] : channels_) {
        const Repo* repo = pool_id2repo(pool_, repoid);
        for (Id p = repo != nullptr ? repo->start : 0; repo != nullptr && p < repo->end; ++p) {
            const Solvable* s = pool_id2solvable(pool_, p);
            if (s->repo == repo && considered(p) && pin_only_.count(p) == 0) {
                by_name[s->name].push_back(p);
            }
        }
    }
    std::erase_if(by_name, [](const auto& entry) { return entry.second.size() < kLimitFrom; });
    if (by_name.empty()) {
        return false;
    }
    bool changed = false;
    auto leave_out = [&](Id p, bool past_limit) {
        const auto bit = static_cast<unsigned>(p);
        pool_->considered->map[bit >> 3] =
            static_cast<unsigned char>(pool_->considered->map[bit >> 3] & ~(1U << (bit & 7U)));
        limited_[p] = past_limit;
        changed = true;
    };
    // What the requests match (a request's candidates), and which releases a request names
    // exactly ("name==version"): those always stay.
    std::map<Id, std::vector<Id>> matched_by;
    for (std::size_t k = 0; k < requests.size(); ++k) {
        for (const Id p : candidates(requests[k])) {
            matched_by[p].push_back(-static_cast<Id>(k) - 1);
        }
    }
    auto asked_exactly = [&](Id p) {
        const auto matched = matched_by.find(p);
        return matched != matched_by.end() &&
               std::any_of(matched->second.begin(), matched->second.end(), [&](Id m) {
                   return m < 0 &&
                          requests[static_cast<std::size_t>(-m - 1)].spec.rfind("==", 0) == 0;
               });
    };
    // Releases that can never be installed (a QGIS or Python range that leaves the target out)
    // change no answer either: out, unless asked for. (Only the platform is looked at: it is
    // answered at once, where a package dependency would be matched against its releases.)
    std::unordered_map<Id, bool> provided; // requirement -> whether anything provides it
    auto installable = [&](Id p) {
        const Solvable* s = pool_id2solvable(pool_, p);
        for (const Id* dp = s->repo->idarraydata + s->requires_; s->requires_ != 0 && *dp != 0;
             ++dp) {
            if (*dp == SOLVABLE_PREREQMARKER || !is_platform_dependency(*dp)) {
                continue;
            }
            const auto [it, added] = provided.try_emplace(*dp, true);
            if (added) {
                it->second = !whatprovides(pool_, *dp).empty();
            }
            if (!it->second) {
                return false;
            }
        }
        return true;
    };
    for (auto& [name, ids] : by_name) {
        std::erase_if(ids, [&](Id p) {
            if (installable(p) || asked_exactly(p)) {
                return false;
            }
            leave_out(p, false);
            return true;
        });
    }
    auto own_dependencies = [&](Id p) {
        const Solvable* s = pool_id2solvable(pool_, p);
        std::vector<Id> out{s->repo->repoid};
        for (const Offset o : {s->requires_, s->conflicts, s->obsoletes, s->recommends, s->suggests,
                               s->supplements, s->enhances, s->provides}) {
            for (const Id* dp = s->repo->idarraydata + o; o != 0 && *dp != 0; ++dp) {
                out.push_back(*dp);
            }
            out.push_back(0);
        }
        return out;
    };
    auto newer = [&](Id a, Id b) {
        return pool_evrcmp(pool_, pool_id2solvable(pool_, a)->evr, pool_id2solvable(pool_, b)->evr,
                           EVRCMP_COMPARE) > 0;
    };
    // Releases of a name in the same repo with the same dependencies of their own, newest
    // first: candidates for standing in for one another.
    std::unordered_map<Id, std::vector<std::vector<Id>>> alike;
    std::set<Id> targets; // what such releases are named and provide
    for (auto& [name, ids] : by_name) {
        std::sort(ids.begin(), ids.end(), newer);
        std::map<std::vector<Id>, std::vector<Id>> groups;
        for (const Id p : ids) {
            groups[own_dependencies(p)].push_back(p);
        }
        for (auto& [deps, group] : groups) {
            if (group.size() < 2) {
                continue;
            }
            const Solvable* s = pool_id2solvable(pool_, group.front());
            for (const Id* dp = s->repo->idarraydata + s->provides; s->provides != 0 && *dp != 0;
                 ++dp) {
                targets.insert(*dp);
            }
            alike[name].push_back(std::move(group));
        }
    }
    // What the problem asks of them: every dependency naming one (by its name or anything
    // it provides), and every request. Two alike releases that each of these treats alike
    // are interchangeable: the newer one stands for the older.
    if (!targets.empty()) {
        std::unordered_map<Id, bool> names_target; // dependency -> whether it is relevant
        auto relevant = [&](Id dep) {
            const auto [it, added] = names_target.try_emplace(dep, false);
            if (added) {
                Id target = dep;
                if (is_reldep(dep)) {
                    std::string_view text = pool_id2str(pool_, get_reldep(pool_, dep)->name);
                    text = text.substr(0, text.find('#'));
                    if (text.rfind(kPinNot, 0) == 0) {
                        text.remove_prefix(kPinNot.size());
                    } else if (text.rfind(kExact, 0) == 0) {
                        text.remove_prefix(kExact.size());
                        text = text.substr(0, text.rfind('@'));
                    }
                    target = pool_str2id(pool_, std::string(text).c_str(), 0);
                }
                it->second = targets.count(target) != 0;
            }
            return it->second;
        };
        std::set<Id> deps;
        for (Id p = 2; p < pool_->nsolvables; ++p) {
            const Solvable* s = pool_id2solvable(pool_, p);
            if (s->repo == nullptr) {
                continue;
            }
            for (const Offset o : {s->requires_, s->conflicts, s->obsoletes, s->recommends,
                                   s->suggests, s->supplements, s->enhances}) {
                for (const Id* dp = s->repo->idarraydata + o; o != 0 && *dp != 0; ++dp) {
                    if (*dp != SOLVABLE_PREREQMARKER && relevant(*dp)) {
                        deps.insert(*dp);
                    }
                }
            }
        }
        for (const Id dep : deps) {
            for (const Id p : whatprovides(pool_, dep)) {
                matched_by[p].push_back(dep);
            }
        }
    }
    for (auto& [name, groups] : alike) {
        for (const auto& group : groups) {
            std::set<std::vector<Id>> seen;
            for (const Id p : group) { // newest first
                std::vector<Id>& matched = matched_by[p];
                std::sort(matched.begin(), matched.end());
                if (!seen.insert(matched).second) {
                    leave_out(p, false);
                }
            }
        }
    }
    // Still too many (each different): the newest, and those a request asks for exactly.
    for (const auto& [name, ids] : by_name) {
        std::size_t kept = 0;
        for (const Id p : ids) { // newest first
            if (considered(p) && ++kept > kMaxReleasesPerName && !asked_exactly(p)) {
                leave_out(p, true);
            }
        }
    }
    return changed;
}

} // namespace qplug::solver::solv
