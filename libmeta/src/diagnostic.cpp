// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>

#include <qplug/meta/diagnostic.hpp>

namespace qplug::meta {

std::string_view severity_name(Severity s) {
    switch (s) {
    case Severity::off:
        return "off";
    case Severity::info:
        return "info";
    case Severity::warning:
        return "warning";
    case Severity::error:
        return "error";
    }
    return "error";
}

std::string_view profile_name(Profile p) {
    switch (p) {
    case Profile::qgis:
        return "qgis";
    case Profile::site:
        return "site";
    case Profile::strict:
        return "strict";
    }
    return "qgis";
}

std::size_t count(const Diagnostics& diagnostics, Severity severity) {
    return static_cast<std::size_t>(
        std::count_if(diagnostics.begin(), diagnostics.end(),
                      [&](const Diagnostic& d) { return d.severity == severity; }));
}

} // namespace qplug::meta
