// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdlib>

#include <qplug/solver/source.hpp>

#include "errors.hpp"
#include "sources/sources.hpp"

namespace qplug::solver {

void SourceRegistry::add(SourceType type) {
    for (auto& t : types_) {
        if (t.tag == type.tag) {
            t = std::move(type);
            return;
        }
    }
    types_.push_back(std::move(type));
}

const SourceType* SourceRegistry::find(std::string_view tag) const {
    for (const auto& t : types_) {
        if (t.tag == tag) {
            return &t;
        }
    }
    return nullptr;
}

const SourceRegistry& SourceRegistry::builtin() {
    static const SourceRegistry registry = [] {
        SourceRegistry r;
        for (auto& type : sources::builtin_types()) {
            r.add(std::move(type));
        }
        return r;
    }();
    return registry;
}

Expected<SyncReport> sync_repository(Index& index, const SourceRegistry& registry,
                                     std::string_view name, const SyncContext& context) {
    const auto repo = index.repository(name);
    if (!repo) {
        return failure("repository '" + std::string(name) + "' is not configured");
    }
    const SourceType* type = registry.find(repo->kind);
    if (type == nullptr) {
        return failure("repository '" + repo->name + "' has the kind '" + repo->kind +
                       "', which this qplug does not know");
    }
    auto source = type->make(*repo);
    if (!source) {
        return std::move(source).error();
    }
    return index.sync(name, [&](SyncSink& sink) { return (*source)->sync(context, sink); });
}

std::string default_qgis_version() {
    if (const char* env = std::getenv("QPLUG_QGIS_VERSION"); env != nullptr && *env != '\0') {
        return env;
    }
    return "3.40.0"; // the long-term release at the time of writing (docs/index.md)
}

} // namespace qplug::solver
