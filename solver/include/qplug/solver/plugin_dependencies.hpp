// plugin_dependencies, the metadata key by which a QGIS plugin names the plugins it needs, as
// the index records it. QGIS's own split is libmeta's parse_plugin_dependencies.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <qplug/meta/model.hpp>
#include <qplug/solver/records.hpp>

namespace qplug::solver {

/// The index's dependency records: names stripped (QGIS does not strip, so " B" matches no
/// plugin there; qplug matches "B" and says so in `warnings`), empty names dropped, a pin
/// as the spec "==<version>".
std::vector<Dependency> plugin_dependency_records(const std::vector<meta::PluginDependency>& parsed,
                                                  std::vector<std::string>* warnings = nullptr);

} // namespace qplug::solver
