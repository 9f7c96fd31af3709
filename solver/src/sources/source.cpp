// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <string>
#include <unordered_set>

#include <fmt/format.h>

#include <qplug/solver/source.hpp>
#include <qplug/solver/source_kinds.hpp>

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

namespace {

/// Passes a source's packages on to the index, counting them for progress and stopping at a
/// cancel.
class WatchedSink final : public SyncSink {
public:
    WatchedSink(SyncSink& inner, const SyncContext& context, std::string name)
        : inner_(inner), context_(context), name_(std::move(name)) {}

    void expect(std::size_t packages) override {
        expected_ = packages;
        inner_.expect(packages);
    }
    void reserve(std::size_t releases) override { inner_.reserve(releases); }
    Expected<void> clear() override {
        if (cancelled(context_.cancel)) {
            return cancelled_error("syncing " + name_);
        }
        return inner_.clear();
    }
    Expected<void> add(const Package& package) override {
        if (cancelled(context_.cancel)) {
            return cancelled_error("syncing " + name_);
        }
        if (auto r = inner_.add(package); !r) {
            return r;
        }
        // A source may add a package once per version (plugins.xml): packages are counted.
        if (!names_.insert(package.name).second) {
            return {};
        }
        ++stored_;
        if (context_.stored) {
            context_.stored(stored_, std::max(expected_, stored_));
        }
        return {};
    }
    void warn(std::string message) override { inner_.warn(std::move(message)); }

private:
    SyncSink& inner_;
    const SyncContext& context_;
    std::string name_;
    std::uint64_t expected_ = 0;
    std::uint64_t stored_ = 0;
    std::unordered_set<std::string> names_; ///< of the packages stored
};

} // namespace

Expected<SyncReport> sync_repository(Index& index, const SourceRegistry& registry,
                                     std::string_view name, const SyncContext& context) {
    const auto repo = index.repository(name);
    if (!repo) {
        Error e = failure("repository '" + std::string(name) + "' is not configured");
        e.kind = Error::Kind::not_found;
        return e;
    }
    std::optional<SourceType> external;
    auto type = find_source_type(registry, repo->kind, external);
    if (!type) {
        return failure("repository '" + repo->name + "' has the kind '" + repo->kind +
                       "', which this qplug does not know (" + type.error().to_string() + ")");
    }
    auto source = (*type)->make(*repo);
    QPLUG_RETURN_IF_ERROR(source);
    return index.sync(name, [&](SyncSink& sink) -> Expected<Index::SyncResult> {
        WatchedSink watched(sink, context, repo->name);
        auto result = (*source)->sync(context, watched);
        if (result && cancelled(context.cancel)) {
            return cancelled_error("syncing " + repo->name); // rolled back before the commit
        }
        return result;
    });
}

Expected<Package> Source::read_project(std::string_view name, const SyncContext& /*context*/,
                                       std::vector<std::string>& /*warnings*/) {
    return failure(fmt::format("this kind of repository is read whole at sync, not project by "
                               "project ('{}')",
                               name));
}

Expected<ProjectsRead> read_projects(const Index& index, const SourceRegistry& registry,
                                     std::string_view repository,
                                     const std::vector<std::string>& projects,
                                     const SyncContext& context) {
    const auto repo = index.repository(repository);
    if (!repo) {
        return failure("repository '" + std::string(repository) + "' is not configured");
    }
    std::optional<SourceType> external;
    auto type = find_source_type(registry, repo->kind, external);
    if (!type) {
        return failure("repository '" + repo->name + "' has the kind '" + repo->kind +
                       "', which this qplug does not know (" + type.error().to_string() + ")");
    }
    auto source = (*type)->make(*repo);
    QPLUG_RETURN_IF_ERROR(source);
    ProjectsRead read;
    for (const auto& name : projects) {
        auto package = (*source)->read_project(name, context, read.warnings);
        if (!package) {
            Error e = std::move(package).error();
            e.message =
                fmt::format("repository '{}', project '{}': {}", repo->name, name, e.message);
            return e;
        }
        if (!package->releases.empty()) {
            read.packages.push_back(std::move(*package)); // (nothing read: the listing stays)
        }
    }
    return read;
}

std::string default_qgis_version() {
    if (const char* env = std::getenv("QPLUG_QGIS_VERSION"); env != nullptr && *env != '\0') {
        return env;
    }
    return "3.40.0"; // the long-term release at the time of writing (docs/index.md)
}

} // namespace qplug::solver
