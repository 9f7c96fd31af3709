// Reader for conda channels: a subdir's repodata.json ("packages" and "packages.conda") and
// the match specs of its "depends" and "constrains" entries.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
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
    std::string subdir;
    std::string noarch; ///< "", "python" or "generic"
    std::string md5;
    std::string sha256;
    std::optional<std::uint64_t> size;
    std::optional<std::int64_t> timestamp; ///< milliseconds since the epoch (seconds in old
                                           ///< repodata are converted)
    std::string license;
};

struct Repodata {
    std::string subdir; ///< "info.subdir"
    std::vector<PackageRecord> records;
};

/// Parses repodata.json. A record that lacks name, version or build is skipped and named in
/// `skipped` rather than failing the whole channel.
struct RepodataResult {
    Repodata repodata;
    std::vector<std::string> skipped; ///< "<filename>: <why>"
};
Expected<RepodataResult> parse_repodata(std::string_view json);

/// A match spec as conda writes them in depends/constrains: "numpy >=1.21,<2",
/// "python 3.11.* *_cpython", "libgcc-ng", "pkg ==1.0 py39_0", "channel::pkg 1.0".
struct MatchSpec {
    std::string name;
    std::string version; ///< conda version spec ("" = any)
    std::string build;   ///< build string glob ("" = any)
    std::string channel; ///< "" when none
};
Expected<MatchSpec> parse_match_spec(std::string_view spec);

} // namespace qplug::solver::conda
