// Reader for conda channels: a subdir's repodata.json ("packages" and "packages.conda") and
// the match specs of its "depends" and "constrains" entries.
// Errors follow pypi.hpp: a match spec's error carries the whole spec; a repodata.json error
// carries the offending line (at most 160 bytes of it) and a message that starts with
// "line L, byte B: ", B being the byte offset in the whole document.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::conda {

struct PackageRecord {
    std::string filename; ///< the key in "packages" / "packages.conda"
    std::string name;
    std::string version;
    std::string build;
    std::int64_t build_number = 0;
    std::vector<std::string> depends;    ///< match specs as written
    std::vector<std::string> constrains; ///< match specs as written
    std::string subdir;                  ///< the record's, else "info.subdir"
    std::string noarch; ///< "", "python" or "generic" (true reads as "generic", as conda does)
    std::string md5;
    std::string sha256;
    std::optional<std::uint64_t> size;
    std::optional<std::int64_t> timestamp; ///< milliseconds since the epoch (seconds in old
                                           ///< repodata are converted)
    std::string license;
};

struct Repodata {
    std::string subdir;   ///< "info.subdir"
    std::string base_url; ///< "info.base_url" (CEP 15, repodata_version 2), "" when none
    int repodata_version = 1;
    /// Every record of "packages" then "packages.conda" in document order. Both maps often
    /// hold the same package (.tar.bz2 and .conda): conda prefers the .conda file, and so
    /// should a consumer that sees the same name, version and build twice.
    std::vector<PackageRecord> records;
};

/// Parses repodata.json, streaming (no document tree: conda-forge's is hundreds of MB).
/// A record that lacks name, version or build, or whose known fields have the wrong type
/// (build_number not an integer, depends not a list of strings, an unknown noarch ...) is
/// skipped and named in `skipped` rather than failing the whole channel; JSON that does not
/// parse, a "packages" that is not an object, or a repodata_version above 2 (Kind::invalid)
/// fails. A missing build_number reads as 0; null reads as absent everywhere.
struct RepodataResult {
    Repodata repodata;
    std::vector<std::string> skipped; ///< "<filename>: <why>"
};
Expected<RepodataResult> parse_repodata(std::string_view json);

/// A match spec as conda writes them in depends/constrains: "numpy >=1.21,<2",
/// "python 3.11.* *_cpython", "libgcc-ng", "pkg ==1.0 py39_0", "channel::pkg 1.0",
/// "pkg[version='>=1.0',build=py*]", "pkg=1.0=build". Read as conda's
/// MatchSpec._parse_spec_str reads them ("=1.2" means "1.2*", "==1.2" means "1.2", bracket
/// values override, "#" comments and " if " conditions are dropped), without conda's
/// configuration: a channel stays as written, less a known subdir at its end.
/// Errors: an empty spec, control characters, no name, a bracket key without a value or
/// that conda cannot match on, two bracket sections, a version that is not a conda version
/// spec; feature specs ("name@") and package files are not dependencies.
struct MatchSpec {
    std::string name;         ///< lower-cased (conda matches names in any case); may be a glob
    std::string version;      ///< conda version spec ("" = any)
    std::string build;        ///< build string glob ("" = any)
    std::string channel;      ///< "" when none
    std::string subdir;       ///< "conda-forge/linux-64::pkg" or [subdir=...]; "" when none
    std::string build_number; ///< [build_number=...] as written, "" = any
    std::map<std::string, std::string> other; ///< other bracket keys (md5, license, fn ...)
};
Expected<MatchSpec> parse_match_spec(std::string_view spec);

} // namespace qplug::solver::conda
