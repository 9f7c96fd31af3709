// The regex subset used by conda regex and glob specs, against answers Python's re gives.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/unicode.hpp>

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

namespace {
/// The code points (surrogates aside) Python's re matches with `pattern`, from Debian's
/// /usr/bin/python3 as "first last" ranges.
std::vector<bool> python_matches(const char* pattern) {
    const std::string command =
        std::string("/usr/bin/python3 -c \"import re\nw = re.compile(r'") + pattern +
        "')\nstart = None\nfor c in range(0x110001):\n"
        "    inside = c < 0x110000 and not 0xD800 <= c < 0xE000 and bool(w.fullmatch(chr(c)))\n"
        "    if inside and start is None: start = c\n"
        "    if not inside and start is not None: print(start, c - 1); start = None\n\"";
    std::vector<bool> out(0x110000, false);
    FILE* pipe = ::popen(command.c_str(), "r");
    EXPECT_NE(pipe, nullptr);
    if (pipe == nullptr) {
        return out;
    }
    unsigned long first = 0, last = 0;
    while (std::fscanf(pipe, "%lu %lu", &first, &last) == 2) {
        for (unsigned long c = first; c <= last && c < out.size(); ++c) {
            out[c] = true;
        }
    }
    EXPECT_EQ(::pclose(pipe), 0);
    return out;
}

/// SimpleRegex against Python's re on every code point: the mismatches, at most ten.
std::vector<std::uint32_t> mismatches(const char* pattern) {
    const std::vector<bool> python = python_matches(pattern);
    auto r = SimpleRegex::compile(std::string("^") + pattern + "$");
    EXPECT_TRUE(r);
    std::vector<std::uint32_t> out;
    if (!r) {
        return out;
    }
    for (char32_t c = 0; c < 0x110000 && out.size() < 10; ++c) {
        if (c >= 0xD800 && c < 0xE000) {
            continue; // no UTF-8 for them
        }
        std::string text;
        qplug::unicode::append_utf8(text, c);
        if (c == '\n') {
            continue; // "$" also matches before a final newline: not a property of \w
        }
        if (r->match(text) != python[c]) {
            out.push_back(static_cast<std::uint32_t>(c));
        }
    }
    return out;
}
} // namespace

// re's \w is str.isalnum() or '_': Arabic and CJK letters, digits of every script, letters
// without case (the exact table, not "numeric or cased").
TEST(SimpleRegex, WordClassIsPythonsOnEveryCodePoint) {
    EXPECT_EQ(mismatches("\\w"), std::vector<std::uint32_t>{});
    EXPECT_EQ(mismatches("\\W"), std::vector<std::uint32_t>{});
    EXPECT_EQ(mismatches("[\\w.]"), std::vector<std::uint32_t>{});
}
