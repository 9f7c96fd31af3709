// QGIS's plugin version comparison (python/pyplugin_installer/version_compare.py), in both
// generations: "classic" (QGIS <= 3.40) and the PEP 440 based one (QGIS >= 3.42 and 4.x).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace qplug::version::qgis {

/// compareVersions' result codes, as QGIS returns them.
enum class Verdict { equal = 0, first_newer = 1, second_newer = 2 };

/// normalizeVersion: upper-cased (str.upper), then for each prefix VERSION, VER., VER, V., V,
/// REVISION, REV., REV, R., R that the string starts with, every occurrence of it is removed
/// (str.replace); finally str.strip(). Input must be valid UTF-8.
std::string normalize(std::string_view version);

/// chopString of a normalized, non-empty version: runs of digits and of other characters.
std::vector<std::string> chop(std::string_view normalized);

/// Classic compareVersions (QGIS <= 3.40). Where QGIS raises, qplug decides (see
/// docs/versions.md): a version that normalizes to "" is older than any other; an element
/// that float() cannot read is compared as text.
Verdict compare_classic(std::string_view a, std::string_view b);

/// compareVersions of QGIS >= 3.42: PEP 440 after normalize(), else plain string order.
Verdict compare(std::string_view a, std::string_view b);

/// Sort keys: a strict weak order for sorting and ranking. They agree with compare_classic()
/// / compare() wherever those are transitive; docs/versions.md lists where QGIS's own
/// comparison is cyclic and how the key breaks the cycle.
std::string sort_key_classic(std::string_view version);
std::string sort_key(std::string_view version);

} // namespace qplug::version::qgis
