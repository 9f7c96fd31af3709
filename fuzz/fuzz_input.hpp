// Helpers for the fuzz targets: split one input into several strings.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace qplug::fuzz {

/// Splits at NUL bytes (the seed files use "\0" between the parts).
inline std::vector<std::string_view> split(const std::uint8_t* data, std::size_t size,
                                           std::size_t max_parts) {
    std::vector<std::string_view> parts;
    const std::string_view all(reinterpret_cast<const char*>(data), size);
    std::size_t start = 0;
    while (parts.size() + 1 < max_parts) {
        const std::size_t nul = all.find('\0', start);
        if (nul == std::string_view::npos) {
            break;
        }
        parts.push_back(all.substr(start, nul - start));
        start = nul + 1;
    }
    parts.push_back(all.substr(start));
    while (parts.size() < max_parts) {
        parts.emplace_back();
    }
    return parts;
}

/// A property a target checks: a violation is a finding, so crash loudly.
inline void require(bool condition) {
    if (!condition) {
        std::abort();
    }
}

} // namespace qplug::fuzz
