// Wording of "where did it go wrong" for the version grammars.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include <qplug/unicode.hpp>

namespace qplug::version::detail {

/// "'x'" for a printable ASCII character, "'é' (U+00E9)" otherwise, "the end" at the end.
inline std::string describe_at(std::string_view text, std::size_t offset) {
    if (offset >= text.size()) {
        return "the end";
    }
    std::size_t pos = offset;
    const char32_t cp = unicode::decode(text, pos);
    if (cp >= 0x21 && cp < 0x7F) {
        return fmt::format("'{}'", static_cast<char>(cp));
    }
    return fmt::format("'{}' (U+{:04X})", text.substr(offset, pos - offset),
                       static_cast<unsigned>(cp));
}

inline std::string describe_unexpected(std::string_view text, std::size_t offset) {
    if (offset >= text.size()) {
        return "unexpected end";
    }
    return "unexpected " + describe_at(text, offset);
}

} // namespace qplug::version::detail
