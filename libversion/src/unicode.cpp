// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <qplug/unicode.hpp>

#include "unicode_tables.hpp"

namespace qplug::unicode {
namespace {

bool in_ranges(const tables::CodepointRange* table, std::size_t size, char32_t cp) noexcept {
    const auto* end = table + size;
    const auto* it = std::upper_bound(
        table, end, cp, [](char32_t c, const tables::CodepointRange& r) { return c < r.first; });
    return it != table && cp <= (it - 1)->last;
}

const tables::CaseMapping* find_mapping(const tables::CaseMapping* table, std::size_t size,
                                        char32_t cp) noexcept {
    const auto* end = table + size;
    const auto* it = std::lower_bound(
        table, end, cp, [](const tables::CaseMapping& m, char32_t c) { return m.from < c; });
    return it != end && it->from == cp ? it : nullptr;
}

bool is_case_ignorable(char32_t cp) noexcept {
    return in_ranges(tables::case_ignorable, tables::case_ignorable_size, cp);
}

bool is_cased(char32_t cp) noexcept {
    return in_ranges(tables::cased, tables::cased_size, cp);
}

std::uint8_t byte_at(std::string_view s, std::size_t i) noexcept {
    return static_cast<std::uint8_t>(s[i]);
}

} // namespace

std::size_t find_invalid_utf8(std::string_view text) noexcept {
    std::size_t i = 0;
    const std::size_t n = text.size();
    while (i < n) {
        // ASCII runs, sixteen then eight bytes at a time.
#if defined(__SSE2__)
        while (i + 16 <= n && _mm_movemask_epi8(_mm_loadu_si128(
                                  reinterpret_cast<const __m128i*>(text.data() + i))) == 0) {
            i += 16;
        }
#endif
        while (i + 8 <= n) {
            std::uint64_t word;
            std::memcpy(&word, text.data() + i, 8);
            if ((word & 0x8080808080808080ULL) != 0) {
                break;
            }
            i += 8;
        }
        if (i >= n) {
            break;
        }
        const std::uint8_t b = byte_at(text, i);
        if (b < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        char32_t cp = 0;
        char32_t min = 0;
        if ((b & 0xE0) == 0xC0) {
            len = 2, cp = b & 0x1F, min = 0x80;
        } else if ((b & 0xF0) == 0xE0) {
            len = 3, cp = b & 0x0F, min = 0x800;
        } else if ((b & 0xF8) == 0xF0) {
            len = 4, cp = b & 0x07, min = 0x10000;
        } else {
            return i;
        }
        if (i + len > n) {
            return i;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const std::uint8_t c = byte_at(text, i + k);
            if ((c & 0xC0) != 0x80) {
                return i;
            }
            cp = (cp << 6) | (c & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return i;
        }
        i += len;
    }
    return npos;
}

char32_t decode(std::string_view text, std::size_t& pos) noexcept {
    const std::uint8_t b = byte_at(text, pos);
    if (b < 0x80) {
        ++pos;
        return b;
    }
    // Ill-formed input (callers should have validated it) decodes to U+FFFD one byte at a
    // time, so no caller can ever read past the end.
    const std::size_t len = (b & 0xE0) == 0xC0   ? 2
                            : (b & 0xF0) == 0xE0 ? 3
                            : (b & 0xF8) == 0xF0 ? 4
                                                 : 0;
    if (len == 0 || pos + len > text.size()) {
        ++pos;
        return 0xFFFD;
    }
    char32_t cp = len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
    for (std::size_t k = 1; k < len; ++k) {
        const std::uint8_t c = byte_at(text, pos + k);
        if ((c & 0xC0) != 0x80) {
            ++pos;
            return 0xFFFD;
        }
        cp = (cp << 6) | (c & 0x3Fu);
    }
    pos += len;
    return cp;
}

void append_utf8(std::string& out, char32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

std::size_t code_points(std::string_view text, std::size_t bytes) noexcept {
    std::size_t count = 0;
    for (std::size_t i = 0; i < bytes && i < text.size(); ++i) {
        if ((byte_at(text, i) & 0xC0) != 0x80) {
            ++count;
        }
    }
    return count;
}

bool is_space(char32_t cp) noexcept {
    if (cp < 0x80) {
        return detail::is_ascii_space(static_cast<unsigned char>(cp));
    }
    return in_ranges(tables::space, tables::space_size, cp);
}

bool is_digit(char32_t cp) noexcept {
    if (cp < 0x80) {
        return cp >= '0' && cp <= '9';
    }
    return in_ranges(tables::digit, tables::digit_size, cp);
}

bool is_numeric(char32_t cp) noexcept {
    if (cp < 0x80) {
        return cp >= '0' && cp <= '9';
    }
    return in_ranges(tables::numeric, tables::numeric_size, cp);
}

int decimal_value(char32_t cp) noexcept {
    if (cp < 0x80) {
        return cp >= '0' && cp <= '9' ? static_cast<int>(cp - '0') : -1;
    }
    const auto* end = tables::decimal + tables::decimal_size;
    const auto* it =
        std::upper_bound(tables::decimal, end, cp,
                         [](char32_t c, const tables::DecimalRange& r) { return c < r.first; });
    if (it == tables::decimal || cp > (it - 1)->last) {
        return -1;
    }
    --it;
    return it->value_of_first + static_cast<int>(cp - it->first);
}

bool is_ascii(std::string_view text) noexcept {
    std::size_t i = 0;
    std::uint64_t high = 0; // eight bytes at a time: any byte >= 0x80 sets a high bit
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word;
        std::memcpy(&word, text.data() + i, 8);
        high |= word;
    }
    for (; i < text.size(); ++i) {
        high |= byte_at(text, i);
    }
    return (high & 0x8080808080808080ULL) == 0;
}

std::string to_upper(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const char32_t cp = decode(text, i);
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp >= 'a' && cp <= 'z' ? cp - 0x20 : cp));
        } else if (const auto* m = find_mapping(tables::upper, tables::upper_size, cp)) {
            for (unsigned k = 0; k < m->length; ++k) {
                append_utf8(out, m->to[k]);
            }
        } else {
            append_utf8(out, cp);
        }
    }
    return out;
}

std::string to_lower(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t start = i;
        const char32_t cp = decode(text, i);
        if (cp < 0x80) {
            out.push_back(static_cast<char>(cp >= 'A' && cp <= 'Z' ? cp + 0x20 : cp));
        } else if (cp == 0x3A3) {
            // Final_Sigma: preceded by a cased letter and not followed by one, skipping
            // case-ignorable code points on both sides (CPython's handle_capital_sigma).
            bool final_sigma = false;
            std::size_t j = start;
            char32_t before = 0;
            bool found = false;
            while (j > 0) {
                std::size_t k = j - 1;
                while (k > 0 && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) {
                    --k;
                }
                std::size_t p = k;
                before = decode(text, p);
                j = k;
                if (!is_case_ignorable(before)) {
                    found = true;
                    break;
                }
            }
            final_sigma = found && is_cased(before);
            if (final_sigma) {
                std::size_t p = i;
                while (p < text.size()) {
                    const char32_t after = decode(text, p);
                    if (!is_case_ignorable(after)) {
                        final_sigma = !is_cased(after);
                        break;
                    }
                }
            }
            append_utf8(out, final_sigma ? 0x3C2 : 0x3C3);
        } else if (const auto* m = find_mapping(tables::lower, tables::lower_size, cp)) {
            for (unsigned k = 0; k < m->length; ++k) {
                append_utf8(out, m->to[k]);
            }
        } else {
            append_utf8(out, cp);
        }
    }
    return out;
}

namespace detail {

std::string_view lstrip_any(std::string_view text) noexcept {
    std::size_t i = 0;
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            break; // decode below
        }
        if (!detail::is_ascii_space(c)) {
            return text.substr(i);
        }
        ++i;
    }
    while (i < text.size()) {
        std::size_t next = i;
        if (!is_space(decode(text, next))) {
            break;
        }
        i = next;
    }
    return text.substr(i);
}

std::string_view rstrip_any(std::string_view text) noexcept {
    std::size_t end = text.size();
    while (end > 0) {
        const auto c = static_cast<unsigned char>(text[end - 1]);
        if (c >= 0x80) {
            break; // decode below
        }
        if (!detail::is_ascii_space(c)) {
            return text.substr(0, end);
        }
        --end;
    }
    while (end > 0) {
        std::size_t k = end - 1;
        while (k > 0 && (static_cast<unsigned char>(text[k]) & 0xC0) == 0x80) {
            --k;
        }
        std::size_t p = k;
        if (!is_space(decode(text, p))) {
            break;
        }
        end = k;
    }
    return text.substr(0, end);
}

} // namespace detail

} // namespace qplug::unicode
