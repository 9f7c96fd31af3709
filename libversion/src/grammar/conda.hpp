// conda version text: the characters VersionOrder accepts (version_check_re) and the runs it
// splits a component into (version_split_re). Rules only: see conda.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "common.hpp"

namespace qplug::version::grammar::conda {

// clang-format off
/// ^[\*\.\+!_0-9a-z]+$ (after str.strip().lower())
struct version_char : pegtl::ranges<'*', '+', '.', '.', '!', '!', '_', '_', '0', '9', 'a', 'z'> {};
struct version_text : pegtl::seq<pegtl::plus<version_char>, pegtl::eof> {};

/// ([0-9]+|[*]+|[^0-9*]+)
struct number_run : pegtl::plus<pegtl::digit> {};
struct star_run : pegtl::plus<pegtl::one<'*'>> {};
struct text_run : pegtl::plus<pegtl::not_one<'*', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9'>> {};
struct component : pegtl::seq<pegtl::star<pegtl::sor<number_run, star_run, text_run>>, pegtl::eof> {};
// clang-format on

} // namespace qplug::version::grammar::conda
