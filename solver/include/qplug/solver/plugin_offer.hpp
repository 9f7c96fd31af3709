// What QGIS's plugin manager offers of a plugin: the stable and the experimental release it
// shows for a QGIS version (docs/index-sources.md, "What QGIS offers from a plugins.xml").
// `qplug info` and `qplug list` show it; the differential test holds it to QGIS 3.22's code.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <span>
#include <string>

#include <qplug/solver/index.hpp>

namespace qplug::solver {

struct OfferOptions {
    std::string qgis;              ///< the QGIS version, X.Y.Z
    bool allow_deprecated = false; ///< QGIS's app/plugin_installer/allowDeprecated
};

struct Offer {
    const ReleaseRecord* stable = nullptr;
    const ReleaseRecord* experimental = nullptr;

    /// The newer of the two (the experimental one when both are offered), or nullptr.
    const ReleaseRecord* latest() const { return experimental != nullptr ? experimental : stable; }
};

/// Whether QGIS would list the release at all: a plugin release compatible with `qgis`
/// (installer rules; no <qgis_minimum_version> reads as "2"), not deprecated unless allowed.
/// pip and conda releases have no QGIS range.
bool offered(const ReleaseRecord& release, const OfferOptions& options);

/// The offer among the releases of one package of one repository:
/// - stable: the newest stable release offered. (QGIS takes the last in the document, QGIS
///   issue #63672; qplug the newest, which is the same for a plugins.xml listed oldest first.)
/// - experimental: the newest experimental release offered, unless (a plugin's) the stable
///   one is newer (installer_data.rebuild drops it then).
Offer qgis_offer(std::span<const ReleaseRecord* const> releases, const OfferOptions& options);

} // namespace qplug::solver
