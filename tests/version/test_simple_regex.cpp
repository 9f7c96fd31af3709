// The regex subset used by conda regex and glob specs, against answers Python's re gives.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include "simple_regex.hpp"

using qplug::version::detail::SimpleRegex;

namespace {
bool m(const char* pattern, const char* text) {
    auto r = SimpleRegex::compile(pattern);
    EXPECT_TRUE(r) << pattern << ": " << (r ? "" : r.error().to_string());
    return r && r->match(text);
}
} // namespace

TEST(SimpleRegex, MatchesLikePythonRe) {
    EXPECT_TRUE(m("^1\\.7\\.[0-9]+$", "1.7.12"));
    EXPECT_FALSE(m("^1\\.7\\.[0-9]+$", "1.7."));
    EXPECT_TRUE(m("^[^1].*$", "2.0"));
    EXPECT_FALSE(m("^[^1].*$", "1.0"));
    EXPECT_TRUE(m("^$", ""));
    EXPECT_TRUE(m("^1\\.0$", "1.0\n")); // $ also matches before a final newline
    EXPECT_TRUE(m("abc", "abcdef"));    // re.match: anchored at the start only
    EXPECT_FALSE(m("bc", "abc"));
    EXPECT_TRUE(m("^(?:1|2)\\.x{2,3}$", "2.xxx"));
    EXPECT_FALSE(m("^(?:1|2)\\.x{2,3}$", "2.xxxx"));
    EXPECT_TRUE(m("^a{,2}$", "aa"));
    EXPECT_TRUE(m("^\\d+\\w*$", "12ab_"));
    EXPECT_TRUE(m("^x{a}$", "x{a}")); // not a quantifier: literal text, like Python
}

TEST(SimpleRegex, RefusesWhatItCannotDo) {
    EXPECT_FALSE(SimpleRegex::compile("(?P<n>x)"));
    EXPECT_FALSE(SimpleRegex::compile("\\bx"));
    EXPECT_FALSE(SimpleRegex::compile("(a"));
    EXPECT_FALSE(SimpleRegex::compile("a)"));
    EXPECT_FALSE(SimpleRegex::compile("*a"));
    EXPECT_FALSE(SimpleRegex::compile("[a"));
    EXPECT_FALSE(SimpleRegex::compile("a**"));
    EXPECT_FALSE(SimpleRegex::compile("x{2000}"));
}
