// Reads a package in the shape `qplug info --json` prints one (queries.cpp writes it): how an
// external kind hands its packages to the index, so that there is one JSON shape for records.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <type_traits>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "errors.hpp"
#include "sources/sources.hpp"

namespace qplug::solver::sources {

namespace {

using json = nlohmann::json;

/// Reads the members of one object, each with its expected type; unknown members are errors
/// (a misspelt key would otherwise be lost without a word).
class Members {
public:
    Members(const json& object, std::string where) : object_(object), where_(std::move(where)) {}

    Expected<void> string(const char* key, std::string& out, bool required = false) {
        const auto it = object_.find(key);
        if (it == object_.end() || (it->is_null() && !required)) {
            return required ? missing(key) : Expected<void>{};
        }
        if (!it->is_string()) {
            return wrong(key, "a string", *it);
        }
        out = it->get<std::string>();
        return {};
    }
    Expected<void> boolean(const char* key, bool& out) {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            return {};
        }
        if (!it->is_boolean()) {
            return wrong(key, "true or false", *it);
        }
        out = it->get<bool>();
        return {};
    }
    template <class Int>
    Expected<void> integer(const char* key, std::optional<Int>& out) {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            return {};
        }
        if (!it->is_number_integer() ||
            (std::is_unsigned_v<Int> && it->is_number_integer() && !it->is_number_unsigned())) {
            return wrong(key, "a whole number", *it);
        }
        out = it->get<Int>();
        return {};
    }
    const json* array(const char* key, Expected<void>& status) {
        const auto it = object_.find(key);
        if (it == object_.end() || it->is_null()) {
            return nullptr;
        }
        if (!it->is_array()) {
            status = wrong(key, "an array", *it);
            return nullptr;
        }
        return &*it;
    }
    /// Every member must be one of `known`.
    Expected<void> only(std::initializer_list<std::string_view> known) {
        for (const auto& [key, value] : object_.items()) {
            if (std::find(known.begin(), known.end(), key) == known.end()) {
                return failure(fmt::format("{}: unknown member '{}'", where_, key));
            }
        }
        return {};
    }

private:
    Expected<void> missing(const char* key) const {
        return failure(fmt::format("{}: '{}' is required", where_, key));
    }
    Expected<void> wrong(const char* key, const char* what, const json& value) const {
        return failure(fmt::format("{}: '{}' must be {}, not {}", where_, key, what,
                                   value.dump(-1, ' ', false, json::error_handler_t::replace)));
    }

    const json& object_;
    std::string where_;
};

Expected<Dependency> dependency_from(const json& j, const std::string& where) {
    if (!j.is_object()) {
        return failure(where + ": a dependency must be an object");
    }
    Members m(j, where);
    QPLUG_TRY(m.only({"kind", "target", "spec", "markers", "extra", "constraint"}));
    Dependency d;
    std::string kind;
    QPLUG_TRY(m.string("kind", kind, true));
    const auto k = dependency_kind_from_name(kind);
    if (!k) {
        return failure(fmt::format("{}: unknown dependency kind '{}' (plugin, pip, conda, qgis, "
                                   "python)",
                                   where, kind));
    }
    d.kind = *k;
    QPLUG_TRY(m.string("target", d.target, true));
    QPLUG_TRY(m.string("spec", d.spec));
    QPLUG_TRY(m.string("markers", d.markers));
    QPLUG_TRY(m.string("extra", d.extra));
    QPLUG_TRY(m.boolean("constraint", d.constraint));
    if (d.kind == DependencyKind::pip) {
        d.target = normalize_pip_name(d.target);
    }
    return d;
}

Expected<Release> release_from(const json& j, const std::string& where) {
    if (!j.is_object()) {
        return failure(where + ": a release must be an object");
    }
    Members m(j, where);
    QPLUG_TRY(m.only({"version", "channel", "deprecated", "trusted", "qgis_minimum", "qgis_maximum",
                      "requires_python", "download_url", "file_name", "size", "hash", "update_date",
                      "dependencies_known", "dependencies", "modules", "metadata", "build",
                      "subdir", "build_number",
                      // (what `qplug info --json` adds, accepted and ignored)
                      "plugin_key", "extras", "path", "owner"}));
    Release r;
    QPLUG_TRY(m.string("version", r.version, true));
    std::string channel = "stable";
    QPLUG_TRY(m.string("channel", channel));
    if (channel == "experimental") {
        r.channel = Channel::experimental;
    } else if (channel != "stable") {
        return failure(fmt::format("{}: 'channel' must be \"stable\" or \"experimental\", not "
                                   "\"{}\"",
                                   where, channel));
    }
    QPLUG_TRY(m.boolean("deprecated", r.deprecated));
    QPLUG_TRY(m.boolean("trusted", r.trusted));
    QPLUG_TRY(m.string("qgis_minimum", r.qgis_minimum));
    QPLUG_TRY(m.string("qgis_maximum", r.qgis_maximum));
    QPLUG_TRY(m.string("requires_python", r.requires_python));
    QPLUG_TRY(m.string("download_url", r.download_url, true));
    // A release nobody can download or name cannot be installed: refused here, with the
    // package, not later by an install that fails.
    if (r.version.empty() || r.download_url.empty()) {
        return failure(fmt::format("{}: '{}' must not be empty", where,
                                   r.version.empty() ? "version" : "download_url"));
    }
    QPLUG_TRY(m.string("file_name", r.file_name));
    QPLUG_TRY(m.integer("size", r.size));
    QPLUG_TRY(m.string("hash", r.hash));
    QPLUG_TRY(m.string("update_date", r.update_date));
    QPLUG_TRY(m.boolean("dependencies_known", r.dependencies_known));
    QPLUG_TRY(m.string("build", r.build));
    QPLUG_TRY(m.string("subdir", r.subdir));
    QPLUG_TRY(m.integer("build_number", r.build_number));
    Expected<void> status;
    if (const json* deps = m.array("dependencies", status)) {
        for (std::size_t i = 0; i < deps->size(); ++i) {
            auto d = dependency_from((*deps)[i], fmt::format("{}, dependency {}", where, i + 1));
            QPLUG_RETURN_IF_ERROR(d);
            r.dependencies.push_back(std::move(*d));
        }
    }
    QPLUG_TRY(std::move(status));
    if (const json* modules = m.array("modules", status)) {
        for (const auto& module : *modules) {
            if (!module.is_string()) {
                return failure(where + ": 'modules' must hold strings");
            }
            r.modules.push_back(module.get<std::string>());
        }
    }
    QPLUG_TRY(std::move(status));
    r.metadata_json = "{}";
    if (const auto it = j.find("metadata"); it != j.end() && !it->is_null()) {
        if (!it->is_object()) {
            return failure(where + ": 'metadata' must be an object");
        }
        r.metadata_json = it->dump(-1, ' ', false, json::error_handler_t::replace);
    }
    return r;
}

} // namespace

Expected<Package> package_from_json(std::string_view text) {
    const json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        return failure("a package must be a JSON object");
    }
    Members m(j, "package");
    // (what `qplug info --json` adds about the package as the index holds it is accepted)
    QPLUG_TRY(m.only({"name", "display_name", "summary", "keywords", "releases", "repository",
                      "kind", "backend", "qgis", "stable", "experimental", "deprecated"}));
    Package p;
    QPLUG_TRY(m.string("name", p.name, true));
    if (p.name.empty()) {
        return failure("package: 'name' must not be empty");
    }
    const std::string where = fmt::format("package '{}'", p.name);
    Members named(j, where);
    QPLUG_TRY(named.string("display_name", p.display_name));
    QPLUG_TRY(named.string("summary", p.summary));
    QPLUG_TRY(named.string("keywords", p.keywords));
    if (p.display_name.empty()) {
        p.display_name = p.name;
    }
    Expected<void> status;
    const json* releases = named.array("releases", status);
    QPLUG_TRY(std::move(status));
    if (releases == nullptr || releases->empty()) {
        return failure(where + ": 'releases' must list at least one release");
    }
    for (std::size_t i = 0; i < releases->size(); ++i) {
        auto r = release_from((*releases)[i], fmt::format("{}, release {}", where, i + 1));
        QPLUG_RETURN_IF_ERROR(r);
        p.releases.push_back(std::move(*r));
    }
    return p;
}

} // namespace qplug::solver::sources
