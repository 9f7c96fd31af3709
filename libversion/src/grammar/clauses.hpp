// The specifier language of the qgis and qgis-classic schemes: comma-separated clauses
// "OP VERSION" (OP one of == != <= >= < >, none meaning ==). Rules only: see scheme.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "common.hpp"

namespace qplug::version::grammar::clauses {

// clang-format off
struct op : pegtl::sor<pegtl::string<'=', '='>, pegtl::string<'!', '='>, pegtl::string<'<', '='>,
                       pegtl::string<'>', '='>, pegtl::one<'<'>, pegtl::one<'>'>> {};
struct version_text : pegtl::plus<pegtl::not_one<','>> {};
struct clause : pegtl::seq<py_spaces, pegtl::opt<op>, version_text> {};
struct clauses : pegtl::seq<pegtl::list<clause, pegtl::one<','>>, pegtl::eof> {};
// clang-format on

} // namespace qplug::version::grammar::clauses
