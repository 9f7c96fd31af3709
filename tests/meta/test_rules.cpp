// One test per metadata rule id of spec/metadata.json: a small metadata.txt that breaks the
// rule, read and validated under a profile where the rule is on; and a check that no META- rule
// of the spec is left without such a case.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cctype>
#include <map>
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

std::map<std::string, Case> cases() {
    std::map<std::string, Case> c;
    auto site = [](std::string t) { return Case{std::move(t), Profile::site, KeyMode::site}; };
    auto strict = [](std::string t) { return Case{std::move(t), Profile::strict, KeyMode::site}; };
    auto qgis = [](std::string t) { return Case{std::move(t), Profile::qgis, KeyMode::qgis}; };
    c["META-PARSE-UTF8"] = qgis(kGood + "about=caf\xe9\n");
    c["META-PARSE-BOM"] = qgis("\xEF\xBB\xBF" + kGood);
    c["META-PARSE-NO-SECTION-HEADER"] = qgis("name=x\n" + kGood);
    c["META-PARSE-SYNTAX"] = qgis(kGood + "just some words\n");
    c["META-PARSE-EMPTY-KEY"] = qgis(kGood + "=value\n");
    c["META-PARSE-DUPLICATE-SECTION"] = qgis(kGood + "[general]\n");
    c["META-PARSE-DUPLICATE-KEY"] = qgis(kGood + "Name=Other\n");
    c["META-PARSE-NO-GENERAL"] = qgis("[General]\nname=x\n");
    c["META-PARSE-PERCENT"] = qgis(replaced("about", "100% useful"));
    c["META-PARSE-INTERPOLATION-MISSING"] = qgis(replaced("about", "see %(nothing)s"));
    c["META-PARSE-INTERPOLATION-DEPTH"] = qgis(kGood + "a=%(b)s%%\nb=%(a)s%%\n");
    {
        // Ten references per level, six levels deep: 15 bytes become 15 MB.
        std::string bomb = kGood + "l0=lollollollollol\n";
        for (int i = 1; i <= 6; ++i) {
            bomb += "l" + std::to_string(i) + "=";
            for (int k = 0; k < 10; ++k) {
                bomb += "%(l" + std::to_string(i - 1) + ")s";
            }
            bomb += "\n";
        }
        c["META-PARSE-INTERPOLATION-SIZE"] = qgis(bomb);
    }
    c["META-SECTION-NAME"] = qgis("[General]\nname=x\n");
    c["META-LENIENT-BOM"] = Case{"\xEF\xBB\xBF" + kGood, Profile::qgis, KeyMode::qgis, true};
    c["META-LENIENT-LATIN1"] = Case{kGood + "about2=caf\xe9\n", Profile::qgis, KeyMode::qgis, true};
    c["META-LENIENT-CONTINUATION"] =
        Case{replaced("about", "first line") + "second line\n", Profile::qgis, KeyMode::qgis, true};
    c["META-LENIENT-SECTION"] = Case{"name=x\n" + kGood, Profile::qgis, KeyMode::qgis, true};
    for (const char* key : {"name", "qgisMinimumVersion", "description", "about", "version",
                            "author", "email", "repository", "tracker", "homepage"}) {
        std::string id = "META-REQ-";
        for (const char* p = key; *p != '\0'; ++p) {
            id += static_cast<char>(std::toupper(static_cast<unsigned char>(*p)));
        }
        c[id] = site(without(key));
    }
    c["META-KEY-CASE"] = site(without("qgisMinimumVersion") + "QGISMinimumVersion=3.22\n");
    c["META-UNKNOWN-KEY"] = strict(kGood + "licence=GPL\n");
    c["META-LOCALE-KEY"] = strict(kGood + "version[de]=1.0\n");
    c["META-EMPTY-VALUE"] = strict(replaced("description", ""));
    c["META-AUTHOR-SLASH"] = site(replaced("author", "Jane/Doe"));
    c["META-URL-INVALID"] = site(replaced("homepage", "https  ://example.org"));
    c["META-URL-PLACEHOLDER"] = site(replaced("tracker", "http://bugs"));
    c["META-URL-UNREACHABLE"] = site(kGood);
    c["META-URL-UNREACHABLE"].link = [](std::string_view url) -> std::optional<std::string> {
        return url.find("example.org/test_plugin") != std::string_view::npos &&
                       url.find("github") == std::string_view::npos
                   ? std::optional<std::string>("HTTP status 404")
                   : std::nullopt;
    };
    c["META-EMAIL-INVALID"] = strict(replaced("email", "jane at example"));
    c["META-BOOL-VALUE"] = strict(kGood + "experimental=1\n");
    c["META-SERVER-TRUE"] = strict(kGood + "server=true\n");
    c["META-QGIS-VERSION-FORMAT"] = qgis(replaced("qgisMinimumVersion", "3"));
    c["META-QGIS-RANGE"] = qgis(replaced("qgisMaximumVersion", "3.10"));
    c["META-QGIS4"] = strict(without("qgisMaximumVersion"));
    c["META-VERSION-NOT-PEP440"] = strict(replaced("version", "1.0 beta"));
    c["META-DEPRECATED-FIELD"] = strict(kGood + "supportsQt6=True\n");
    c["META-DEPENDENCIES"] = strict(kGood + "plugin_dependencies=Other Plugin, Third>=1.0\n");
    c["META-TEMPLATE-TEXT"] =
        strict(replaced("about", "Provide a brief description of the plugin and its purpose."));
    c["META-CATEGORY"] = strict(kGood + "category=web\n");
    c["META-HTML"] = strict(replaced("about", "A <b>bold</b> plugin."));
    c["META-DESCRIPTION-MULTILINE"] = strict(replaced("description", "first\n    second"));
    c["META-TOO-LONG"] = strict(replaced("name", std::string(300, 'x')));
    c["META-ICON-MISSING"] = strict(kGood + "icon=icon.png\n");
    c["META-ICON-MISSING"].files = [](std::string_view) { return false; };
    c["META-TEMPLATE-TAGS"] = strict(kGood + "tags=python\n");
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

TEST(MetaRules, EveryRuleFires) {
    for (const auto& [rule, c] : cases()) {
        const RuleInfo* info = find_rule(rule);
        ASSERT_NE(info, nullptr) << rule << " is not in spec/metadata.json";
        EXPECT_NE(info->severity_in(c.profile), Severity::off) << rule << " is off in this profile";
        const Diagnostics ds = run(c);
        EXPECT_TRUE(has(ds, rule)) << rule << " did not fire for:\n" << c.text;
        for (const auto& d : ds) {
            if (d.rule == rule) {
                EXPECT_EQ(d.severity, info->severity_in(c.profile)) << rule;
                EXPECT_FALSE(d.message.empty());
                EXPECT_EQ(d.message.find('{'), std::string::npos)
                    << rule << ": unfilled placeholder: " << d.message;
            }
        }
    }
}

TEST(MetaRules, EveryMetaRuleOfTheSpecHasACase) {
    const auto all = cases();
    for (const RuleInfo& r : rules()) {
        if (r.id.starts_with("META-")) {
            EXPECT_EQ(all.count(std::string(r.id)), 1u) << r.id << " has no test case";
        }
    }
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
    for (const auto& d : run(c)) {
        if (d.rule == "META-PARSE-PERCENT") {
            EXPECT_EQ(d.line, 12u);
            EXPECT_EQ(d.column, 10u); // the '%'
            EXPECT_EQ(d.source_line, "about=100% useful");
            EXPECT_EQ(d.key, "about");
        }
    }
}
