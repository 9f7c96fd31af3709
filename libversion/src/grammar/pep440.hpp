// PEP 440 versions and specifiers, exactly as packaging 23.0's regular expressions accept them
// (Version: VERSION_PATTERN; Specifier: _regex), with their backtracking made explicit.
// Rules only: actions live in pep440.cpp / pep440_specifier.cpp.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include "common.hpp"

namespace qplug::version::grammar::pep440 {

// clang-format off

struct sep : pegtl::one<'-', '_', '.'> {};
struct v_prefix : ci<'v'> {};

// Keywords, longest first: a PEG commits to the first alternative that matches, where the
// regular expression would backtrack; no shorter keyword can be followed by the rest of a
// longer one in a valid version, so the two agree.
struct kw_alpha : pegtl::seq<ci<'a'>, ci<'l'>, ci<'p'>, ci<'h'>, ci<'a'>> {};
struct kw_beta : pegtl::seq<ci<'b'>, ci<'e'>, ci<'t'>, ci<'a'>> {};
struct kw_preview : pegtl::seq<ci<'p'>, ci<'r'>, ci<'e'>, ci<'v'>, ci<'i'>, ci<'e'>, ci<'w'>> {};
struct kw_pre : pegtl::seq<ci<'p'>, ci<'r'>, ci<'e'>> {};
struct kw_rc : pegtl::seq<ci<'r'>, ci<'c'>> {};
struct kw_post : pegtl::seq<ci<'p'>, ci<'o'>, ci<'s'>, ci<'t'>> {};
struct kw_rev : pegtl::seq<ci<'r'>, ci<'e'>, ci<'v'>> {};
struct kw_dev : pegtl::seq<ci<'d'>, ci<'e'>, ci<'v'>> {};

struct epoch : pegtl::seq<digits, pegtl::one<'!'>> {};
struct release_number : digits {};
struct release : pegtl::seq<release_number, pegtl::star<pegtl::one<'.'>, release_number>> {};
/// ~= needs at least two release segments.
struct release2 : pegtl::seq<release_number, pegtl::plus<pegtl::one<'.'>, release_number>> {};

struct pre_letter : pegtl::sor<kw_alpha, kw_beta, kw_preview, kw_pre, kw_rc,
                               ci<'a'>, ci<'b'>, ci<'c'>> {};
struct pre_number : digits {};
struct pre : pegtl::seq<pegtl::opt<sep>, pre_letter, pegtl::opt<sep>, pegtl::opt<pre_number>> {};

struct post_number : digits {};
struct post_implicit : pegtl::seq<pegtl::one<'-'>, post_number> {};
struct post_letter : pegtl::sor<kw_post, kw_rev, ci<'r'>> {};
struct post_explicit : pegtl::seq<pegtl::opt<sep>, post_letter, pegtl::opt<sep>,
                                  pegtl::opt<post_number>> {};
struct post : pegtl::sor<post_implicit, post_explicit> {};

struct dev_number : digits {};
struct dev : pegtl::seq<pegtl::opt<sep>, kw_dev, pegtl::opt<sep>, pegtl::opt<dev_number>> {};

struct local_label : pegtl::seq<pegtl::plus<ci_alnum>,
                                pegtl::star<sep, pegtl::plus<ci_alnum>>> {};
struct local : pegtl::seq<pegtl::one<'+'>, local_label> {};

struct public_version : pegtl::seq<pegtl::opt<epoch>, release, pegtl::opt<pre>,
                                   pegtl::opt<post>, pegtl::opt<dev>> {};

/// Everything a version may contain, without requiring the end of input: used to find how
/// far a rejected string got.
struct version_prefix : pegtl::seq<py_spaces, pegtl::opt<v_prefix>, public_version,
                                   pegtl::opt<local>, py_spaces> {};
/// Version(text): ^\s* VERSION_PATTERN \s*$
struct version : pegtl::seq<version_prefix, pegtl::eof> {};

// --- Specifier: ^\s* operator version \s*$ ---------------------------------------------

struct spec_tail : pegtl::seq<py_spaces, pegtl::eof> {};
struct spec_public : pegtl::seq<pegtl::opt<v_prefix>, pegtl::opt<epoch>, release,
                                pegtl::opt<pre>, pegtl::opt<post>, pegtl::opt<dev>> {};

struct op_arbitrary : pegtl::string<'=', '=', '='> {};
struct op_compatible : pegtl::string<'~', '='> {};
struct op_equal : pegtl::string<'=', '='> {};
struct op_not_equal : pegtl::string<'!', '='> {};
struct op_less_equal : pegtl::string<'<', '='> {};
struct op_greater_equal : pegtl::string<'>', '='> {};
struct op_less : pegtl::one<'<'> {};
struct op_greater : pegtl::one<'>'> {};

/// `===`: anything up to whitespace, ';' or ')'.
struct arbitrary_version : pegtl::star<pegtl::not_at<pegtl::sor<py_space, pegtl::one<';', ')'>>>,
                                       pegtl::utf8::any> {};
struct spec_version_arbitrary : pegtl::seq<py_spaces, arbitrary_version> {};
struct spec_version_compatible : pegtl::seq<py_spaces, pegtl::opt<v_prefix>, pegtl::opt<epoch>,
                                            release2, pegtl::opt<pre>, pegtl::opt<post>,
                                            pegtl::opt<dev>> {};
struct wildcard : pegtl::string<'.', '*'> {};
struct spec_version_equal : pegtl::seq<py_spaces, pegtl::opt<v_prefix>, pegtl::opt<epoch>, release,
    pegtl::sor<pegtl::seq<wildcard, pegtl::at<spec_tail>>,
               pegtl::seq<pegtl::opt<pre>, pegtl::opt<post>, pegtl::opt<dev>, pegtl::opt<local>>>> {};
struct spec_version_ordered : pegtl::seq<py_spaces, spec_public> {};

struct spec_arbitrary : pegtl::seq<op_arbitrary, spec_version_arbitrary, spec_tail> {};
struct spec_compatible : pegtl::seq<op_compatible, spec_version_compatible, spec_tail> {};
struct spec_equal : pegtl::seq<op_equal, spec_version_equal, spec_tail> {};
struct spec_not_equal : pegtl::seq<op_not_equal, spec_version_equal, spec_tail> {};
struct spec_less_equal : pegtl::seq<op_less_equal, spec_version_ordered, spec_tail> {};
struct spec_greater_equal : pegtl::seq<op_greater_equal, spec_version_ordered, spec_tail> {};
struct spec_less : pegtl::seq<op_less, spec_version_ordered, spec_tail> {};
struct spec_greater : pegtl::seq<op_greater, spec_version_ordered, spec_tail> {};

struct specifier : pegtl::seq<py_spaces, pegtl::sor<spec_arbitrary, spec_compatible, spec_equal,
    spec_not_equal, spec_less_equal, spec_greater_equal, spec_less, spec_greater>> {};

// clang-format on

} // namespace qplug::version::grammar::pep440
