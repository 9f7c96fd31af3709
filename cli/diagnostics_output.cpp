// SPDX-License-Identifier: GPL-2.0-or-later
#include "diagnostics_output.hpp"

#include <unistd.h>

#include <qplug/unicode.hpp>

namespace qplug::cli {

nlohmann::ordered_json diagnostic_json(const meta::Diagnostic& d) {
    nlohmann::ordered_json j = {{"rule", d.rule},     {"severity", meta::severity_name(d.severity)},
                                {"file", d.file},     {"line", d.line},
                                {"column", d.column}, {"offset", d.offset},
                                {"key", d.key},       {"message", d.message},
                                {"hint", d.hint}};
    return j;
}

nlohmann::ordered_json diagnostics_json(const meta::Diagnostics& ds) {
    auto a = nlohmann::ordered_json::array();
    for (const auto& d : ds) {
        a.push_back(diagnostic_json(d));
    }
    return a;
}

void print_diagnostic(std::ostream& out, const meta::Diagnostic& d, bool color) {
    const char* on = "";
    const char* off = color ? "\033[0m" : "";
    if (color) {
        on = d.severity == meta::Severity::error     ? "\033[1;31m"
             : d.severity == meta::Severity::warning ? "\033[1;33m"
                                                     : "\033[1;36m";
    }
    out << d.file;
    if (d.line > 0) {
        out << ':' << d.line << ':' << d.column;
    }
    out << ": " << on << meta::severity_name(d.severity) << off << ": " << d.message << " ["
        << d.rule << "]\n";
    if (d.line > 0 && !d.source_line.empty()) {
        // Tabs stay tabs so that the caret lines up in a terminal.
        std::string pad;
        std::size_t i = 0;
        for (std::size_t col = 1; col < d.column && i < d.source_line.size(); ++col) {
            const std::size_t start = i;
            unicode::decode(d.source_line, i);
            pad += d.source_line[start] == '\t' ? '\t' : ' ';
        }
        out << "    " << d.source_line << "\n    " << pad << "^\n";
    }
    if (!d.hint.empty()) {
        out << "    hint: " << d.hint << '\n';
    }
}

bool stderr_is_terminal() {
    return isatty(STDERR_FILENO) == 1;
}

} // namespace qplug::cli
