// Each backend's versions in its own scheme: QGIS's for plugins, PEP 440 for pip, conda's
// for conda.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <qplug/solver/records.hpp>
#include <qplug/version/scheme.hpp>

namespace qplug::solver {

version::Scheme scheme_of(Backend backend);

/// Sorts oldest first in the backend's scheme; versions the scheme cannot read (a broken
/// wheel name) go first, in text order, so that they never pass for the newest.
void sort_versions(Backend backend, std::vector<std::string>& versions);

/// a < b in the backend's scheme, with the same rule for unreadable versions.
bool version_less(Backend backend, std::string_view a, std::string_view b);

} // namespace qplug::solver
