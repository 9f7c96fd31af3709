// Tables generated from Python by scripts/gen-unicode-tables.py (see unicode_tables.cpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>

namespace qplug::unicode::tables {

struct CodepointRange {
    char32_t first;
    char32_t last;
};

struct DecimalRange {
    char32_t first;
    char32_t last;
    int value_of_first;
};

struct CaseMapping {
    char32_t from;
    unsigned char length;
    char32_t to[3];
};

extern const CodepointRange space[];
extern const std::size_t space_size;
extern const CodepointRange digit[];
extern const std::size_t digit_size;
extern const CodepointRange numeric[];
extern const std::size_t numeric_size;
extern const DecimalRange decimal[];
extern const std::size_t decimal_size;
extern const CaseMapping upper[];
extern const std::size_t upper_size;
extern const CaseMapping lower[];
extern const std::size_t lower_size;
extern const CodepointRange case_ignorable[];
extern const std::size_t case_ignorable_size;
extern const CodepointRange cased[];
extern const std::size_t cased_size;

} // namespace qplug::unicode::tables
