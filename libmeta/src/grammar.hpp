// The line forms of metadata.txt as configparser recognizes them, applied to a line that is
// already stripped (configparser matches its regular expressions on line.strip()).
// Rules only: the reading state machine (sections, indentation, continuation) is in
// parser.cpp, and so is the comment test (a stripped line whose first character is '#' or
// ';': no inline comments), which needs no grammar. SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <bit>
#include <cstddef>

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace qplug::meta::grammar {

namespace pegtl = tao::pegtl;

// clang-format off

/// SECTCRE = \[(?P<header>.+)\] matched with re.match: the header runs to the *last* ']',
/// and whatever follows that ']' is ignored.
struct last_bracket : pegtl::seq<pegtl::one<']'>, pegtl::star<pegtl::not_one<']'>>, pegtl::eof> {};
struct header_name : pegtl::plus<pegtl::not_at<last_bracket>, pegtl::any> {};
struct section_header : pegtl::seq<pegtl::one<'['>, header_name, last_bracket> {};

/// OPTCRE = (?P<option>.*?)\s*(?P<vi>=|:)\s*(?P<value>.*)$ : the key is everything before
/// the first '=' or ':' (its trailing whitespace is dropped by the caller), the value
/// everything after it. The rule matches up to the delimiter; the value is the rest of the
/// line, whatever it holds, so it is not scanned.
struct key_text;
struct delimiter : pegtl::one<'=', ':'> {};
struct option : pegtl::seq<key_text, delimiter> {};

// clang-format on

/// star<not_one<'=', ':'>>, as a rule of its own that looks at sixteen bytes at a time: every
/// key line of every file goes through it, and PEGTL's byte-by-byte star cost more than the
/// rest of reading the line. It matches exactly what that star matches (tested).
struct key_text {
    using rule_t = key_text;
    using subs_t = pegtl::type_list<>;

    template <typename ParseInput>
    static bool match(ParseInput& in) {
        const char* const begin = in.current();
        const char* const end = in.end();
        const char* p = begin;
#if defined(__SSE2__)
        for (; end - p >= 16; p += 16) {
            const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            const auto hits = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(
                _mm_cmpeq_epi8(v, _mm_set1_epi8('=')), _mm_cmpeq_epi8(v, _mm_set1_epi8(':')))));
            if (hits != 0) {
                in.bump(static_cast<std::size_t>(p - begin) +
                        static_cast<std::size_t>(std::countr_zero(hits)));
                return true;
            }
        }
#endif
        while (p != end && *p != '=' && *p != ':') {
            ++p;
        }
        in.bump(static_cast<std::size_t>(p - begin));
        return true;
    }
};

} // namespace qplug::meta::grammar

/// For pegtl::analyze: key_text may match nothing, like the star it stands for.
template <typename Name>
struct tao::pegtl::analyze_traits<Name, qplug::meta::grammar::key_text>
    : tao::pegtl::analyze_opt_traits<> {};
