// The idna package's IDNA 2008 tables (scripts/gen-idna-tables.py writes idna_tables.cpp).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <span>

namespace qplug::meta::idna_tables {

/// Code points first..last, both included; a table is sorted and its ranges do not overlap.
struct CodepointRange {
    char32_t first;
    char32_t last;
};

/// Code points first..last of one Unicode joining type ('L', 'D', 'R', 'T', 'C').
struct JoiningRange {
    char32_t first;
    char32_t last;
    char type;
};

extern const std::span<const CodepointRange> pvalid, contextj, contexto;
extern const std::span<const CodepointRange> greek, han, hebrew, hiragana, katakana;
extern const std::span<const JoiningRange> joining_type;

} // namespace qplug::meta::idna_tables
