// Extracting one folder of a plugin ZIP to disk, safely on its own: nothing is ever written
// outside the destination, whatever the archive holds (the package checks flag the same
// entries, but the extractor does not rely on them having run).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

/// Why a (decoded) entry name cannot be written as a path under a folder: absolute, a drive
/// letter, a backslash, a control character, an empty, "." or ".." part. "" when it can.
std::string unsafe_entry_name(std::string_view name);

struct Extracted {
    std::size_t files = 0;
    std::size_t directories = 0;
    std::vector<std::string> skipped; ///< entries outside the folder, not extracted
};

/// Extracts the entries of `zip` under "<folder>/" into `destination`, which must exist:
/// `destination/<folder>` must not. Names are decoded as Python's zipfile (QGIS) does.
/// Every entry is checked before anything is written; an unsafe name anywhere, a symbolic
/// link or other special file, an encrypted entry, a duplicate, a CRC error or more than
/// `max_total` bytes fail the whole extraction (the caller deletes what was written).
/// Files get 0644, or 0755 when the ZIP gives them an executable bit; directories 0755.
Expected<Extracted> extract_folder(const std::filesystem::path& zip, std::string_view folder,
                                   const std::filesystem::path& destination,
                                   std::uint64_t max_total = 500'000'000);

} // namespace qplug::solver::detail
