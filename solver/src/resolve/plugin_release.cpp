// SPDX-License-Identifier: GPL-2.0-or-later
#include <fmt/format.h>

#include <qplug/meta/model.hpp>
#include <qplug/solver/plugin_dependencies.hpp>
#include <qplug/solver/plugin_release.hpp>
#include <qplug/unicode.hpp>

#include "formats/flat_json.hpp"

namespace qplug::solver {

std::optional<Dependency> qgis_dependency(std::string_view minimum, std::string_view maximum) {
    if (minimum.empty() && maximum.empty()) {
        return std::nullopt;
    }
    Dependency d;
    d.kind = DependencyKind::qgis;
    d.target = "qgis";
    d.spec = fmt::format("{}..{}", minimum, maximum);
    return d;
}

std::string general_section_json(const meta::Document& document) {
    FlatJson j;
    for (const auto& item : document.general_items()) {
        if (*item.value) {
            j.add(item.entry->key, **item.value);
        }
    }
    return std::move(j).str();
}

std::vector<Dependency> plugin_dependencies_from_metadata(const meta::Document& document,
                                                          std::vector<std::string>* warnings) {
    std::vector<Dependency> out;
    if (const auto value = document.get("plugin_dependencies")) {
        auto parsed = meta::parse_plugin_dependencies(*value);
        if (parsed) {
            out = plugin_dependency_records(*parsed, warnings);
        } else if (warnings != nullptr) {
            warnings->push_back(parsed.error().to_string());
        }
    }
    const auto min = document.get("qgisMinimumVersion");
    const auto max = document.get("qgisMaximumVersion");
    if (auto q =
            qgis_dependency(unicode::strip(min.value_or("")), unicode::strip(max.value_or("")))) {
        out.push_back(std::move(*q));
    }
    return out;
}

Package plugin_package_from_metadata(const meta::Document& document, std::string_view folder,
                                     std::vector<std::string>* warnings) {
    const meta::Metadata m = meta::make_metadata(document);
    Package p;
    p.name = std::string(folder);
    p.display_name = std::string(unicode::strip(m.name));
    p.summary = std::string(unicode::strip(m.description));
    p.keywords = m.tags;
    Release r;
    r.version = std::string(unicode::strip(m.version));
    r.channel = m.experimental.qgis ? Channel::experimental : Channel::stable;
    r.deprecated = m.deprecated.qgis;
    r.qgis_minimum = std::string(unicode::strip(m.qgis_minimum_version));
    r.qgis_maximum = std::string(unicode::strip(m.qgis_maximum_version.value_or("")));
    r.metadata_json = general_section_json(document);
    r.dependencies = plugin_dependencies_from_metadata(document, warnings);
    r.modules.emplace_back(folder); // QGIS imports the plugin by its folder name
    if (r.version.empty() && warnings != nullptr) {
        warnings->push_back(fmt::format("{}: metadata.txt has no readable version", folder));
    }
    p.releases.push_back(std::move(r));
    return p;
}

} // namespace qplug::solver
