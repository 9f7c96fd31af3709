// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include <qplug/expected.hpp>

namespace qplug::meta::detail {

/// The whole file as bytes, or an Error (what "file") saying why it cannot be read, with the
/// operating system's reason ("Is a directory", "No such file or directory", ...).
Expected<std::string> read_file_bytes(const std::filesystem::path& path);

/// The size of a file that can be opened for reading, or the same Error as read_file_bytes
/// (a directory, a missing or unreadable file).
Expected<std::uint64_t> regular_file_size(const std::filesystem::path& path);

} // namespace qplug::meta::detail
