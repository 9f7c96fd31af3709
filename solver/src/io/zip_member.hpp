// Reading one file out of a ZIP (a wheel's METADATA, a plugin's metadata.txt) with libzip.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

/// The names of every entry of a ZIP file or ZIP bytes.
Expected<std::vector<std::string>> zip_entries(const std::filesystem::path& path);

/// The content of the first entry for which `wanted(name)` is true; an error when none is,
/// when the ZIP cannot be read, or when the entry is bigger than `limit` bytes.
Expected<std::string> zip_member(const std::filesystem::path& path,
                                 const std::function<bool(std::string_view)>& wanted,
                                 std::size_t limit = 16u << 20);
Expected<std::string> zip_member(std::string_view zip_bytes,
                                 const std::function<bool(std::string_view)>& wanted,
                                 std::size_t limit = 16u << 20);

} // namespace qplug::solver::detail
