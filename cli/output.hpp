// Printing for every command: text or JSON on stdout, diagnostics on stderr.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include <qplug/expected.hpp>

#include "exit_codes.hpp"

namespace qplug::cli {

/// Options every command has.
struct CommonOptions {
    bool json = false;
};

/// Prints `value` as one JSON document on stdout.
void print_json(const nlohmann::ordered_json& value);

/// Reports an invalid input on stderr ("qplug: invalid PEP 440 version '1.0+': column 5:
/// ..."), with a caret line under the column, and as {"error": {...}} on stdout with --json.
/// Returns exit_usage.
int report_invalid(const Error& error, const CommonOptions& options);

/// Reports a failure that is not the input's fault; returns exit_failure.
int report_failure(std::string_view message, const CommonOptions& options);

/// Reports an error by its kind (docs/cli.md): bad input (`parse`) as report_invalid, exit_usage;
/// refused content (a package whose size or digest is not the repository's) or a name not
/// found, a finding: exit_findings; anything else as report_failure, exit_failure.
int report_error(const Error& error, const CommonOptions& options);

/// The JSON form of an Error.
nlohmann::ordered_json error_json(const Error& error);

} // namespace qplug::cli
