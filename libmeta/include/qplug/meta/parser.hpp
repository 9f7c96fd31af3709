// Reading metadata.txt exactly as Python's configparser does for QGIS and plugins.qgis.org.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include <qplug/expected.hpp>
#include <qplug/meta/document.hpp>

namespace qplug::meta {

struct ParseOptions {
    KeyMode keys = KeyMode::qgis;
    /// Accept what authors commonly get wrong (a BOM, Latin-1 text, unindented continuation
    /// lines, keys before [general]) and report each assumption as a META-LENIENT-* warning.
    bool lenient = false;
    std::string file_name = "metadata.txt";
};

/// Parses the bytes of a metadata.txt. Never fails: problems are diagnostics.
Document parse(std::string_view bytes, const ParseOptions& options = {});

/// Reads and parses a file; fails only when the file cannot be read.
Expected<Document> parse_file(const std::filesystem::path& path, ParseOptions options = {});

} // namespace qplug::meta
