// The metadata rules of spec/metadata.json as a table: for every META- rule, one small
// metadata.txt per branch of its condition that breaks it, held under each profile (qgis, site,
// strict) to the severity the spec gives it there (and to silence where it is off); and near
// misses, files that come close but must not fire it in any profile. A check makes sure that
// no META- rule of the spec is left without both.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cctype>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/meta/parser.hpp>
#include <qplug/meta/spec.hpp>
#include <qplug/meta/validator.hpp>

using namespace qplug::meta;

namespace {

// A metadata.txt that every profile accepts; cases edit it.
const std::string kGood = "[general]\n"
                          "name=Test Plugin\n"
                          "qgisMinimumVersion=3.22\n"
                          "qgisMaximumVersion=4.99\n"
                          "description=Tests qplug.\n"
                          "about=A plugin that exists to be checked.\n"
                          "version=1.0.0\n"
                          "author=Jane Doe\n"
                          "email=jane@example.org\n"
                          "repository=https://github.com/example/test_plugin\n"
                          "tracker=https://github.com/example/test_plugin/issues\n"
                          "homepage=https://example.org/test_plugin\n";

std::string without(const std::string& key) {
    std::string out;
    std::size_t start = 0;
    while (start < kGood.size()) {
        const std::size_t nl = kGood.find('\n', start);
        const std::string line = kGood.substr(start, nl - start + 1);
        if (line.rfind(key + "=", 0) != 0) {
            out += line;
        }
        start = nl + 1;
    }
    return out;
}

std::string replaced(const std::string& key, const std::string& value) {
    return without(key) + key + "=" + value + "\n";
}

/// kGood with both QGIS bounds given (an empty maximum: the line is there, empty).
std::string qgis_range(const std::string& minimum, const std::string& maximum) {
    std::string out = without("qgisMinimumVersion");
    const std::string max_line = "qgisMaximumVersion=4.99\n";
    out.erase(out.find(max_line), max_line.size());
    return out + "qgisMinimumVersion=" + minimum + "\nqgisMaximumVersion=" + maximum + "\n";
}

struct Case {
    Case() = default;
    Case(std::string t, Profile p, KeyMode k, bool l = false)
        : text(std::move(t)), profile(p), keys(k), lenient(l) {}

    std::string text;
    Profile profile = Profile::strict;
    KeyMode keys = KeyMode::site;
    bool lenient = false;
    std::function<std::optional<std::string>(std::string_view)> link;
    std::function<bool(std::string_view)> files;
};

/// One input of the rule table: a file (and how it is read), for every profile.
struct Input {
    std::string branch; ///< which condition of the rule it exercises, or why it must not fire
    std::string text;
    std::optional<KeyMode> keys; ///< unset: QGIS's key mode for the qgis profile, else the site's
    bool lenient = false;
    std::function<std::optional<std::string>(std::string_view)> link;
    std::function<bool(std::string_view)> files;

    Case under(Profile p) const {
        Case c{text, p, keys.value_or(p == Profile::qgis ? KeyMode::qgis : KeyMode::site), lenient};
        c.link = link;
        c.files = files;
        return c;
    }
};

/// For a rule: inputs that break it (one per branch of its condition), which must fire it with
/// the spec's severity in every profile where it is on and not at all where it is off; and
/// near misses, which must not fire it in any profile.
struct RuleCases {
    std::vector<Input> triggers;
    std::vector<Input> near_misses;
};

Input in(std::string branch, std::string text) {
    return Input{std::move(branch), std::move(text), std::nullopt, false, {}, {}};
}

Input with_keys(KeyMode keys, std::string branch, std::string text) {
    Input i = in(std::move(branch), std::move(text));
    i.keys = keys;
    return i;
}

Input lenient(std::string branch, std::string text) {
    Input i = in(std::move(branch), std::move(text));
    i.lenient = true;
    return i;
}

Input with_files(std::string branch, std::string text, std::function<bool(std::string_view)> f) {
    Input i = in(std::move(branch), std::move(text));
    i.files = std::move(f);
    return i;
}

Input with_link(std::string branch, std::string text,
                std::function<std::optional<std::string>(std::string_view)> link) {
    Input i = in(std::move(branch), std::move(text));
    i.link = std::move(link);
    return i;
}

/// k1 = %(k2)s%% ... : `about` refers down a chain of `levels` values, each holding a '%'.
std::string interpolation_chain(int levels) {
    std::string out = replaced("about", "%(k1)s%%");
    for (int k = 1; k < levels; ++k) {
        out += "k" + std::to_string(k) + "=%(k" + std::to_string(k + 1) + ")s%%\n";
    }
    return out + "k" + std::to_string(levels) + "=end%%\n";
}

/// l1 .. l`levels`, each referring ten times to the one before: l0's 15 bytes times 10^levels.
std::string reference_bomb(int levels) {
    std::string out = kGood + "l0=lollollollollol\n";
    for (int i = 1; i <= levels; ++i) {
        out += "l" + std::to_string(i) + "=";
        for (int k = 0; k < 10; ++k) {
            out += "%(l" + std::to_string(i - 1) + ")s";
        }
        out += "\n";
    }
    return out;
}

std::string utf8_e_acute(std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) {
        out += "\xC3\xA9";
    }
    return out;
}

std::map<std::string, RuleCases> rule_cases() {
    std::map<std::string, RuleCases> c;
    c["META-PARSE-UTF8"] = {{in("an ill-formed byte", kGood + "about2=caf\xe9\n"),
                             in("a sequence cut off at the end", kGood + "about2=caf\xc3")},
                            {in("well-formed UTF-8", kGood + "about2=caf\xc3\xa9\n"),
                             lenient("lenient reading takes Latin-1", kGood + "about2=caf\xe9\n")}};
    c["META-PARSE-BOM"] = {{in("a BOM first", "\xEF\xBB\xBF" + kGood)},
                           {in("U+FEFF inside a value", kGood + "about2=a\xEF\xBB\xBFz\n"),
                            lenient("lenient reading skips it", "\xEF\xBB\xBF" + kGood)}};
    c["META-PARSE-NO-SECTION-HEADER"] = {
        {in("a key first", "name=x\n" + kGood), in("a word first", "words\n" + kGood)},
        {in("comments and blank lines first", "# comment\n; other\n\n" + kGood),
         lenient("lenient reading opens [general]", "name=x\n" + kGood)}};
    c["META-PARSE-SYNTAX"] = {
        {in("words without '='", kGood + "just some words\n"),
         in("an unclosed header", kGood + "[other\n")},
        {in("an indented continuation", replaced("about", "first") + "  second line\n"),
         in("':' as the delimiter", kGood + "changelog: notes\n")}};
    c["META-PARSE-EMPTY-KEY"] = {
        {in("'=' first", kGood + "=value\n"), in("':' first", kGood + ": value\n")},
        {in("an empty value", kGood + "changelog=\n")}};
    c["META-PARSE-DUPLICATE-SECTION"] = {
        {in("[general] twice", kGood + "[general]\n"),
         in("another section twice", kGood + "[other]\na=1\n[other]\nb=2\n")},
        {in("[DEFAULT] twice", "[DEFAULT]\na=1\n[DEFAULT]\nb=2\n" + kGood),
         in("two different sections", kGood + "[other]\na=1\n")}};
    c["META-PARSE-DUPLICATE-KEY"] = {
        {in("the same key twice", kGood + "name=Other\n"),
         with_keys(KeyMode::qgis, "the same key in another case (QGIS lower-cases)",
                   kGood + "Name=Other\n")},
        {with_keys(KeyMode::site, "another case (the site's keys keep it)", kGood + "Name=Other\n"),
         in("the same key in another section", kGood + "[other]\nname=x\n")}};
    c["META-PARSE-NO-GENERAL"] = {{in("[General]", "[General]\nname=x\n"),
                                   in("another section only", "[other]\nname=x\n"),
                                   in("an empty file", "")},
                                  {in("[general] after another", "[other]\na=1\n" + kGood)}};
    c["META-PARSE-PERCENT"] = {{in("'%' then a space", replaced("about", "100% useful")),
                                in("'%' last", replaced("about", "100%")),
                                in("'%(' never closed", replaced("about", "see %(name")),
                                in("'%()s'", replaced("about", "see %()s")),
                                in("'%(name)' without 's'", replaced("about", "see %(name)x"))},
                               {in("'%%'", replaced("about", "100%% useful")),
                                in("a reference", replaced("about", "see %(name)s"))}};
    c["META-PARSE-INTERPOLATION-MISSING"] = {
        {in("in the value", replaced("about", "see %(nothing)s")),
         in("in a value it refers to", replaced("about", "see %(k1)s") + "k1=%(nothing)s\n")},
        {in("a key of [general]", replaced("about", "see %(name)s")),
         in("a key of [DEFAULT]", "[DEFAULT]\nwho=Jane\n" + replaced("about", "by %(who)s"))}};
    c["META-PARSE-INTERPOLATION-DEPTH"] = {{in("a cycle", kGood + "a=%(b)s%%\nb=%(a)s%%\n"),
                                            in("a chain 11 values deep", interpolation_chain(10))},
                                           {in("a chain 10 values deep", interpolation_chain(9))}};
    c["META-PARSE-INTERPOLATION-SIZE"] = {
        {in("ten references per level, six levels deep (15 bytes become 15 MB)",
            reference_bomb(6))},
        {in("ten references per level, two levels deep (1.5 kB)", reference_bomb(2))}};
    c["META-SECTION-NAME"] = {
        {in("[General]", "[General]\nname=x\n"), in("[ general ]", "[ general ]\nname=x\n")},
        {in("[generalities]", "[generalities]\nname=x\n"),
         in("[General] beside [general]", kGood + "[other]\na=1\n")}};
    c["META-LENIENT-BOM"] = {
        {lenient("a BOM first", "\xEF\xBB\xBF" + kGood)},
        {lenient("no BOM", kGood), in("a strict reading", "\xEF\xBB\xBF" + kGood)}};
    c["META-LENIENT-LATIN1"] = {{lenient("a Latin-1 byte", kGood + "about2=caf\xe9\n")},
                                {lenient("UTF-8", kGood + "about2=caf\xc3\xa9\n"),
                                 in("a strict reading", kGood + "about2=caf\xe9\n")}};
    c["META-LENIENT-CONTINUATION"] = {
        {lenient("an unindented line without '='",
                 replaced("about", "first line") + "second line\n")},
        {lenient("an indented continuation", replaced("about", "first line") + "  second\n"),
         lenient("an unindented entry", replaced("about", "first line") + "changelog=x\n"),
         in("a strict reading", replaced("about", "first line") + "second line\n")}};
    c["META-LENIENT-SECTION"] = {
        {lenient("a key before the header", "name=x\n" + kGood)},
        {lenient("a header first", kGood), in("a strict reading", "name=x\n" + kGood)}};
    for (const char* key : {"name", "qgisMinimumVersion", "description", "about", "version",
                            "author", "email", "repository", "tracker", "homepage"}) {
        std::string id = "META-REQ-";
        std::string upper;
        for (const char* p = key; *p != '\0'; ++p) {
            upper += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
        }
        id += upper;
        auto& r = c[id];
        r.triggers.push_back(in("missing", without(key)));
        r.triggers.push_back(with_keys(KeyMode::site, "spelled in another case (site keys)",
                                       without(key) + upper + "=x\n"));
        r.near_misses.push_back(in("present", kGood));
        r.near_misses.push_back(in("present but empty", replaced(key, "")));
        r.near_misses.push_back(
            with_keys(KeyMode::qgis, "another case, QGIS's keys", without(key) + upper + "=x\n"));
    }
    c["META-REQ-AUTHOR"].triggers.push_back(
        in("only the alias author_name", without("author") + "author_name=Jane\n"));
    c["META-KEY-CASE"] = {
        {in("a field in another case", without("qgisMinimumVersion") + "QGISMinimumVersion=3.22\n"),
         in("an alias in another case", kGood + "Author_Name=Jane\n"),
         in("a localized key in another case", kGood + "Description[de]=Beschreibung\n")},
        {in("exact spelling", kGood), in("an unknown key", kGood + "licence=GPL\n"),
         in("a localized key", kGood + "description[de]=Beschreibung\n")}};
    c["META-UNKNOWN-KEY"] = {{in("an unknown key", kGood + "licence=GPL\n"),
                              in("an unknown localized key", kGood + "licence[de]=GPL\n")},
                             {in("an optional field", kGood + "changelog=notes\n"),
                              in("a field in another case", kGood + "Changelog=notes\n"),
                              in("an alias", kGood + "author_name=Jane\n")}};
    c["META-LOCALE-KEY"] = {{in("version[de]", kGood + "version[de]=1.0\n")},
                            {in("description[de]", kGood + "description[de]=Beschreibung\n"),
                             in("name[pt_BR]", kGood + "name[pt_BR]=Nome\n")}};
    c["META-EMPTY-VALUE"] = {{in("description", replaced("description", "")),
                              in("qgisMinimumVersion", replaced("qgisMinimumVersion", "")),
                              in("only spaces", replaced("version", "   "))},
                             {in("a URL (META-URL-INVALID says it)", replaced("homepage", "")),
                              in("the author (META-AUTHOR-SLASH says it)", replaced("author", "")),
                              in("an optional field", kGood + "changelog=\n")}};
    c["META-AUTHOR-SLASH"] = {
        {in("a '/'", replaced("author", "Jane/Doe")), in("empty", replaced("author", ""))},
        {in("two authors with a comma", replaced("author", "Jane, John")),
         in("a backslash", replaced("author", "Jane\\Doe"))}};
    c["META-URL-REFUSED"] = {
        {in("a scheme requests has no adapter for",
            replaced("repository", "git+https://github.com/x/y")),
         in("ssh", replaced("tracker", "ssh://git@github.com/x/y")),
         in("a host starting with '.'", replaced("homepage", "https://.org/x")),
         in("a host starting with '*'", replaced("homepage", "https://*.example.org/")),
         in("a port that is not a number", replaced("repository", "https://github.com:abc/x"))},
        {in("https", replaced("repository", "https://github.com/x/y")),
         in("http with a port", replaced("homepage", "http://example.org:8080/x"))}};
    c["META-URL-INVALID"] = {
        {in("a bad scheme", replaced("homepage", "https  ://example.org")),
         in("no host", replaced("homepage", "https:example.org")),
         in("no scheme", replaced("repository", "github.com/example/x")),
         in("empty", replaced("tracker", "")),
         in("a scheme that starts with a digit", replaced("homepage", "1http://example.org"))},
        {in("upper case", replaced("homepage", "HTTPS://EXAMPLE.ORG")),
         in("a scheme with '+'", replaced("repository", "git+https://github.com/x/y")),
         in("a tab inside (urlsplit drops it)", replaced("homepage", "https://exa\tmple.org"))}};
    c["META-URL-PLACEHOLDER"] = {
        {in("tracker", replaced("tracker", "http://bugs")),
         in("repository", replaced("repository", "http://repo")),
         in("homepage", replaced("homepage", "http://homepage"))},
        {in("a real host", replaced("tracker", "http://bugs.example.org")),
         in("another field's placeholder", replaced("homepage", "http://bugs"))}};
    const auto unreachable = [](std::string_view url) -> std::optional<std::string> {
        return url.find("example.org/test_plugin") != std::string_view::npos &&
                       url.find("github") == std::string_view::npos
                   ? std::optional<std::string>("HTTP status 404")
                   : std::nullopt;
    };
    c["META-URL-UNREACHABLE"] = {
        {with_link("the link check fails", kGood, unreachable)},
        {with_link("the link check succeeds", kGood,
                   [](std::string_view) { return std::optional<std::string>(); }),
         in("links are not checked", kGood),
         with_link("an invalid URL is not fetched", replaced("homepage", "example.org/test_plugin"),
                   unreachable)}};
    c["META-EMAIL-INVALID"] = {
        {in("no '@'", replaced("email", "jane at example")),
         in("'@' first", replaced("email", "@example.org")),
         in("two '@'", replaced("email", "jane@doe@example.org")),
         in("no dot in the domain", replaced("email", "jane@example")),
         in("a dot first in the domain", replaced("email", "jane@.org")),
         in("a dot last", replaced("email", "jane@example.")),
         in("a space", replaced("email", "jane doe@example.org")),
         in("a no-break space", replaced("email", "jane\xC2\xA0"
                                                  "doe@example.org"))},
        {in("plain", replaced("email", "jane.doe+x@sub.example.co.uk")),
         in("non-ASCII", replaced("email", "j\xC3\xA9r\xC3\xB4me@example.org")),
         in("empty (META-EMPTY-VALUE says it)", replaced("email", ""))}};
    c["META-BOOL-VALUE"] = {
        {in("'1': QGIS false, the site true", kGood + "experimental=1\n"),
         in("neither true nor false", kGood + "experimental=maybe\n"),
         in("a QGIS-only flag as '1'", kGood + "hasProcessingProvider=1\n"),
         in("non-ASCII", kGood + "deprecated=n\xC3\xB6\n")},
        {in("True", kGood + "experimental=True\n"), in("YES", kGood + "experimental=YES\n"),
         in("no", kGood + "deprecated=no\n"), in("empty", kGood + "experimental=\n")}};
    c["META-SERVER-TRUE"] = {{in("true", kGood + "server=true\n"),
                              in("yes", kGood + "server=yes\n"), in("1", kGood + "server=1\n")},
                             {in("True", kGood + "server=True\n"),
                              in("False", kGood + "server=False\n"),
                              in("false", kGood + "server=false\n")}};
    c["META-QGIS-VERSION-FORMAT"] = {
        {in("one part", replaced("qgisMinimumVersion", "3")),
         in("four parts", replaced("qgisMinimumVersion", "3.22.1.1")),
         in("a letter", replaced("qgisMinimumVersion", "3.x")),
         in("an empty part", replaced("qgisMinimumVersion", "3..1")),
         in("a trailing dot", replaced("qgisMinimumVersion", "3.22.")),
         in("a part above 99", replaced("qgisMinimumVersion", "3.100")),
         in("the maximum", replaced("qgisMaximumVersion", "4"))},
        {in("X.Y", replaced("qgisMinimumVersion", "3.22")),
         in("X.Y.Z", replaced("qgisMinimumVersion", "3.22.1")),
         in("99", replaced("qgisMaximumVersion", "3.99")),
         in("three digits, at most 99", replaced("qgisMinimumVersion", "3.099")),
         in("an empty maximum", replaced("qgisMaximumVersion", ""))}};
    c["META-QGIS-RANGE"] = {{in("a lower minor", replaced("qgisMaximumVersion", "3.10")),
                             in("a lower major", replaced("qgisMaximumVersion", "2.18")),
                             in("a lower patch", qgis_range("3.22.5", "3.22.1"))},
                            {in("the same", replaced("qgisMaximumVersion", "3.22")),
                             in("the same three numbers", qgis_range("3.22.5", "3.22.5")),
                             in("X.Y as maximum means X.Y.99", qgis_range("3.22.5", "3.22")),
                             in("no maximum", without("qgisMaximumVersion"))}};
    c["META-QGIS4"] = {{in("no maximum, minimum 3.x", without("qgisMaximumVersion")),
                        in("maximum 3.99", replaced("qgisMaximumVersion", "3.99"))},
                       {in("maximum 4.99", kGood),
                        in("maximum 4.0", replaced("qgisMaximumVersion", "4.0")),
                        in("an empty maximum, minimum 4.0", qgis_range("4.0", ""))}};
    c["META-VERSION-SPACE"] = {{in("words after the number", replaced("version", "v1.2 beta")),
                                in("two spaces", replaced("version", "1.0  final"))},
                               {in("no space", replaced("version", "1.2b1")),
                                in("a hyphen", replaced("version", "1.2-beta"))}};
    c["META-VERSION-NOT-PEP440"] = {
        {in("words", replaced("version", "1.0 beta")),
         in("a date", replaced("version", "2024-01-xx"))},
        {in("a plain release", replaced("version", "1.0.0")),
         in("PEP 440 after QGIS's normalization", replaced("version", "v1.0-beta")),
         in("a pre-release", replaced("version", "1.0rc1"))}};
    c["META-DEPRECATED-FIELD"] = {{in("supportsQt6", kGood + "supportsQt6=True\n")},
                                  {in("a current field", kGood + "hasProcessingProvider=yes\n")}};
    c["META-DEPENDENCIES"] = {
        {in("an empty item", kGood + "plugin_dependencies=Other,,Third\n"),
         in("two '=='", kGood + "plugin_dependencies=Other==1==2\n"),
         in("a space around the name", kGood + "plugin_dependencies=Other, Third\n"),
         in("another operator", kGood + "plugin_dependencies=Third>=1.0\n"),
         in("'==' without a version", kGood + "plugin_dependencies=Third==\n")},
        {in("names and pins", kGood + "plugin_dependencies=Other Plugin,Third==1.0\n"),
         in("spaces around the whole value", kGood + "plugin_dependencies=  Other\n")}};
    c["META-TEMPLATE-TEXT"] = {
        {in("about",
            replaced("about", "Provide a brief description of the plugin and its purpose."))},
        {in("other text", replaced("about", "Provides a brief description.")),
         in("the about template in description",
            replaced("description",
                     "Provide a brief description of the plugin and its purpose."))}};
    c["META-CATEGORY"] = {
        {in("lower case", kGood + "category=web\n"), in("unknown", kGood + "category=Plugins\n")},
        {in("Web", kGood + "category=Web\n"), in("empty", kGood + "category=\n")}};
    c["META-HTML"] = {{in("a tag in about", replaced("about", "A <b>bold</b> plugin.")),
                       in("a closing tag in description", replaced("description", "text</p>")),
                       in("a comment", replaced("about", "x <!-- y -->"))},
                      {in("comparisons", replaced("about", "a < b and c > d")),
                       in("'<' without '>'", replaced("about", "x <b")),
                       in("a tag in changelog", kGood + "changelog=<b>new</b>\n")}};
    c["META-DESCRIPTION-MULTILINE"] = {
        {in("two lines", replaced("description", "first\n    second"))},
        {in("about on two lines", replaced("about", "first\n    second"))}};
    c["META-TOO-LONG"] = {{in("257 characters", replaced("name", std::string(257, 'x')))},
                          {in("256 characters", replaced("name", std::string(256, 'x'))),
                           in("256 characters in 512 bytes", replaced("name", utf8_e_acute(256)))}};
    const auto no_file = [](std::string_view) { return false; };
    c["META-ICON-MISSING"] = {{with_files("no such file", kGood + "icon=icon.png\n", no_file)},
                              {with_files("the file exists", kGood + "icon=icon.png\n",
                                          [](std::string_view) { return true; }),
                               with_files("'./' is dropped", kGood + "icon=./icon.png\n",
                                          [](std::string_view p) { return p == "icon.png"; }),
                               in("files are not checked", kGood + "icon=icon.png\n"),
                               with_files("no icon", kGood, no_file)}};
    c["META-TEMPLATE-TAGS"] = {{in("python", kGood + "tags=python\n")},
                               {in("other tags", kGood + "tags=python, vector\n")}};
    return c;
}

Diagnostics run(const Case& c) {
    ParseOptions po;
    po.keys = c.keys;
    po.lenient = c.lenient;
    const Document doc = parse(c.text, po);
    ValidateOptions vo;
    vo.profile = c.profile;
    vo.check_link = c.link;
    vo.file_exists = c.files;
    return validate(doc, vo);
}

bool has(const Diagnostics& ds, const std::string& rule) {
    return std::any_of(ds.begin(), ds.end(), [&](const Diagnostic& d) { return d.rule == rule; });
}

} // namespace

TEST(MetaRules, GoodFileIsCleanInEveryProfile) {
    for (Profile p : {Profile::qgis, Profile::site, Profile::strict}) {
        for (KeyMode k : {KeyMode::qgis, KeyMode::site}) {
            Case c{kGood, p, k};
            const Diagnostics ds = run(c);
            EXPECT_EQ(count(ds, Severity::error), 0u) << profile_name(p) << " " << key_mode_name(k);
            EXPECT_EQ(count(ds, Severity::warning), 0u)
                << profile_name(p) << " " << key_mode_name(k);
        }
    }
}

std::string describe(const std::string& rule, const Input& input, Profile p) {
    return rule + " (" + input.branch + ") under the " + std::string(profile_name(p)) +
           " profile:\n" + input.text;
}

TEST(MetaRules, EveryTriggerFiresWhereItsRuleIsOn) {
    std::size_t fired = 0;
    for (const auto& [rule, cases] : rule_cases()) {
        const RuleInfo* info = find_rule(rule);
        ASSERT_NE(info, nullptr) << rule << " is not in spec/metadata.json";
        for (const Input& input : cases.triggers) {
            for (Profile p : {Profile::qgis, Profile::site, Profile::strict}) {
                const Diagnostics ds = run(input.under(p));
                const Severity expected = info->severity_in(p);
                if (expected == Severity::off) {
                    EXPECT_FALSE(has(ds, rule)) << "off, yet fired: " << describe(rule, input, p);
                    continue;
                }
                ++fired;
                EXPECT_TRUE(has(ds, rule)) << "did not fire: " << describe(rule, input, p);
                for (const auto& d : ds) {
                    if (d.rule == rule) {
                        EXPECT_EQ(d.severity, expected) << describe(rule, input, p);
                        EXPECT_FALSE(d.message.empty());
                        EXPECT_EQ(d.message.find('{'), std::string::npos)
                            << rule << ": unfilled placeholder: " << d.message;
                    }
                }
            }
        }
    }
    EXPECT_GT(fired, 200u);
}

/// Whether the parse failed (then the validator never sees the file: a near miss or a
/// trigger of a validator rule must not be such a file, or it would prove nothing).
bool parse_failed(const Diagnostics& ds) {
    return std::any_of(ds.begin(), ds.end(), [](const Diagnostic& d) {
        return d.rule.starts_with("META-PARSE-") || d.rule.starts_with("META-LENIENT-");
    });
}

bool is_parse_rule(const std::string& rule) {
    return rule.starts_with("META-PARSE-") || rule.starts_with("META-LENIENT-") ||
           rule == "META-SECTION-NAME";
}

TEST(MetaRules, NoNearMissFires) {
    for (const auto& [rule, cases] : rule_cases()) {
        for (const Input& input : cases.near_misses) {
            for (Profile p : {Profile::qgis, Profile::site, Profile::strict}) {
                const Diagnostics ds = run(input.under(p));
                EXPECT_FALSE(has(ds, rule)) << "a near miss fired: " << describe(rule, input, p);
                if (!is_parse_rule(rule)) {
                    EXPECT_FALSE(parse_failed(ds))
                        << "the near miss does not parse: " << describe(rule, input, p);
                }
            }
        }
        if (is_parse_rule(rule)) {
            continue;
        }
        for (const Input& input : cases.triggers) {
            EXPECT_FALSE(parse_failed(run(input.under(Profile::strict))))
                << "the trigger does not parse: " << describe(rule, input, Profile::strict);
        }
    }
}

TEST(MetaRules, EveryMetaRuleOfTheSpecHasTriggersAndNearMisses) {
    const auto all = rule_cases();
    std::size_t meta_rules = 0;
    for (const RuleInfo& r : rules()) {
        if (!r.id.starts_with("META-")) {
            continue;
        }
        ++meta_rules;
        const auto it = all.find(std::string(r.id));
        ASSERT_NE(it, all.end()) << r.id << " has no test case";
        EXPECT_FALSE(it->second.triggers.empty()) << r.id << " has no trigger";
        EXPECT_FALSE(it->second.near_misses.empty()) << r.id << " has no near miss";
    }
    EXPECT_EQ(meta_rules, all.size()) << "the table names a rule the spec does not have";
}

TEST(MetaRules, SpecNamesDifferWithoutCase) {
    // QGIS lower-cases keys: two spec names (keys or aliases) equal without case could not be
    // told apart, and the validator finds an item's field by its name alone.
    std::set<std::string> seen;
    for (const FieldInfo& f : fields()) {
        std::vector<std::string_view> spellings = {f.key};
        spellings.insert(spellings.end(), f.aliases.begin(), f.aliases.end());
        for (const auto name : spellings) {
            std::string folded(name);
            for (char& c : folded) {
                c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            EXPECT_TRUE(seen.insert(folded).second) << name << " is named twice";
        }
    }
    EXPECT_LE(fields().size(), 64u); // the validator's table of first items per field
}

TEST(MetaRules, AFieldIsFoundByItsFirstItem) {
    // Inherited from [DEFAULT] and given in [general]: [general]'s own key is the item.
    Case c{"[DEFAULT]\nauthor=a/b\n" + replaced("author", "Jane"), Profile::site, KeyMode::site};
    EXPECT_FALSE(has(run(c), "META-AUTHOR-SLASH"));
    // Site keys: "Email" is not "email" (a case error and a missing key); QGIS's lower-cased
    // "email" is found however it is written; author_name does not stand in for author.
    Case site{without("email") + "Email=jane@example.org\n", Profile::site, KeyMode::site};
    EXPECT_TRUE(has(run(site), "META-REQ-EMAIL"));
    EXPECT_TRUE(has(run(site), "META-KEY-CASE"));
    Case qgis{without("email") + "EMAIL=jane@example.org\n", Profile::site, KeyMode::qgis};
    EXPECT_FALSE(has(run(qgis), "META-REQ-EMAIL"));
    Case alias{without("author") + "author_name=Jane\n", Profile::site, KeyMode::site};
    EXPECT_TRUE(has(run(alias), "META-REQ-AUTHOR"));
}

TEST(MetaRules, AValidationInsideAnotherIsItsOwn) {
    // A file_exists callback that validates another document on the same thread: the inner
    // validation must neither see nor spoil the outer one's items.
    Case outer{kGood + "icon=icon.png\n", Profile::strict, KeyMode::site};
    Diagnostics inner;
    outer.files = [&](std::string_view) {
        inner = run(Case{without("email"), Profile::site, KeyMode::site});
        return false;
    };
    const Diagnostics ds = run(outer);
    EXPECT_TRUE(has(ds, "META-ICON-MISSING"));
    EXPECT_FALSE(has(ds, "META-REQ-EMAIL"));
    EXPECT_TRUE(has(inner, "META-REQ-EMAIL"));
    EXPECT_FALSE(has(inner, "META-ICON-MISSING"));
    EXPECT_FALSE(has(run(Case{kGood, Profile::site, KeyMode::site}), "META-REQ-EMAIL"));
}

TEST(MetaRules, QgisVersionProblemsInPartOrder) {
    // The installer's and the loader's reading of a QGIS version: two or three parts, each
    // digits, none above 99; the first bad part (in order) says what is wrong.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"3", "two or three parts"},
        {"3.22.1.1", "two or three parts"},
        {"3.x", "must be a number"},
        {"3..1", "must be a number"},
        {"3.22.", "must be a number"},
        {"3.100", "above 99"},
        {"100.x", "above 99"},
        {"x.100", "must be a number"},
        {"3.1000000000000", "above 99"},
        {"3.099", ""},
        {"007.1", ""},
        {"3.22", ""},
        {"3.22.1", ""}};
    for (const auto& [version, problem] : cases) {
        Case c{replaced("qgisMinimumVersion", version), Profile::qgis, KeyMode::qgis};
        std::string found;
        for (const Diagnostic& d : run(c)) {
            if (d.rule == "META-QGIS-VERSION-FORMAT") {
                found = d.message;
            }
        }
        if (problem.empty()) {
            EXPECT_EQ(found, "") << version;
        } else {
            EXPECT_NE(found.find(problem), std::string::npos) << version << ": " << found;
        }
    }
}

TEST(MetaRules, ProfilesTurnRulesOff) {
    // META-AUTHOR-SLASH is the site's rule; QGIS does not care.
    Case c{replaced("author", "Jane/Doe"), Profile::qgis, KeyMode::qgis};
    EXPECT_FALSE(has(run(c), "META-AUTHOR-SLASH"));
    // A lower-case key is fine for QGIS, an error for the site.
    Case lower{without("qgisMinimumVersion") + "qgisminimumversion=3.22\n", Profile::qgis,
               KeyMode::qgis};
    EXPECT_EQ(count(run(lower), Severity::error), 0u);
    lower.profile = Profile::site;
    lower.keys = KeyMode::site;
    EXPECT_TRUE(has(run(lower), "META-REQ-QGISMINIMUMVERSION"));
}

TEST(MetaRules, PositionsPointAtTheProblem) {
    Case c{replaced("about", "100% useful"), Profile::qgis, KeyMode::qgis};
    const Diagnostics ds = run(c);
    const auto d = std::find_if(ds.begin(), ds.end(),
                                [](const Diagnostic& x) { return x.rule == "META-PARSE-PERCENT"; });
    ASSERT_NE(d, ds.end()) << "META-PARSE-PERCENT did not fire";
    EXPECT_EQ(std::count_if(ds.begin(), ds.end(),
                            [](const Diagnostic& x) { return x.rule == "META-PARSE-PERCENT"; }),
              1);
    EXPECT_EQ(d->line, 12u);
    EXPECT_EQ(d->column, 10u); // the '%'
    EXPECT_EQ(d->source_line, "about=100% useful");
    EXPECT_EQ(d->key, "about");
}
