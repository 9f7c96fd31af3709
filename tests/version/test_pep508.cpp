// PEP 508: requirements and markers as packaging 23.0 reads, prints and evaluates them. Every
// expectation here is what Debian 12's packaging 23.0 answers (the differential test
// tests/python/test_pep508_reference.py checks the same and much more against it).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <tao/pegtl/contrib/analyze.hpp>

#include <qplug/version/pep508.hpp>

#include "pep508_grammar.hpp"

using namespace qplug::version::pep508;

namespace {

std::string req(std::string_view text) {
    auto r = parse_requirement(text);
    return r ? r->to_string() : "ERROR " + r.error().message;
}

std::string mark(std::string_view text) {
    auto m = Marker::parse(text);
    return m ? m->to_string() : "ERROR " + m.error().message;
}

Environment env(std::string_view python = "3.11.2", std::string_view platform = "linux") {
    auto e = default_environment(python, platform);
    EXPECT_TRUE(e) << e.error().to_string();
    return e ? *e : Environment{};
}

/// "true", "false" or "error".
std::string eval(std::string_view marker, std::string_view extra = "",
                 const Environment& environment = env()) {
    auto m = Marker::parse(marker);
    if (!m) {
        return "invalid: " + m.error().message;
    }
    auto r = m->evaluate(environment, extra);
    return r ? (*r ? "true" : "false") : "error";
}

} // namespace

TEST(Pep508Grammar, Analyze) {
    namespace pegtl = tao::pegtl;
    namespace g = qplug::version::grammar::pep508;
    EXPECT_EQ(pegtl::analyze<g::requirement>(1), 0u);
    EXPECT_EQ(pegtl::analyze<g::marker_text>(1), 0u);
}

TEST(Pep508Requirement, Parts) {
    auto r = parse_requirement("Name_With-Mixed.seps [b, a,a] (>=1.0, <2) ; extra == 'Foo_Bar'");
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->name, "Name_With-Mixed.seps");
    EXPECT_EQ(r->extras, (std::vector<std::string>{"a", "b"}));
    EXPECT_EQ(r->specifier, "<2,>=1.0");
    EXPECT_EQ(r->url, "");
    ASSERT_TRUE(r->marker);
    EXPECT_EQ(r->marker->to_string(), "extra == \"foo-bar\"");

    auto u = parse_requirement("pip @ file:///localbuilds/pip-1.3.1-py33-none-any.whl");
    ASSERT_TRUE(u) << u.error().to_string();
    EXPECT_EQ(u->url, "file:///localbuilds/pip-1.3.1-py33-none-any.whl");
    EXPECT_EQ(u->specifier, "");
    EXPECT_FALSE(u->marker);
}

TEST(Pep508Requirement, StrAsPackaging) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"name", "name"},
        {" \tname", "name"},
        {"name\n", "name"}, // END is "$": also before a final newline
        {"foo_", "foo_"},   // the IDENTIFIER regex ends at a word boundary, '_' included
        {"foo_ [a]", "foo_[a]"},
        {"name[b,a,a]", "name[a,b]"},
        {"name[ a , b ]", "name[a,b]"},
        {"name[]", "name"},
        {"name()", "name"},
        {"name (>=1.0, <2)", "name<2,>=1.0"},
        {"name ==1.0 , <2", "name<2,==1.0"},
        {"name>=1,", "name>=1"}, // a comma may end the specifier list
        {"name (>=1,)", "name>=1"},
        {"name>= 1.0", "name>=1.0"},
        {"name>=\u00a01.0", "name>=1.0"}, // \s* inside SPECIFIER is Unicode whitespace
        {"name>=\n1.0", "name>=1.0"},
        {"name===1.0,>=2", "name===1.0,>=2"}, // one === token, split by SpecifierSet
        {"name===", "name==="},
        {"name (===1.0)", "name===1.0"},
        {"name====1", "name====1"},
        {"name==1.0+\u0130", "name==1.0+\u0130"},
        {"name>=1.0;python_version<'3.8'", "name>=1.0; python_version < \"3.8\""},
        {"name[a] (>=1) ; extra == 'Foo_Bar' and os_name==\"nt\"",
         "name[a]>=1; extra == \"foo-bar\" and os_name == \"nt\""},
        {"name @ http://x", "name@ http://x"},
        {"name[a]@http://x ; python_version>'3'", "name[a]@ http://x ; python_version > \"3\""},
        {"name @ http://x;os_name=='a'", "name@ http://x;os_name=='a'"}, // all one URL
        {"name @ file:///x", "name@ file:///x"},
        {"name @ http://[::1]/", "name@ http://[::1]/"},
        {"name @ http://[::1%eth0]:80/", "name@ http://[::1%eth0]:80/"},
        {"name @ http://[v1.x]/", "name@ http://[v1.x]/"},
        {"name @ http://u@[2001:db8::1.2.3.4]/", "name@ http://u@[2001:db8::1.2.3.4]/"},
        {"name @ \x01http://x", "name@ \x01http://x"},
        {"name @ http://x\n", "name@ http://x\n"},
        {"name>=1.0 ; os_name == 'a'\n", "name>=1.0; os_name == \"a\""},
        {"name; os_name not  in 'x'", "name; os_name not in \"x\""},
    };
    for (const auto& [input, expected] : cases) {
        EXPECT_EQ(req(input), expected) << input;
        // str() reads back as itself
        EXPECT_EQ(req(expected), expected) << expected;
    }
}

TEST(Pep508Requirement, SyntaxErrorsAsPackaging) {
    struct Case {
        std::string input;
        std::string message;
        std::size_t offset;
    };
    const std::string after_name =
        "Expected end or semicolon (after name and no valid version specifier)";
    const std::string after_spec = "Expected end or semicolon (after version specifier)";
    const std::vector<Case> cases = {
        {"foo-", after_name, 3},
        {"a.\u00e9", after_name, 2}, // "a." ends at a word boundary: 'é' is \w
        {"name\n\n", after_name, 4},
        {"\nname", "Expected package name at the start of dependency specifier", 0},
        {"", "Expected package name at the start of dependency specifier", 0},
        {"name[a,]", "Expected extra name after comma", 7},
        {"name[a b]", "Expected comma between extra names", 7},
        {"name[a", "Expected closing RIGHT_BRACKET", 6},
        {"name (>=1", "Expected closing RIGHT_PARENTHESIS", 9},
        {"name>=1.0foo", after_spec, 9},
        {"name >=1 <2", after_spec, 9},
        {"name ~=1", after_name, 5},
        {"name==1.*+x", after_spec, 9},
        {"name >=1.0 ;", "Expected a marker variable or quoted string", 12},
        {"name>=1.0 ; os_name == 'a' garbage", "Expected end of dependency specifier", 27},
        {"name @", "Expected URL after @", 6},
        {"name @ http://x x", "Expected end or semicolon (after URL and whitespace)", 16},
        {"name; os_name notin 'x'",
         "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in", 14},
        {"name; os_name not\nin 'x'", "Expected whitespace after 'not'", 17},
        {"name; os_name not inx", "Expected 'in' after 'not'", 18},
    };
    for (const auto& c : cases) {
        auto r = parse_requirement(c.input);
        ASSERT_FALSE(r) << c.input;
        EXPECT_EQ(r.error().message, c.message) << c.input;
        EXPECT_EQ(r.error().offset, c.offset) << c.input;
        EXPECT_EQ(r.error().what, "PEP 508 requirement");
        EXPECT_EQ(r.error().input, c.input);
    }
    EXPECT_EQ(parse_requirement("name (>=1").error().to_string(),
              "invalid PEP 508 requirement 'name (>=1': column 10: Expected closing "
              "RIGHT_PARENTHESIS");
}

TEST(Pep508Requirement, OtherErrorsAsPackaging) {
    // InvalidSpecifier (SpecifierSet splits the === token), InvalidRequirement and the
    // ValueErrors of urllib.parse: all refused, the offset at the specifier or URL.
    for (const char* input : {
             "name===,x",
             "name @ file:/x",    // urlunparse gives file:///x
             "name @ FILE:///x",  // ... file:///x
             "name @ file:///x?", // ... drops the empty query
             "name @ file:///x#", // ... and the empty fragment
             "name @ http://[1.2.3.4]/",
             "name @ http://[::1/",
             "name @ http://[vz.x]/",
             "name @ http://[1::2::3]/",
             "name @ http://[::1%]/",
             "name @ http://[::01.2.3.4]/",
             "name @ http://[a]@host/",
             "name @ http://a\u2100b/", // NFKC: a/c
             "name @ http://a\uff1ab/", // NFKC: ':'
             "name @ http:///path",
             "name @ host/path",
             "name @ mailto:a@b",
         }) {
        auto r = parse_requirement(input);
        EXPECT_FALSE(r) << input;
    }
    EXPECT_EQ(parse_requirement("name @ file:/x").error().offset, 7u);
    EXPECT_EQ(parse_requirement("name @ file:/x").error().message, "Invalid URL given");
    EXPECT_EQ(parse_requirement("name===,x").error().offset, 8u);
    for (const char* input : {"name @ http://[1:2:3:4:5:6:7:8]/", "name @ http://[::]/",
                              "name @ http://[::ffff:1.2.3.4]:8080/", "name @ http://[v7.a:b]/",
                              "name @ http://\u00e9.com/", "name @ http://a\u0301b/"}) {
        EXPECT_TRUE(parse_requirement(input)) << input;
    }
}

TEST(Pep508Requirement, InvalidUtf8) {
    auto r = parse_requirement("name\xff");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().offset, 4u);
    EXPECT_FALSE(Marker::parse("os_name == '\xc3'"));
}

TEST(Pep508Marker, StrAsPackaging) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"os_name=='a'", "os_name == \"a\""},
        {" os_name=='a' and(python_version<\"3.8\"or extra==\"Dev.Tools\")",
         "os_name == \"a\" and (python_version < \"3.8\" or extra == \"Dev.Tools\")"},
        // only a leading extra comparison is canonicalized when parsed
        {"extra == \"Foo_Bar\"", "extra == \"foo-bar\""},
        {"\"Foo_Bar\" == extra", "\"foo-bar\" == extra"},
        {"os_name==\"a\" and extra == \"Foo_Bar\"", "os_name == \"a\" and extra == \"Foo_Bar\""},
        {"(extra == \"Foo\") and os_name == \"nt\"", "extra == \"Foo\" and os_name == \"nt\""},
        {"python_version == extra", "\"python-version\" == extra"},
        {"extra == extra", "extra == \"extra\""},
        // _format_marker drops the parentheses of a one-element list, even where they matter
        {"os_name == \"a\" and ((os_name==\"b\" or os_name==\"c\"))",
         "os_name == \"a\" and os_name == \"b\" or os_name == \"c\""},
        {"((((os_name == \"a\"))))", "os_name == \"a\""},
        {"(os_name == \"a\") and (os_name == \"b\")", "os_name == \"a\" and os_name == \"b\""},
        // aliases
        {"os.name == \"posix\"", "os_name == \"posix\""},
        {"sys.platform == \"linux\"", "sys_platform == \"linux\""},
        {"platform.version == \"1\"", "platform_version == \"1\""},
        {"platform.machine == \"1\"", "platform_machine == \"1\""},
        {"platform.python_implementation == \"CPython\"",
         "platform_python_implementation == \"CPython\""},
        {"python_implementation == \"CPython\"", "platform_python_implementation == \"CPython\""},
        // packaging 23.0's Marker() does not look past a complete marker
        {"os_name == \"a\" garbage", "os_name == \"a\""},
        {"python_version>\"3\"andos_name==\"x\"", "python_version > \"3\""},
        // \b is Unicode: 'é', 'ª' and '²' are \w, U+0301 is not
        {"os_name == \"a\" and\u00e9", "os_name == \"a\""},
        {"os_name == \"a\" and\u00aa", "os_name == \"a\""},
        {"os_name == \"a\" and\u00b2", "os_name == \"a\""},
        {"os_name == \"a\" and\u0301", "ERROR Expected a marker variable or quoted string"},
        {"python_version\u00b2 == \"a\"", "ERROR Expected a marker variable or quoted string"},
        {"platform.release == \"x\"", "ERROR Expected a marker variable or quoted string"},
        {"", "ERROR Expected a marker variable or quoted string"},
        {"(", "ERROR Expected a marker variable or quoted string"},
        {"os_name == \"a\" or (", "ERROR Expected a marker variable or quoted string"},
        {"(os_name == \"a\"", "ERROR Expected closing RIGHT_PARENTHESIS"},
    };
    for (const auto& [input, expected] : cases) {
        EXPECT_EQ(mark(input), expected) << input;
    }
}

TEST(Pep508Marker, PythonStringLiterals) {
    // The value of a quoted string is what ast.literal_eval makes of it.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {R"(os_name == '\x41\u00e9\U0001F600\101\777\0')",
         std::string("os_name == \"A\u00e9\U0001F600A\u01ff") + '\0' + "\""},
        {"os_name == 'a\\\nb'", "os_name == \"ab\""},             // a backslash joins lines
        {"os_name == 'a\\\r\nb'", "os_name == \"ab\""},           // "\r\n" is one line break
        {"os_name == 'a\\\rb'", "os_name == \"ab\""},             // so is "\r"
        {R"(os_name == 'a\qb\8\é')", R"(os_name == "a\qb\8\é")"}, // unknown escapes stay
        {R"(os_name == '\\"')", R"(os_name == "\"")"},            // str() does not escape
        {R"(os_name == '\a\b\f\n\r\t\v')", "os_name == \"\a\b\f\n\r\t\v\""},
        {R"(os_name == '\\')", R"(os_name == "\")"},
        {R"(os_name == "it's")", R"(os_name == "it's")"},
        {R"(os_name == '\'')", "ERROR"},                       // the closing quote is escaped
        {R"(os_name == '\')", "ERROR"},                        // ... here too
        {"os_name == 'a\nb'", "ERROR"},                        // a line break ends the string
        {"os_name == 'a\rb'", "ERROR"},                        // "\r" too
        {std::string("os_name == 'a") + '\0' + "b'", "ERROR"}, // NUL in source code
        {R"(os_name == '\x4')", "ERROR"},                      // truncated \xXX escape
        {R"(os_name == '\u12')", "ERROR"},                     // truncated \uXXXX escape
        {R"(os_name == '\U00110000')", "ERROR"},               // illegal Unicode character
        // qplug's decisions: no Unicode name database, no lone surrogates in UTF-8
        {R"(os_name == '\N{BULLET}')", "ERROR"},
        {R"(os_name == '\ud800')", "ERROR"},
        {R"(os_name == '\U0000DFFF')", "ERROR"},
    };
    for (const auto& [input, expected] : cases) {
        const std::string got = mark(input);
        EXPECT_EQ(expected == "ERROR" ? got.substr(0, 5) : got, expected) << input;
    }
}

TEST(Pep508Marker, NestingLimit) {
    const std::string ok = std::string(200, '(') + "os_name == \"a\"" + std::string(200, ')');
    EXPECT_EQ(mark(ok), "os_name == \"a\"");
    const std::string deep = std::string(201, '(') + "os_name == \"a\"" + std::string(201, ')');
    auto m = Marker::parse(deep);
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().offset, 200u);
    EXPECT_FALSE(Marker::parse(std::string(100000, '(')));
}

TEST(Pep508Marker, Evaluate) {
    struct Case {
        std::string marker;
        std::string extra;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {"python_version < \"3.12\"", "", "true"},
        {"python_version >= \"3.12\"", "", "false"},
        {"python_version == \"3.*\"", "", "true"},
        {"python_version == \"3.1*\"", "", "false"}, // not a specifier: string comparison
        {"\"3.8\" < python_version", "", "true"},    // Specifier("<3.11").contains("3.8")
        {"python_version in \"3.10 3.11\"", "", "true"},
        {"python_version not in \"3.10 3.11\"", "", "false"},
        {"\"3.1\" in python_version", "", "true"},
        {"os_name < \"q\"", "", "true"},
        {"extra == \"Dev.Tools\"", "dev_tools", "true"}, // extras compare canonicalized
        {"extra == \"Dev.Tools\"", "", "false"},
        {"extra == \"1.0\"", "", "error"}, // Version("") for ==1-0
        {"extra == \"1.0\"", "1-0", "true"},
        {"\"a\" == \"b\"", "", "error"},          // looks "b" up: KeyError
        {"\"posix\" == \"os_name\"", "", "true"}, // ... and finds os_name
        {"os_name == \"1.0\"", "", "error"},      // Version("posix"): InvalidVersion
        {"os_name ~= \"x\"", "", "error"},        // UndefinedComparison
        {"os_name === \"posix\"", "", "error"},   // Version("posix") again
        {"python_full_version === \"3.11.2\"", "", "true"},
        {"python_version == python_version", "", "false"}, // the right side is the name
        {"python_version == extra", "Python.Version", "true"},
        {"os_name == \"nt\" or python_version > \"3\" and os_name == \"x\"", "", "false"},
        {"os_name == \"nt\" and os_name == \"nt\" or os_name == \"posix\"", "", "true"},
        {"platform_release >= \"6\"", "", "true"},
        {"python_version < \"=3.11\"", "", "true"}, // "<" + "=3.11" is the specifier <=3.11
        {"implementation_name == \"cpython\" and platform_python_implementation == \"CPython\"", "",
         "true"},
        {"os_name == \"posix\" or \"a\" == \"b\"", "", "error"}, // every item is evaluated
    };
    for (const auto& c : cases) {
        EXPECT_EQ(eval(c.marker, c.extra), c.expected) << c.marker << " extra=" << c.extra;
    }
    EXPECT_EQ(eval("sys_platform == \"win32\" and os_name == \"nt\"", "", env("3.8.10", "win32")),
              "true");
    EXPECT_EQ(eval("platform_system == \"Darwin\" and platform_machine == \"arm64\"", "",
                   env("3.12.4", "darwin")),
              "true");
    EXPECT_EQ(eval("python_full_version >= \"3.13.0rc1\" and python_version == \"3.13\"", "",
                   env("3.13.0rc1")),
              "true");
    auto m = Marker::parse("os_name ~= \"x\"");
    ASSERT_TRUE(m);
    auto r = m->evaluate(env());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, qplug::Error::Kind::invalid);
}

TEST(Pep508Marker, Tree) {
    auto m = Marker::parse("os.name == 'nt' and (extra == 'a' or 'b' in extra)");
    ASSERT_TRUE(m);
    const auto& nodes = m->nodes();
    ASSERT_EQ(nodes.size(), 3u);
    EXPECT_EQ(nodes[0].kind, Marker::Node::Kind::item);
    EXPECT_TRUE(nodes[0].item.lhs.variable);
    EXPECT_EQ(nodes[0].item.lhs.text, "os_name");
    EXPECT_EQ(nodes[0].item.op, Marker::Op::equal);
    EXPECT_EQ(nodes[0].item.rhs.text, "nt");
    EXPECT_EQ(nodes[1].kind, Marker::Node::Kind::op_and);
    ASSERT_EQ(nodes[2].kind, Marker::Node::Kind::group);
    ASSERT_EQ(nodes[2].group.size(), 3u);
    EXPECT_EQ(nodes[2].group[2].item.op, Marker::Op::in);
    EXPECT_FALSE(nodes[2].group[2].item.lhs.variable);
}

TEST(Pep508Environment, Defaults) {
    auto e = default_environment("3.13.0rc1", "win32");
    ASSERT_TRUE(e);
    EXPECT_EQ(e->python_full_version, "3.13.0rc1");
    EXPECT_EQ(e->implementation_version, "3.13.0c1"); // format_full_version: releaselevel[0]
    EXPECT_EQ(e->python_version, "3.13");
    EXPECT_EQ(e->os_name, "nt");
    EXPECT_EQ(e->sys_platform, "win32");
    EXPECT_EQ(e->platform_system, "Windows");
    EXPECT_EQ(e->platform_machine, "AMD64");
    EXPECT_EQ(e->implementation_name, "cpython");
    EXPECT_EQ(e->platform_python_implementation, "CPython");

    auto l = default_environment("3.12", "linux", "aarch64");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->python_full_version, "3.12.0");
    EXPECT_EQ(l->implementation_version, "3.12.0");
    EXPECT_EQ(l->platform_machine, "aarch64");
    EXPECT_EQ(l->os_name, "posix");
    EXPECT_EQ(*l->find("platform_machine"), "aarch64");
    EXPECT_EQ(l->find("extra"), nullptr);

    EXPECT_EQ(default_environment("3.14.0a3")->implementation_version, "3.14.0a3");
    EXPECT_EQ(default_environment("3.12.0b4")->implementation_version, "3.12.0b4");
    for (const char* bad : {"3", "3.x", "03.8", "3.8.1c1", "", "3.8.", "3.8.1.2", "3.8rc"}) {
        EXPECT_FALSE(default_environment(bad)) << bad;
    }
    EXPECT_FALSE(default_environment("3.8", "cygwin"));
}
