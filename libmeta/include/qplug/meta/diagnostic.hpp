// Diagnostics: what a parse, a validation or a package check found, as data.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace qplug::meta {

enum class Severity { off, info, warning, error };

/// Whose rules a validation applies (spec/metadata.json, "profiles").
enum class Profile {
    qgis,   ///< what QGIS needs to list, load and offer the plugin
    site,   ///< everything plugins.qgis.org enforces on upload
    strict, ///< the site's rules plus good practice
};

std::string_view severity_name(Severity s);
std::string_view profile_name(Profile p);

/// One finding. Positions are 1-based; 0 means "not tied to a position" (e.g. a missing key).
struct Diagnostic {
    /// Stable id from spec/metadata.json, e.g. "META-REQ-EMAIL". Like `hint`, a view of the
    /// compiled spec's text: valid for the program's life and NUL-terminated (data() is a C
    /// string), so findings cost no copies of it.
    std::string_view rule;
    Severity severity = Severity::error;
    std::string file;        ///< the metadata file or the package entry
    std::size_t line = 0;    ///< 1-based line
    std::size_t column = 0;  ///< 1-based column, in code points
    std::size_t offset = 0;  ///< byte offset in the file
    std::string key;         ///< the metadata key concerned, if any
    std::string message;     ///< what is wrong
    std::string_view hint;   ///< what to do about it (the spec's text, as `rule`)
    std::string source_line; ///< the offending line, for quoting (without its line break)
    /// How many findings this one stands for: a package check reports the entries of one
    /// folder, or of one kind, once (its message names the first and says how many).
    std::size_t count = 1;
};

using Diagnostics = std::vector<Diagnostic>;

/// Counts of diagnostics at a severity.
std::size_t count(const Diagnostics& diagnostics, Severity severity);

} // namespace qplug::meta
