// Checking a plugin ZIP as plugins.qgis.org does on upload, and as a careful server should:
// every check at once, each finding naming the entry; nothing is extracted to disk.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <qplug/expected.hpp>
#include <qplug/meta/document.hpp>

namespace qplug::meta {

struct PackageOptions {
    Profile profile = Profile::site;
    /// A new plugin: its folder must be a Python identifier (PKG-FOLDER-NOT-IDENTIFIER is an
    /// error then, whatever the profile says).
    bool new_plugin = false;
    /// The folder name earlier versions used (the site's "Plugin folder name mismatch").
    std::string expected_package_name;
    /// The package is a wheel (or another Python distribution archive): its `*.dist-info`
    /// and `*.data` folders are the distribution's own, not top folders of the plugin, and
    /// the plugin folder is the first other top folder (a plugin wheel holds one module).
    bool wheel = false;
    std::uint64_t max_size = 25'000'000;                ///< PLUGIN_MAX_UPLOAD_SIZE
    std::uint64_t max_total_uncompressed = 500'000'000; ///< zip bomb: all entries together
    std::uint64_t max_ratio = 100;                      ///< zip bomb: one entry's expansion
    std::uint64_t ratio_min_size = 1'000'000;           ///< ...for entries at least this big
    /// As ValidateOptions::check_link; unset: links are not checked.
    std::function<std::optional<std::string>(std::string_view url)> check_link;
};

struct PackageReport {
    std::string package_name; ///< the top folder ("" when there is none)
    /// <package>/metadata.txt as the profile's consumer reads it (the site; QGIS for qgis)
    std::optional<Document> metadata;
    Diagnostics diagnostics; ///< every finding, metadata.txt's included

    bool valid() const; ///< no error
};

/// Checks the bytes of a ZIP file; `file_name` names it in diagnostics.
PackageReport check_package(std::string_view zip_bytes, const PackageOptions& options = {},
                            std::string_view file_name = "plugin.zip");

/// Reads and checks a ZIP file; fails only when the file cannot be read.
Expected<PackageReport> check_package_file(const std::filesystem::path& path,
                                           const PackageOptions& options = {});

/// One entry of a ZIP file (such as the icon a repository publishes), at most `max_size`
/// bytes; fails when the file cannot be read, the entry is missing, larger or unreadable.
Expected<std::string> read_package_entry(const std::filesystem::path& path, std::string_view entry,
                                         std::uint64_t max_size = 2'000'000);

/// The newest date among a ZIP file's entries, seconds since 1970, reading their DOS dates
/// as UTC; nullopt when the file cannot be read or has no entry.
std::optional<std::int64_t> newest_entry_time(const std::filesystem::path& path);

} // namespace qplug::meta
