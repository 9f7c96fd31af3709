// The model in the user's words (model_text.hpp), and what the policy left out.
// SPDX-License-Identifier: GPL-2.0-or-later
#include "solv/model_text.hpp"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include <qplug/solver/pip_project.hpp>
#include <qplug/solver/plugin_distribution.hpp>
#include <qplug/solver/versions.hpp>
#include <qplug/unicode.hpp>
#include <qplug/version/compat.hpp>
#include <qplug/version/scheme.hpp>

namespace qplug::solver::solv {

std::string label(const Model& model, Id p) {
    const SolvableInfo* i = model.info(p);
    if (i == nullptr) {
        return pool_solvid2str(model.pool(), p);
    }
    switch (i->kind) {
    case SolvableInfo::Kind::qgis:
        return "QGIS " + i->version;
    case SolvableInfo::Kind::python:
        return "Python " + i->version;
    case SolvableInfo::Kind::pin:
        return "your pin on " + i->display;
    default:
        break;
    }
    return fmt::format("{} {} ({}{})", i->display, i->version, backend_name(i->backend),
                       i->installed ? ", installed" : "");
}

std::string why_unsatisfied(const Model& model, Id dep) {
    if (!is_reldep(dep)) {
        return "which no repository offers";
    }
    Pool* pool = model.pool();
    const std::string text = pool_id2str(pool, get_reldep(pool, dep)->name);
    const std::string target = text.substr(0, text.find('#'));
    std::vector<std::string> versions;
    std::vector<std::string> host; // the environment's own, not installed by qplug
    for (const Id p : model.providers(target)) {
        const SolvableInfo* i = model.info(p);
        const ReleaseRecord* r = model.record(p);
        if (i != nullptr && i->installed && r != nullptr && r->release.external) {
            host.push_back(i->version);
            continue;
        }
        if (i != nullptr && !i->pin_only &&
            std::find(versions.begin(), versions.end(), i->version) == versions.end()) {
            versions.push_back(i->version);
        }
    }
    if (!host.empty() && versions.empty()) {
        return fmt::format("but the target's Python environment has {} (not installed by qplug, "
                           "which leaves it as it is) and no repository offers another",
                           fmt::join(host, ", "));
    }
    const std::size_t colon = target.find(':');
    const std::string name =
        decode_name(colon == std::string::npos ? target : target.substr(colon + 1));
    std::vector<std::string> left_out;
    for (const auto& [version, why] : model.excluded(name)) {
        left_out.push_back(version + " is " + why);
    }
    std::string out;
    if (!versions.empty()) {
        out = fmt::format("but only {} {} offered", fmt::join(versions, ", "),
                          versions.size() == 1 ? "is" : "are");
    } else if (left_out.empty()) {
        return "which no repository offers";
    }
    if (!left_out.empty()) {
        out += fmt::format("{}{} (left out by the policy)", out.empty() ? "but " : "; ",
                           fmt::join(left_out, ", "));
    }
    return out;
}

std::vector<std::pair<std::string, std::string>> Model::excluded(const std::string& name) const {
    // whatprovides leaves out what is not considered: look at those solvables themselves.
    std::vector<std::pair<std::string, std::string>> out;
    std::set<std::pair<std::string, std::string>> seen;
    if (pool_->considered == nullptr) {
        return out;
    }
    const std::string lowered = unicode::to_lower(name);
    const std::string pip_name = normalize_pip_name(name);
    for (Id p = 2; p < pool_->nsolvables; ++p) {
        const Solvable* s = pool_id2solvable(pool_, p);
        if (s->repo == nullptr || considered(p)) {
            continue;
        }
        const auto limited = limited_.find(p);
        if (limited != limited_.end() && !limited->second) {
            continue; // a newer release like it stands for it
        }
        const SolvableInfo* i = info(p);
        auto channel = channels_.find(s->repo->repoid);
        if (i == nullptr || i->kind != SolvableInfo::Kind::release || channel == channels_.end()) {
            continue;
        }
        const bool named = unicode::to_lower(i->name) == lowered ||
                           unicode::to_lower(i->display) == lowered ||
                           (i->backend == Backend::pip && i->name == pip_name);
        if (!named) {
            continue;
        }
        const std::string why =
            limited != limited_.end()
                ? fmt::format("older than the {} newest, the most a resolution considers",
                              kMaxReleasesPerName)
            : channel->second.deprecated && !policy_.allow_deprecated ? "deprecated"
            : channel->second.experimental && !policy_.allow_experimental
                ? "experimental"
                : "updated after " + policy_.exclude_newer;
        if (seen.insert(std::make_pair(i->version, why)).second) {
            out.emplace_back(i->version, why);
        }
    }
    return out;
}

bool Model::is_extra_base(Id dep) const {
    return is_reldep(dep) &&
           std::string_view(pool_id2str(pool_, get_reldep(pool_, dep)->name)).rfind(kExact, 0) == 0;
}

bool Model::is_platform_dependency(Id dep) const {
    if (!is_reldep(dep)) {
        return false;
    }
    const Reldep* rd = get_reldep(pool_, dep);
    const std::string text = pool_id2str(pool_, rd->name);
    return text.rfind("qgis#", 0) == 0 || text.rfind("python#", 0) == 0 ||
           text.rfind("condapython#", 0) == 0;
}

std::string describe_dependency(const Model& model, Id dep) {
    Pool* pool = model.pool();
    if (!is_reldep(dep)) {
        return decode_name(pool_id2str(pool, dep));
    }
    const Reldep* rd = get_reldep(pool, dep);
    const std::string text = pool_id2str(pool, rd->name);
    const std::size_t hash = text.find('#');
    const std::string target = text.substr(0, hash);
    const std::string spec = hash == std::string::npos ? "" : text.substr(hash + 1);
    auto with_spec = [&](const std::string& what) {
        return spec.empty() ? what : what + " " + spec;
    };
    if (target == "qgis") {
        const std::size_t dots = spec.find("..");
        const std::string min = spec.substr(0, dots);
        std::string max = dots == std::string::npos ? std::string() : spec.substr(dots + 2);
        if (max.empty()) {
            max = version::compat::default_maximum(min, version::compat::Rules::installer) +
                  " (the default)";
        }
        return fmt::format("QGIS {} to {}", min.empty() ? "(any)" : min, max);
    }
    if (target == "python" || target == "condapython") {
        return "Python " + spec;
    }
    if (target.rfind(kPlugin, 0) == 0 && spec.rfind("other:", 0) == 0) {
        return "the plugin '" + decode_name(target.substr(kPlugin.size())) +
               "' from another backend than " + spec.substr(6);
    }
    if (target.rfind(kPlugin, 0) == 0) {
        return with_spec("the plugin '" + decode_name(target.substr(kPlugin.size())) + "'");
    }
    if (target.rfind(kModule, 0) == 0) {
        return "the Python module '" + decode_name(target.substr(kModule.size())) +
               "' from another backend";
    }
    if (target.rfind(kPinNot, 0) == 0) {
        const std::string name = target.substr(kPinNot.size());
        return decode_name(name.substr(name.find(':') + 1)) + " outside " + spec;
    }
    if (target.rfind(kExact, 0) == 0) {
        return "its release without extras";
    }
    const std::size_t colon = target.find(':');
    return with_spec(decode_name(target.substr(colon + 1))) + " (" + target.substr(0, colon) + ")";
}

} // namespace qplug::solver::solv
