// QGIS's classic version splitting (pyplugin_installer.version_compare.chopString): the
// normalized version is cut into runs of digits (str.isdigit) and runs of anything else;
// the delimiters . - _ and space separate runs and are dropped. The first character always
// starts the first element, even when it is a delimiter. Rules only: see qgis.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "common.hpp"

namespace qplug::version::grammar::qgis {

// clang-format off
struct delimiter : pegtl::one<'.', '-', '_', ' '> {};
struct digit_char : code_point_if<unicode::is_digit> {};
struct other_char : pegtl::seq<pegtl::not_at<delimiter>, pegtl::not_at<digit_char>,
                               pegtl::utf8::any> {};

struct digit_run : pegtl::plus<digit_char> {};
struct other_run : pegtl::plus<other_char> {};
/// A leading delimiter is an element of its own.
struct leading_delimiter : delimiter {};
struct element : pegtl::sor<digit_run, other_run> {};

struct chopped : pegtl::seq<pegtl::sor<element, leading_delimiter>,
                            pegtl::star<pegtl::sor<delimiter, element>>, pegtl::eof> {};
// clang-format on

} // namespace qplug::version::grammar::qgis
