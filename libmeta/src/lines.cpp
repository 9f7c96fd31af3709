// SPDX-License-Identifier: GPL-2.0-or-later
#include "lines.hpp"

#include <array>
#include <cstring>

#include <qplug/unicode.hpp>

namespace qplug::meta::detail {

namespace {

/// Length of the line break starting at `i`, or 0.
std::size_t break_at(std::string_view t, std::size_t i, KeyMode mode) {
    const auto c = static_cast<unsigned char>(t[i]);
    if (c == '\n') {
        return 1;
    }
    if (mode == KeyMode::site) {
        return 0;
    }
    switch (c) {
    case '\r':
        return i + 1 < t.size() && t[i + 1] == '\n' ? 2 : 1;
    case '\v':
    case '\f':
    case 0x1c:
    case 0x1d:
    case 0x1e:
        return 1;
    case 0xC2: // U+0085
        return i + 1 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x85 ? 2 : 0;
    case 0xE2: // U+2028, U+2029
        return i + 2 < t.size() && static_cast<unsigned char>(t[i + 1]) == 0x80 &&
                       (static_cast<unsigned char>(t[i + 2]) == 0xA8 ||
                        static_cast<unsigned char>(t[i + 2]) == 0xA9)
                   ? 3
                   : 0;
    default:
        return 0;
    }
}

} // namespace

std::vector<SourceLine> split_lines(std::string_view text, KeyMode mode) {
    // Bytes that can start a line break in either mode; everything else is skipped quickly.
    static constexpr auto kMaybeBreak = [] {
        std::array<bool, 256> t{};
        for (const unsigned char c :
             std::array<unsigned char, 9>{0x0A, 0x0D, 0x0B, 0x0C, 0x1C, 0x1D, 0x1E, 0xC2, 0xE2}) {
            t[c] = true;
        }
        return t;
    }();
    std::vector<SourceLine> lines;
    lines.reserve(text.size() / 32 + 1);
    std::size_t start = 0;
    std::size_t i = 0;
    while (i < text.size()) {
        if (mode == KeyMode::site) {
            const void* nl = std::memchr(text.data() + i, '\n', text.size() - i);
            if (nl == nullptr) {
                break;
            }
            i = static_cast<std::size_t>(static_cast<const char*>(nl) - text.data());
        } else {
            while (i < text.size() && !kMaybeBreak[static_cast<unsigned char>(text[i])]) {
                ++i;
            }
            if (i == text.size()) {
                break;
            }
        }
        if (const std::size_t n = break_at(text, i, mode); n > 0) {
            lines.emplace_back(start, i);
            i += n;
            start = i;
        } else {
            ++i;
        }
    }
    if (start < text.size()) {
        lines.emplace_back(start, text.size());
    }
    return lines;
}

std::size_t columns(std::string_view line, std::size_t bytes) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < bytes && i < line.size();) {
        if (static_cast<unsigned char>(line[i]) < 0x80) {
            ++i; // ASCII: one byte, one column
        } else {
            unicode::decode(line, i);
        }
        ++n;
    }
    return n;
}

} // namespace qplug::meta::detail
