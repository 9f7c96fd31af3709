// The typed view of a metadata.txt: what QGIS and plugins.qgis.org make of each key.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/meta/document.hpp>

namespace qplug::meta {

/// One item of plugin_dependencies as QGIS splits it (qgis.utils.get_plugin_deps).
struct PluginDependency {
    std::string name;                   ///< as written: QGIS does not strip it
    std::optional<std::string> version; ///< the ==pin
};

/// A boolean as each consumer reads it.
struct Flag {
    std::optional<std::string> raw; ///< the value, when the key is present
    bool qgis = false;              ///< QGIS desktop: true/yes, any case
    bool site = false;              ///< plugins.qgis.org: true/yes/1, any case
    bool server = false;            ///< QGIS Server (server only): exactly "True"
};

struct Metadata {
    std::string name, description, about, version;
    std::string qgis_minimum_version;
    std::optional<std::string> qgis_maximum_version; ///< nullopt: absent or empty
    std::string author; ///< author_name first, then author, as QGIS reads it
    std::string email, homepage, tracker, repository, changelog, icon, category, external_deps;
    std::string tags;                  ///< as written
    std::vector<std::string> tag_list; ///< as the site stores them: split, stripped, lower-cased
    Flag experimental, deprecated, server, has_processing_provider;
    std::vector<PluginDependency> plugin_dependencies;
    /// key[locale] variants, e.g. {"description[de]", "..."}.
    std::vector<std::pair<std::string, std::string>> translations;
    /// Keys no consumer reads, as written, in file order.
    std::vector<std::pair<std::string, std::string>> extra;
};

/// The typed view of [general] (interpolated values; an unreadable key counts as absent).
Metadata make_metadata(const Document& document);

/// qgis.utils.get_plugin_deps on the value configparser returned: split on ',', items not
/// stripped, '==' at a position > 0 pins a version, a repeated name replaces the earlier pin
/// in place (a dict). Fails where QGIS raises: an item with two '=='.
Expected<std::vector<PluginDependency>> parse_plugin_dependencies(std::string_view value);

} // namespace qplug::meta
