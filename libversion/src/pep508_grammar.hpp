// PEP 508 dependency specifiers and markers, exactly as packaging 23.0's tokenizer
// (packaging/_tokenizer.py: DEFAULT_RULES, matched with re.match at the current position) and
// its recursive-descent parser (packaging/_parser.py) read them. Every `expect` of packaging is
// a must<> here; its messages are a table in pep508.cpp. Rules only: actions live in
// pep508.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstring>
#include <string_view>

#include <qplug/unicode.hpp>

#include "grammar/common.hpp"
#include "grammar/pep440.hpp"
#include "pep508_tables.hpp"

namespace qplug::version::grammar::pep508 {

namespace p440 = grammar::pep440;

/// Whether the code point that ends just before `pos` (none at `begin`) is a \w character.
inline bool word_before(const char* begin, const char* pos) noexcept {
    if (pos == begin) {
        return false;
    }
    const char* start = pos - 1;
    while (start > begin && pos - start < 4 &&
           (static_cast<unsigned char>(*start) & 0xC0) == 0x80) {
        --start;
    }
    std::size_t i = 0;
    const std::string_view s(start, static_cast<std::size_t>(pos - start));
    return version::pep508::is_word(unicode::decode(s, i));
}

/// Whether the code point that starts at `pos` (none at `end`) is a \w character.
inline bool word_at(const char* pos, const char* end) noexcept {
    if (pos == end) {
        return false;
    }
    std::size_t i = 0;
    const std::string_view s(pos, static_cast<std::size_t>(end - pos));
    return version::pep508::is_word(unicode::decode(s, i));
}

inline bool boundary_at(const char* begin, const char* pos, const char* end) noexcept {
    return word_before(begin, pos) != word_at(pos, end);
}

/// re's \b on str patterns: a \w character on exactly one side (Unicode \w).
struct word_boundary {
    using rule_t = word_boundary;
    using subs_t = pegtl::empty_list;

    template <class ParseInput>
    static bool match(ParseInput& in) noexcept {
        return boundary_at(in.begin(), in.current(), in.end());
    }
};

/// A lookbehind (?<=...) of the specifier regex: the bytes before the current position.
template <char... Cs>
struct lookbehind {
    using rule_t = lookbehind;
    using subs_t = pegtl::empty_list;

    template <class ParseInput>
    static bool match(ParseInput& in) noexcept {
        constexpr std::size_t n = sizeof...(Cs);
        constexpr char expected[] = {Cs...};
        return static_cast<std::size_t>(in.current() - in.begin()) >= n &&
               std::memcmp(in.current() - n, expected, n) == 0;
    }
};

/// IDENTIFIER: \b[a-zA-Z0-9][a-zA-Z0-9._-]*\b. The trailing \b makes the regex give back
/// characters: the identifier is the longest run that ends at a word boundary ("foo-" before
/// a space is "foo"; "foo_" is "foo_").
struct identifier {
    using rule_t = identifier;
    using subs_t = pegtl::empty_list;

    static bool alnum(char c) noexcept {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    template <class ParseInput>
    static bool match(ParseInput& in) noexcept {
        const char* const begin = in.begin();
        const char* const p = in.current();
        const char* const end = in.end();
        if (p == end || !alnum(*p) || !boundary_at(begin, p, end)) {
            return false;
        }
        const char* q = p + 1;
        while (q < end && (alnum(*q) || *q == '.' || *q == '_' || *q == '-')) {
            ++q;
        }
        for (; q > p; --q) {
            if (boundary_at(begin, q, end)) {
                in.bump(static_cast<std::size_t>(q - p));
                return true;
            }
        }
        return false;
    }
};

// clang-format off

// --- Tokens (DEFAULT_RULES) -----------------------------------------------------------------

struct ws : pegtl::plus<pegtl::one<' ', '\t'>> {};
struct comma : pegtl::one<','> {};
struct semicolon : pegtl::one<';'> {};
struct at_sign : pegtl::one<'@'> {};
/// END: "$" without re.MULTILINE also matches before a final newline.
struct end : pegtl::sor<pegtl::eof, pegtl::seq<pegtl::one<'\n'>, pegtl::eof>> {};
/// URL: [^ \t]+
struct url : pegtl::plus<pegtl::not_one<' ', '\t'>> {};
/// QUOTED_STRING: '[^']*' | "[^"]*" (its value is what ast.literal_eval makes of it).
struct quoted_string : pegtl::sor<pegtl::seq<pegtl::one<'\''>, pegtl::until<pegtl::one<'\''>>>,
                                  pegtl::seq<pegtl::one<'"'>, pegtl::until<pegtl::one<'"'>>>> {};

struct variable_name : pegtl::sor<
    TAO_PEGTL_STRING("python_version"),
    TAO_PEGTL_STRING("python_full_version"),
    pegtl::seq<TAO_PEGTL_STRING("os"), pegtl::one<'.', '_'>, TAO_PEGTL_STRING("name")>,
    pegtl::seq<TAO_PEGTL_STRING("sys"), pegtl::one<'.', '_'>, TAO_PEGTL_STRING("platform")>,
    pegtl::seq<TAO_PEGTL_STRING("platform_"),
               pegtl::sor<TAO_PEGTL_STRING("release"), TAO_PEGTL_STRING("system")>>,
    pegtl::seq<TAO_PEGTL_STRING("platform"), pegtl::one<'.', '_'>,
               pegtl::sor<TAO_PEGTL_STRING("version"), TAO_PEGTL_STRING("machine"),
                          TAO_PEGTL_STRING("python_implementation")>>,
    TAO_PEGTL_STRING("python_implementation"),
    pegtl::seq<TAO_PEGTL_STRING("implementation_"),
               pegtl::sor<TAO_PEGTL_STRING("name"), TAO_PEGTL_STRING("version")>>,
    TAO_PEGTL_STRING("extra")> {};
/// VARIABLE: \b(python_version|...|extra)\b (no alternative is a prefix of another).
struct variable : pegtl::seq<word_boundary, variable_name, word_boundary> {};

struct kw_in : pegtl::seq<word_boundary, TAO_PEGTL_STRING("in"), word_boundary> {};
struct kw_not : pegtl::seq<word_boundary, TAO_PEGTL_STRING("not"), word_boundary> {};
/// BOOLOP: \b(or|and)\b
struct boolop : pegtl::seq<word_boundary, pegtl::sor<TAO_PEGTL_STRING("or"),
                                                     TAO_PEGTL_STRING("and")>, word_boundary> {};
/// OP: ===|==|~=|!=|<=|>=|<|>
struct op_compare : pegtl::sor<TAO_PEGTL_STRING("==="), TAO_PEGTL_STRING("=="),
                               TAO_PEGTL_STRING("~="), TAO_PEGTL_STRING("!="),
                               TAO_PEGTL_STRING("<="), TAO_PEGTL_STRING(">="),
                               pegtl::one<'<'>, pegtl::one<'>'>> {};

// SPECIFIER: Specifier._operator_regex_str + _version_regex_str (VERBOSE | IGNORECASE),
// matched at the position without anchors. The operator alternatives are tried in the
// regex's order and each is followed by the four version alternatives, which choose
// themselves by lookbehind, so "===" is reached when "==" cannot go on. Everything after the
// release is optional, so the greedy PEG match has the regex's extent; an epoch is taken
// only when a release number follows it, as the regex backtracks otherwise.
struct token_epoch : pegtl::seq<p440::epoch, pegtl::at<grammar::digit>> {};
struct token_version_arbitrary : pegtl::seq<py_spaces, p440::arbitrary_version> {};
struct token_version_equal : pegtl::seq<py_spaces, pegtl::opt<p440::v_prefix>,
    pegtl::opt<token_epoch>, p440::release,
    pegtl::opt<pegtl::sor<p440::wildcard,
                          pegtl::seq<pegtl::opt<p440::pre>, pegtl::opt<p440::post>,
                                     pegtl::opt<p440::dev>, pegtl::opt<p440::local>>>>> {};
struct token_version_compatible : pegtl::seq<py_spaces, pegtl::opt<p440::v_prefix>,
    pegtl::opt<token_epoch>, p440::release2, pegtl::opt<p440::pre>, pegtl::opt<p440::post>,
    pegtl::opt<p440::dev>> {};
struct token_version_ordered : pegtl::seq<py_spaces, pegtl::opt<p440::v_prefix>,
    pegtl::opt<token_epoch>, p440::release, pegtl::opt<p440::pre>, pegtl::opt<p440::post>,
    pegtl::opt<p440::dev>> {};
struct after_eq_or_ne : pegtl::sor<lookbehind<'=', '='>, lookbehind<'!', '='>> {};
struct token_version : pegtl::sor<
    pegtl::seq<lookbehind<'=', '=', '='>, token_version_arbitrary>,
    pegtl::seq<after_eq_or_ne, token_version_equal>,
    pegtl::seq<lookbehind<'~', '='>, token_version_compatible>,
    pegtl::seq<pegtl::not_at<pegtl::sor<after_eq_or_ne, lookbehind<'~', '='>>>,
               token_version_ordered>> {};
struct specifier_token : pegtl::sor<
    pegtl::seq<TAO_PEGTL_STRING("~="), token_version>,
    pegtl::seq<TAO_PEGTL_STRING("=="), token_version>,
    pegtl::seq<TAO_PEGTL_STRING("!="), token_version>,
    pegtl::seq<TAO_PEGTL_STRING("<="), token_version>,
    pegtl::seq<TAO_PEGTL_STRING(">="), token_version>,
    pegtl::seq<pegtl::one<'<'>, token_version>,
    pegtl::seq<pegtl::one<'>'>, token_version>,
    pegtl::seq<TAO_PEGTL_STRING("==="), token_version>> {};

// --- Markers (_parse_marker and below) --------------------------------------------------------

struct marker;

struct marker_variable : variable {};
struct marker_value : quoted_string {};
/// marker_var = VARIABLE | QUOTED_STRING
struct marker_var : pegtl::sor<marker_variable, marker_value> {};

struct not_ws : ws {};
struct not_in : kw_in {};
struct op_in : kw_in {};
struct op_not_in : pegtl::seq<kw_not, pegtl::must<not_ws>, pegtl::must<not_in>> {};
/// marker_op = IN | NOT IN | OP
struct marker_op : pegtl::sor<op_in, op_not_in, op_compare> {};

/// marker_item = WS? marker_var WS? marker_op WS? marker_var WS?
struct marker_item : pegtl::seq<pegtl::opt<ws>, pegtl::must<marker_var>, pegtl::opt<ws>,
                                pegtl::must<marker_op>, pegtl::opt<ws>, pegtl::must<marker_var>,
                                pegtl::opt<ws>> {};
struct group_open : pegtl::one<'('> {};
struct group_close : pegtl::one<')'> {};
struct marker_group : pegtl::if_must<group_open, pegtl::opt<ws>, marker, pegtl::opt<ws>,
                                     group_close> {};
/// marker_atom = WS? ( '(' WS? marker WS? ')' | marker_item ) WS?
struct marker_atom : pegtl::seq<pegtl::opt<ws>, pegtl::sor<marker_group, marker_item>,
                                pegtl::opt<ws>> {};
struct marker_boolop : boolop {};
/// marker = marker_atom (BOOLOP marker_atom)*
struct marker : pegtl::seq<marker_atom, pegtl::star<marker_boolop, marker_atom>> {};

/// Marker(text) in packaging 23.0: parse_marker() does not expect the end of the input.
struct marker_text : pegtl::seq<marker> {};

// --- Requirements (_parse_requirement and below) ----------------------------------------------

struct name : identifier {};
struct extra_first : identifier {};
struct extra_next : identifier {};
struct missing_comma {}; // raised: an identifier right after an extra
struct extras_more : pegtl::seq<pegtl::opt<ws>,
                                pegtl::sor<pegtl::not_at<identifier>, pegtl::raise<missing_comma>>,
                                comma, pegtl::opt<ws>, pegtl::must<extra_next>> {};
struct extras_list : pegtl::opt<extra_first, pegtl::star<extras_more>> {};
struct extras_open : pegtl::one<'['> {};
struct extras_close : pegtl::one<']'> {};
/// extras = ( '[' WS? extras_list? WS? ']' )?
struct extras : pegtl::opt<pegtl::if_must<extras_open, pegtl::opt<ws>, extras_list,
                                          pegtl::opt<ws>, extras_close>> {};

/// version_many = (SPECIFIER (WS? ',' WS? SPECIFIER)*)?, where a ',' ends the loop when no
/// SPECIFIER follows it.
struct version_many : pegtl::seq<pegtl::star<specifier_token, pegtl::opt<ws>, comma,
                                             pegtl::opt<ws>>,
                                 pegtl::opt<specifier_token, pegtl::opt<ws>>> {};
struct specifier_open : pegtl::one<'('> {};
struct specifier_close : pegtl::one<')'> {};
struct specifier : pegtl::sor<pegtl::if_must<specifier_open, pegtl::opt<ws>, version_many,
                                             pegtl::opt<ws>, specifier_close>,
                              pegtl::seq<pegtl::opt<ws>, version_many, pegtl::opt<ws>>> {};

struct semicolon_after_url : semicolon {};
struct semicolon_after_specifier : semicolon {};
struct url_ws : ws {};
struct requirement_url : url {};
struct requirement_marker : marker {};
struct url_marker : pegtl::seq<pegtl::must<semicolon_after_url>, requirement_marker,
                               pegtl::opt<ws>> {};
struct url_tail : pegtl::sor<pegtl::at<end>,
                             pegtl::seq<pegtl::must<url_ws>,
                                        pegtl::sor<pegtl::at<end>, url_marker>>> {};
/// AT URL (WS requirement_marker?)?
struct url_details : pegtl::if_must<at_sign, pegtl::opt<ws>, requirement_url, url_tail> {};
struct specifier_marker : pegtl::seq<pegtl::must<semicolon_after_specifier>,
                                     requirement_marker, pegtl::opt<ws>> {};
/// specifier WS? (';' marker WS?)?
struct specifier_details : pegtl::seq<specifier, pegtl::opt<ws>,
                                       pegtl::sor<pegtl::at<end>, specifier_marker>> {};
struct requirement_end : end {};
/// requirement = WS? IDENTIFIER WS? extras WS? requirement_details END
struct requirement : pegtl::seq<pegtl::opt<ws>, pegtl::must<name>, pegtl::opt<ws>, extras,
                                pegtl::opt<ws>, pegtl::sor<url_details, specifier_details>,
                                pegtl::must<requirement_end>> {};

// clang-format on

} // namespace qplug::version::grammar::pep508

template <class Name>
struct tao::pegtl::analyze_traits<Name, qplug::version::grammar::pep508::word_boundary>
    : tao::pegtl::analyze_opt_traits<> {};
template <class Name, char... Cs>
struct tao::pegtl::analyze_traits<Name, qplug::version::grammar::pep508::lookbehind<Cs...>>
    : tao::pegtl::analyze_opt_traits<> {};
template <class Name>
struct tao::pegtl::analyze_traits<Name, qplug::version::grammar::pep508::identifier>
    : tao::pegtl::analyze_any_traits<> {};
