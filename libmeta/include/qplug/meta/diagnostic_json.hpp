// The one JSON shape of a diagnostic: the CLI's --json and the C ABI's
// qplug_diagnostics_to_json write it. Header-only, for callers that use nlohmann::json.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <nlohmann/json.hpp>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::meta {

inline nlohmann::ordered_json diagnostic_json(const Diagnostic& d) {
    return {{"rule", d.rule},     {"severity", severity_name(d.severity)},
            {"file", d.file},     {"line", d.line},
            {"column", d.column}, {"offset", d.offset},
            {"key", d.key},       {"message", d.message},
            {"hint", d.hint},     {"count", d.count}};
}

inline nlohmann::ordered_json diagnostics_json(const Diagnostics& diagnostics) {
    auto out = nlohmann::ordered_json::array();
    for (const Diagnostic& d : diagnostics) {
        out.push_back(diagnostic_json(d));
    }
    return out;
}

} // namespace qplug::meta
