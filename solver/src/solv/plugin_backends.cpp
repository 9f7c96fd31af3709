// One plugin from several backends (docs/resolve.md, "One plugin, several backends"): which of
// its releases is preferred, and which backend an upgrade moves an installed plugin to.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/plugin_backends.hpp"

#include <algorithm>
#include <optional>
#include <set>

#include <qplug/version/scheme.hpp>

#include "solv/names.hpp"

namespace qplug::solver::solv {

bool less_preferred(const Model& model, Id a, Id b) {
    Pool* pool = model.pool();
    const Policy& policy = model.policy();
    auto rank_of = [&](Backend backend) {
        const auto& order = policy.backend_preference;
        const auto it = std::find(order.begin(), order.end(), backend);
        return static_cast<std::size_t>(it - order.begin());
    };
    auto priority = [&](Id p) {
        const Repo* repo = pool_id2solvable(pool, p)->repo;
        return repo == nullptr || repo == pool->installed ? 0 : repo->priority;
    };
    const SolvableInfo* x = model.info(a);
    const SolvableInfo* y = model.info(b);
    if (!x->installed && !y->installed && priority(a) != priority(b)) {
        return priority(a) < priority(b);
    }
    auto order = version::compare(version::Scheme::qgis, x->version, y->version);
    if (order && *order != version::Ordering::equal) {
        return *order == version::Ordering::less;
    }
    return rank_of(x->backend) > rank_of(y->backend);
}

std::vector<Id> backend_switch(const Model& model, Id installed) {
    Pool* pool = model.pool();
    const Policy& policy = model.policy();
    const SolvableInfo* i = model.info(installed);
    if (i == nullptr || !i->installed || i->kind != SolvableInfo::Kind::release) {
        return {};
    }
    const std::string plugin = std::string(kPlugin) + encode_name(i->display);
    const Id id = pool_str2id(pool, plugin.c_str(), 0);
    if (id == 0) {
        return {};
    }
    const std::vector<Id> all = whatprovides(pool, id);
    if (std::find(all.begin(), all.end(), installed) == all.end()) {
        return {}; // not a plugin
    }
    // A pin that names a backend decides; else the most preferred release's backend.
    std::optional<Backend> pinned;
    for (const auto& [target, spec] : policy.pins) {
        const std::size_t colon = target.find(':');
        if (colon == std::string::npos) {
            continue;
        }
        const auto backend = backend_from_name(target.substr(0, colon));
        const std::string name = target.substr(colon + 1);
        if (backend && (name == i->display || name == i->name)) {
            pinned = backend;
        }
    }
    std::vector<Id> others;
    for (const Id p : model.providers(plugin)) {
        const SolvableInfo* o = model.info(p);
        if (o != nullptr && o->kind == SolvableInfo::Kind::release && !o->installed &&
            model.considered(p)) {
            others.push_back(p);
        }
    }
    if (others.empty()) {
        return {};
    }
    Backend target = i->backend;
    if (pinned) {
        target = *pinned;
    } else {
        const Id best = *std::max_element(others.begin(), others.end(),
                                          [&](Id a, Id b) { return less_preferred(model, a, b); });
        if (less_preferred(model, installed, best)) {
            target = model.info(best)->backend;
        }
    }
    if (target == i->backend) {
        return {};
    }
    std::erase_if(others, [&](Id p) { return model.info(p)->backend != target; });
    return others;
}

std::vector<Id> plugin_preference(const Model& model) {
    Pool* pool = model.pool();
    std::vector<Id> out;
    const Id strings = static_cast<Id>(pool->ss.nstrings);
    for (Id id = 1; id < strings; ++id) {
        const std::string_view text = pool_id2str(pool, id);
        if (text.rfind(kPlugin, 0) != 0 || text.find('#') != std::string_view::npos) {
            continue;
        }
        std::vector<Id> group;
        std::set<Backend> backends;
        for (const Id p : whatprovides(pool, id)) {
            const SolvableInfo* i = model.info(p);
            if (i != nullptr && i->kind == SolvableInfo::Kind::release) {
                group.push_back(p);
                backends.insert(i->backend);
            }
        }
        if (backends.size() < 2) {
            continue;
        }
        // Least preferred first.
        std::stable_sort(group.begin(), group.end(),
                         [&](Id a, Id b) { return less_preferred(model, a, b); });
        out.insert(out.end(), group.begin(), group.end());
    }
    return out;
}

} // namespace qplug::solver::solv
