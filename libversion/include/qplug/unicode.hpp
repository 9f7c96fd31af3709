// Python str semantics over UTF-8 text.
//
// QGIS and plugins.qgis.org run Python: a metadata value or a version string is a Python str,
// and str.upper(), str.strip(), str.isdigit() ... decide how it is read. These functions give
// the same answers on UTF-8 input, from tables generated out of Python itself.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qplug::unicode {

inline constexpr std::size_t npos = std::string_view::npos;

/// Byte offset of the first byte that is not part of a well-formed UTF-8 sequence
/// (overlong forms, surrogates and code points above U+10FFFF are ill-formed), or npos.
std::size_t find_invalid_utf8(std::string_view text) noexcept;

/// Decodes the code point starting at `pos` of well-formed UTF-8 and moves `pos` past it.
char32_t decode(std::string_view text, std::size_t& pos) noexcept;

/// Appends the UTF-8 encoding of `cp`.
void append_utf8(std::string& out, char32_t cp);

/// Number of code points in the first `bytes` bytes of well-formed UTF-8 `text`.
std::size_t code_points(std::string_view text, std::size_t bytes) noexcept;

bool is_space(char32_t cp) noexcept;     ///< str.isspace(), also re's \s
bool is_digit(char32_t cp) noexcept;     ///< str.isdigit()
bool is_numeric(char32_t cp) noexcept;   ///< str.isnumeric()
int decimal_value(char32_t cp) noexcept; ///< unicodedata.decimal(), or -1

std::string to_upper(std::string_view text); ///< str.upper()
std::string to_lower(std::string_view text); ///< str.lower(), including the final-sigma rule

namespace detail {
std::string_view lstrip_any(std::string_view text) noexcept;
std::string_view rstrip_any(std::string_view text) noexcept;
/// is_space() for an ASCII code point.
constexpr bool is_ascii_space(unsigned char c) noexcept {
    return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
}
/// An end byte that needs no stripping: ASCII and not a space.
constexpr bool is_kept_end(char c) noexcept {
    const auto b = static_cast<unsigned char>(c);
    return b < 0x80 && !is_ascii_space(b);
}
} // namespace detail

/// str.lstrip(). Inline for the usual case, text that starts with no space.
inline std::string_view lstrip(std::string_view text) noexcept {
    return !text.empty() && detail::is_kept_end(text.front()) ? text : detail::lstrip_any(text);
}
/// str.rstrip(). Inline for the usual case, text that ends with no space.
inline std::string_view rstrip(std::string_view text) noexcept {
    return !text.empty() && detail::is_kept_end(text.back()) ? text : detail::rstrip_any(text);
}
/// str.strip()
inline std::string_view strip(std::string_view text) noexcept {
    return rstrip(lstrip(text));
}

/// The value of an ASCII hexadecimal digit (int(c, 16)), or -1.
constexpr int hex_value(char c) noexcept {
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/// True when every code point is ASCII.
bool is_ascii(std::string_view text) noexcept;

} // namespace qplug::unicode
