// Character rules shared by the version grammars: Python's view of whitespace and of
// case-insensitive ASCII letters (re.IGNORECASE on str patterns also matches the four
// non-ASCII letters whose simple case mapping is ASCII: U+0130 U+0131 U+017F U+212A).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <tao/pegtl.hpp>
#include <tao/pegtl/contrib/analyze_traits.hpp>

#include <qplug/unicode.hpp>

namespace qplug::version::grammar {

namespace pegtl = tao::pegtl;

/// One UTF-8 code point for which `Predicate` holds (Python's str.isdigit() and friends,
/// which cover hundreds of ranges generated from Python's own tables).
template <bool (*Predicate)(char32_t) noexcept>
struct code_point_if {
    using rule_t = code_point_if;
    using subs_t = pegtl::empty_list;

    template <class ParseInput>
    static bool match(ParseInput& in) {
        if (const auto t = pegtl::internal::peek_utf8::peek(in)) {
            if (Predicate(t.data)) {
                in.bump(t.size);
                return true;
            }
        }
        return false;
    }
};

// clang-format off

/// re's \s on str: Unicode whitespace (same set as str.isspace()).
struct py_space : pegtl::sor<
    pegtl::one<' ', '\t', '\n', '\v', '\f', '\r', '\x1c', '\x1d', '\x1e', '\x1f'>,
    pegtl::utf8::one<0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000>,
    pegtl::utf8::range<0x2000, 0x200A>> {};
struct py_spaces : pegtl::star<py_space> {};

struct digit : pegtl::digit {};
struct digits : pegtl::plus<pegtl::digit> {};

/// One letter of a keyword under re.IGNORECASE.
template <char Lower>
struct ci : pegtl::one<Lower, static_cast<char>(Lower - 'a' + 'A')> {};
template <>
struct ci<'i'> : pegtl::sor<pegtl::one<'i', 'I'>, pegtl::utf8::one<0x130, 0x131>> {};
template <>
struct ci<'k'> : pegtl::sor<pegtl::one<'k', 'K'>, pegtl::utf8::one<0x212A>> {};
template <>
struct ci<'s'> : pegtl::sor<pegtl::one<'s', 'S'>, pegtl::utf8::one<0x17F>> {};

/// [a-z0-9] under re.IGNORECASE.
struct ci_alnum : pegtl::sor<pegtl::ranges<'a', 'z', 'A', 'Z', '0', '9'>,
                             pegtl::utf8::one<0x130, 0x131, 0x17F, 0x212A>> {};

// clang-format on

} // namespace qplug::version::grammar

template <class Name, bool (*Predicate)(char32_t) noexcept>
struct tao::pegtl::analyze_traits<Name, qplug::version::grammar::code_point_if<Predicate>>
    : tao::pegtl::analyze_any_traits<> {};
