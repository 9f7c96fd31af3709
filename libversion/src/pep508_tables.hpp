// Unicode tables for PEP 508 parsing, generated from Python by
// tests/python/gen_pep508_tables.py (see pep508_tables.cpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>

namespace qplug::version::pep508 {

namespace tables {

struct Range {
    char32_t first;
    char32_t last;
};

/// Non-ASCII code points for which str.isalnum() holds: with [A-Za-z0-9_], re's \w.
extern const Range word[];
extern const std::size_t word_size;
/// Code points whose NFKC form contains '/', '?', '#', '@' or ':' (sorted).
extern const char32_t nfkc_url_delimiter[];
extern const std::size_t nfkc_url_delimiter_size;

} // namespace tables

/// re's \w on str patterns: str.isalnum() or '_'.
bool is_word(char32_t cp) noexcept;
/// True when unicodedata.normalize('NFKC', chr(cp)) holds one of / ? # @ :.
bool nfkc_has_url_delimiter(char32_t cp) noexcept;

} // namespace qplug::version::pep508
