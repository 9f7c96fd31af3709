// The version answers of the resolver's property test, from outside qplug: pip's from Debian's
// python3-packaging (tests/support/packaging_oracle.py, one process per batch of questions),
// the QGIS plugin and conda versions of the generator's small fixed sets in plain code whose
// order is stated here, and the QGIS range as QGIS's installer checks it (isCompatible).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace qplug::test::property {

/// A Requires-Dist line as packaging reads it.
struct PipRequirement {
    std::string error; ///< not "" when packaging rejects the line
    std::string name;  ///< canonicalize_name
    std::vector<std::string> extras;
    std::string specifier;
    std::vector<std::string> marker_extras; ///< the extras the marker compares `extra` with
};

/// pip's answers. Questions are collected first (answers are placeholders then and
/// `missing()` says so), answered in one batch by `answer()`, then asked again.
class PipOracle {
public:
    /// The place of a pip version among every version asked about (equal versions share
    /// one); -1 for an invalid version.
    int rank(const std::string& version);
    /// SpecifierSet(spec).contains(version, prereleases): prereleases None, or True.
    bool contains(const std::string& version, const std::string& spec, bool prereleases);
    /// The line read by packaging.
    PipRequirement requirement(const std::string& line);
    /// Whether the line's marker holds for the target Python and platform with `extra` (""
    /// for none, else a canonical extra name); a line without a marker always holds.
    bool applies(const std::string& line, const std::string& python, const std::string& platform,
                 const std::string& extra);
    /// Whether the line's own specifier admits `version` (answered with the line, for every
    /// version asked about, so that no second round is needed).
    bool requirement_contains(const std::string& line, const std::string& version,
                              bool prereleases);

    /// Whether a question was asked that has no answer yet (its answer was a placeholder).
    bool missing() const { return missing_; }
    void reset_missing() { missing_ = false; }
    /// Runs packaging_oracle.py once on every question without an answer; throws on failure.
    void answer();
    std::size_t questions() const { return asked_; }

private:
    std::set<std::string> versions_;
    std::map<std::string, int> ranks_;
    std::map<std::tuple<std::string, std::string, bool>, std::optional<bool>> contains_;
    struct Line {
        std::optional<PipRequirement> parsed;
        /// (python, platform, extra) -> whether the marker holds
        std::map<std::tuple<std::string, std::string, std::string>, bool> applies;
        /// version -> (contains with prereleases None, with True)
        std::map<std::string, std::pair<bool, bool>> contains;
    };
    std::map<std::string, Line> lines_;
    std::set<std::pair<std::string, std::string>> environments_;
    std::set<std::string> extras_{""};
    bool missing_ = false;
    bool ranks_stale_ = false;
    std::size_t asked_ = 0;
};

// ---- plain code over the generator's fixed version sets -----------------------------------

/// The QGIS plugin versions the generator writes, oldest first (QGIS's compareVersions, of
/// either generation, orders them so: numeric parts compared as numbers, none of them a
/// prefix of another). Throws for any other version.
int legacy_rank(const std::string& version);
/// A plugin spec ("", "==V", ">=V", "<V", "!=V", "<=V", ">V", clauses joined by ',').
bool legacy_meets(const std::string& version, const std::string& spec);

/// conda's order of plain numeric versions ("1.5", "3.12.3"): the parts as numbers, a
/// missing part 0. Throws for any other version.
int conda_compare(const std::string& a, const std::string& b);
/// A conda version spec: "", "*", "V.*", "op V" clauses joined by ',' (no '|').
bool conda_meets(const std::string& version, const std::string& spec);

/// QGIS's installer (version_compare.isCompatible) with its default maximum (the minimum's
/// major version .99): whether a plugin for [minimum, maximum] runs in QGIS `current`.
bool qgis_compatible(const std::string& current, const std::string& minimum,
                     const std::string& maximum);

} // namespace qplug::test::property
