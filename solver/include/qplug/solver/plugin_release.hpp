// A QGIS plugin release as its metadata.txt describes it, read as QGIS reads it: what the
// folder and installed sources record, and what a fetched plugin ZIP adds to a plugins.xml
// release (its dependencies).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/meta/document.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// The package (key = the plugin folder) with one release from [general]: version, channel
/// and flags as QGIS reads them, the QGIS range, plugin_dependencies, the folder as the
/// Python module it provides, [general] as JSON. Problems QGIS would trip over go to
/// `warnings`.
Package plugin_package_from_metadata(const meta::Document& document, std::string_view folder,
                                     std::vector<std::string>* warnings = nullptr);

/// The dependencies a metadata.txt declares (plugin_dependencies, the QGIS range).
std::vector<Dependency> plugin_dependencies_from_metadata(const meta::Document& document,
                                                          std::vector<std::string>* warnings);

/// The requirement on QGIS of a release, "min..max" as published ("" parts stay empty and
/// take QGIS's defaults when checked); nullopt when neither is given.
std::optional<Dependency> qgis_dependency(std::string_view minimum, std::string_view maximum);

/// [general] as a JSON object of the values get() returns (own and inherited keys, as
/// written; unreadable ones left out).
std::string general_section_json(const meta::Document& document);

} // namespace qplug::solver
