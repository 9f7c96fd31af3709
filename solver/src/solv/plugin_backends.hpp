// One plugin from several backends: the preference among its releases and the backend an
// upgrade moves an installed plugin to, over the model's public face.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <vector>

#include "solv/model.hpp"

namespace qplug::solver::solv {

/// The releases of every plugin that more than one backend offers, least preferred first
/// (each becomes a SOLVER_FAVOR job; later jobs are favoured more): within a plugin,
/// the higher repository priority, then the newer version (QGIS's comparison), then the
/// policy's backend preference (docs/resolve.md, "One plugin, several backends").
std::vector<Id> plugin_preference(const Model& model);
/// Whether release a of a plugin is less preferred than release b of the same plugin:
/// the lower repository priority (between available releases), the older version, the
/// backend later in the policy's preference.
bool less_preferred(const Model& model, Id a, Id b);
/// For an installed plugin release: the releases of the same plugin (by its name) from
/// the backend an upgrade moves it to, when that is not its own: a pin naming a backend
/// decides, else the backend of the most preferred release when that release is preferred
/// to the installed one. Empty when it stays where it is.
std::vector<Id> backend_switch(const Model& model, Id installed);

} // namespace qplug::solver::solv
