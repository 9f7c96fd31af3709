// One entry point over every version scheme: what the CLI, the C ABI and the solver call.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::version {

enum class Scheme {
    qgis,         ///< QGIS >= 3.42 and 4.x: PEP 440 after QGIS's normalization, else text
    qgis_classic, ///< QGIS <= 3.40: the chop-into-runs algorithm
    pep440,       ///< pip (packaging 23.0)
    conda,        ///< conda's VersionOrder / VersionSpec
};

inline constexpr Scheme kDefaultScheme = Scheme::qgis;

/// "qgis", "qgis-classic", "pep440", "conda".
std::optional<Scheme> scheme_from_name(std::string_view name);
std::string_view scheme_name(Scheme scheme);

enum class Ordering { less = -1, equal = 0, greater = 1 };

/// The scheme's own comparison. For qgis and qgis-classic this is QGIS's compareVersions
/// exactly (an empty version equals everything there); never fails for them.
Expected<Ordering> compare(Scheme scheme, std::string_view a, std::string_view b);

/// The scheme's normalized spelling (pep440: str(Version); conda: the lower-cased form;
/// qgis, qgis-classic: normalizeVersion).
Expected<std::string> normalize(Scheme scheme, std::string_view version);

/// A byte string whose bytewise order is a strict weak order of versions, for sorting and
/// ranking. Equal keys mean equal versions.
Expected<std::string> sort_key(Scheme scheme, std::string_view version);

/// Sorts ascending (stable: equal versions keep their input order).
Expected<std::vector<std::string>> sorted(Scheme scheme, std::vector<std::string> versions);

/// The permutation that sorts `versions` ascending (stable): result[0] is the index of the
/// oldest version.
Expected<std::vector<std::size_t>> sort_order(Scheme scheme,
                                              const std::vector<std::string_view>& versions);

/// Whether `version` satisfies `spec` in the scheme's specifier language:
/// pep440: a PEP 440 specifier set (`prereleases` overrides its pre-release rule);
/// conda: a VersionSpec;
/// qgis and qgis-classic: comma-separated "OP VERSION" clauses, OP one of == != < <= > >=
/// (none means ==), each decided by that scheme's compareVersions.
Expected<bool> satisfies(Scheme scheme, std::string_view version, std::string_view spec,
                         std::optional<bool> prereleases = std::nullopt);

/// Whether the text is a valid version in the scheme (qgis and qgis-classic accept any text).
bool is_valid(Scheme scheme, std::string_view version);

} // namespace qplug::version
