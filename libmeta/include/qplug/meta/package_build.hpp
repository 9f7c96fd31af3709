// Building the ZIP plugins.qgis.org expects from a plugin folder, the same bytes every time.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::meta {

struct BuildOptions {
    /// Patterns left out besides the defaults: a pattern without '/' is matched (fnmatch) with
    /// each file or folder name, one with '/' with the path inside the plugin folder.
    std::vector<std::string> exclude;
    /// Patterns kept although a default pattern leaves them out (an `exclude` still wins).
    std::vector<std::string> include;
    bool default_excludes = true; ///< false: only `exclude` applies
    /// A file never packed, such as the ZIP being written inside the folder.
    std::optional<std::filesystem::path> skip;
    /// The entries' date, seconds since 1970 (UTC); unset: SOURCE_DATE_EPOCH if the
    /// environment sets it, else 1980-01-01 00:00 (the earliest a ZIP can hold).
    std::optional<std::int64_t> timestamp;
};

/// What is left out by default: version control, Python bytecode, caches, editor and system
/// files (docs/packages.md lists them).
const std::vector<std::string>& default_build_excludes();

struct BuiltPackage {
    std::string folder;                ///< the ZIP's top folder: the plugin folder's name
    std::vector<std::string> entries;  ///< the ZIP's entries, in order ("folder/...")
    std::vector<std::string> left_out; ///< paths inside the folder that patterns left out
    std::vector<std::string> skipped;  ///< "path: why" for what cannot be packed (sockets...)
    std::string zip;                   ///< the ZIP's bytes
};

/// Zips `folder` as the site expects: one top folder named after it, entries sorted, fixed
/// dates and permissions (folders 0755, files 0644), deflated. Symbolic links to files are
/// packed as the files they point to; other links and special files are skipped. Fails when
/// the folder cannot be read or a name is not UTF-8.
Expected<BuiltPackage> build_package(const std::filesystem::path& folder,
                                     const BuildOptions& options = {});

} // namespace qplug::meta
