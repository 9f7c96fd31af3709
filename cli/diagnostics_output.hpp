// Printing diagnostics: "file:line:column: severity: message [RULE]", the source line with a
// caret under the column, the hint; or JSON.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <ostream>

#include <nlohmann/json.hpp>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::cli {

nlohmann::ordered_json diagnostic_json(const meta::Diagnostic& d);
nlohmann::ordered_json diagnostics_json(const meta::Diagnostics& ds);
void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, bool color);
/// Whether stderr is a terminal (colors, progress).
bool stderr_is_terminal();

} // namespace qplug::cli
