// The line forms of metadata.txt as configparser recognizes them, applied to a line that is
// already stripped (configparser matches its regular expressions on line.strip()).
// Rules only: the reading state machine (sections, indentation, continuation) is in
// parser.cpp, and so is the comment test (a stripped line whose first character is '#' or
// ';': no inline comments), which needs no grammar. SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <tao/pegtl.hpp>

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
struct key_text : pegtl::star<pegtl::not_one<'=', ':'>> {};
struct delimiter : pegtl::one<'=', ':'> {};
struct option : pegtl::seq<key_text, delimiter> {};

// clang-format on

} // namespace qplug::meta::grammar
