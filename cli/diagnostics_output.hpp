// Printing diagnostics: "file:line:column: severity: message [RULE]", the source line with a
// caret under the column, the hint; or JSON, SARIF 2.1.0, GitHub workflow commands. And the
// rule selection (--select / --ignore) the check commands share.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <qplug/meta/diagnostic.hpp>

#include "color.hpp"

namespace qplug::cli {

nlohmann::ordered_json diagnostic_json(const meta::Diagnostic& d);
nlohmann::ordered_json diagnostics_json(const meta::Diagnostics& ds);
void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, bool color);
void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, const Palette& palette);
/// Whether stderr is a terminal (colors, progress).
bool stderr_is_terminal();

/// Which rules a check reports: --select (only these; all when empty) and --ignore, each a
/// rule id (META-URL-INVALID) or a prefix ending at a '-' (META-URL, PKG-).
struct RuleSelection {
    std::vector<std::string> select;
    std::vector<std::string> ignore;

    bool keeps(std::string_view rule) const;
    /// Drops what the selection does not keep.
    void apply(meta::Diagnostics& diagnostics) const;
};

/// The patterns that name no rule of the spec (a typo would silently select nothing).
std::vector<std::string> unknown_rule_patterns(const std::vector<std::string>& patterns);

/// Merges findings that say the same thing at the same place (rule, file, line, column,
/// message), adding up their counts; the first keeps its place.
void merge_duplicates(meta::Diagnostics& diagnostics);

enum class OutputFormat { text, json, sarif, github };

/// The options the check commands (meta check, package check) share.
struct CheckOutputOptions {
    OutputFormat format = OutputFormat::text;
    ColorMode color = ColorMode::automatic;
    std::vector<std::string> select, ignore; ///< from the command line
    bool select_given = false, ignore_given = false;
};

/// --format, --json (= --format json), --color, --select, --ignore.
void add_check_output_options(CLI::App* command, CheckOutputOptions& options, bool& json);

/// One checked input for SARIF: its path, and the prefix its findings' files start with when
/// they are about an entry of it ("plugin.zip:" for a ZIP's entries).
struct CheckedInput {
    std::string path;
    meta::Diagnostics diagnostics;
};

/// The SARIF 2.1.0 log of a check: one run, the tool driver with every rule of the spec (id,
/// short description, help, default level under `profile`), a result per finding.
nlohmann::ordered_json sarif_log(const std::vector<CheckedInput>& inputs, meta::Profile profile);

/// GitHub Actions workflow commands: "::error file=F,line=L,col=C,title=RULE::message".
void print_github(std::ostream& out, const meta::Diagnostic& d);

} // namespace qplug::cli
