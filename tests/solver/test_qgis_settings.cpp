// SPDX-License-Identifier: GPL-2.0-or-later
// QGIS3.ini as QSettings reads it (qsettings.cpp's rules), and the plugin repositories as
// QGIS's plugin installer loads them.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/qgis_settings.hpp>

#include "test_data.hpp"

using namespace qplug::solver;
using Type = QSettingsEntry::Type;

namespace {

std::vector<QSettingsEntry> read_ok(std::string_view text) {
    auto entries = read_qsettings_ini(text);
    EXPECT_TRUE(entries) << entries.error().to_string();
    return entries ? *entries : std::vector<QSettingsEntry>{};
}

const QSettingsEntry* find(const std::vector<QSettingsEntry>& entries, std::string_view key) {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [&](const QSettingsEntry& e) { return e.key == key; });
    return it == entries.end() ? nullptr : &*it;
}

/// The string value of a key ("<missing>" / "<not a string>" otherwise).
std::string value(const std::vector<QSettingsEntry>& entries, std::string_view key) {
    const QSettingsEntry* e = find(entries, key);
    if (e == nullptr) {
        return "<missing>";
    }
    return e->type == Type::string ? e->text : "<not a string>";
}

std::string value_of(std::string_view text, std::string_view key = "k") {
    return value(read_ok(text), key);
}

std::vector<QgisRepository> repositories(std::string_view text,
                                         std::vector<std::string>* warnings = nullptr) {
    auto repos = read_qgis_repositories(text, warnings);
    EXPECT_TRUE(repos) << repos.error().to_string();
    return repos ? *repos : std::vector<QgisRepository>{};
}

std::vector<std::string> names(const std::vector<QgisRepository>& repos) {
    std::vector<std::string> out;
    for (const auto& r : repos) {
        out.push_back(r.name);
    }
    return out;
}

std::string sample(const std::string& name) {
    return qplug::test::read_file(qplug::test::data_path("qgis-settings/" + name));
}

} // namespace

// --- realistic files -----------------------------------------------------------------------

TEST(QgisSettings, LinuxProfileRepositories) {
    std::vector<std::string> warnings;
    const auto repos = repositories(sample("linux-QGIS3.ini"), &warnings);
    EXPECT_TRUE(warnings.empty()) << warnings.front(); // @Variant values elsewhere are not read
    // childGroups() order: sorted by name; %E9 is é, %U6e2c%U8a66 is 測試.
    EXPECT_EQ(names(repos), (std::vector<std::string>{
                                "D\u00e9p\u00f4t du bureau", "Intranet (auth)", "Old test repo",
                                "QGIS Official Plugin Repository", "\u6e2c\u8a66"}));
    ASSERT_EQ(repos.size(), 5U);
    // Quoted because it holds ',' and '=': one string, not a list.
    EXPECT_EQ(repos[0].url, "https://qgis.example.fr/plugins.xml?team=sig,carto");
    EXPECT_TRUE(repos[0].enabled);
    EXPECT_EQ(repos[0].authcfg, "");
    EXPECT_EQ(repos[1].authcfg, "k9f3x2a");
    EXPECT_EQ(repos[1].url, "https://intranet.example.com/qgis/plugins.xml");
    EXPECT_FALSE(repos[2].enabled);
    EXPECT_TRUE(repos[2].valid);
    EXPECT_EQ(repos[3].url, kQgisOfficialRepositoryUrl);
    EXPECT_FALSE(repos[3].implied);
    EXPECT_EQ(repos[3].line, 37U);
    EXPECT_EQ(repos[4].url, "https://example.jp/qgis/plugins.xml");
}

TEST(QgisSettings, LinuxProfileOtherValues) {
    const auto entries = read_ok(sample("linux-QGIS3.ini"));
    EXPECT_EQ(value(entries, "showTips330"), "false"); // [General]: no group
    EXPECT_EQ(value(entries, "PythonPlugins/watchDog/qfieldsync"), "");
    EXPECT_EQ(value(entries, "app/plugin_installer/lastZipDirectory"), "/home/jane/Downloads");
    EXPECT_EQ(value(entries, "qgis/recentProjects/1/title"), "Roads; draft");
    const QSettingsEntry* date = find(entries, "app/plugin_installer/checkOnStartLastDate");
    ASSERT_NE(date, nullptr);
    EXPECT_EQ(date->type, Type::unsupported);
    EXPECT_EQ(date->line, 20U);
    const QSettingsEntry* seen = find(entries, "app/plugin_installer/seen_plugins");
    ASSERT_NE(seen, nullptr);
    EXPECT_EQ(seen->type, Type::list);
    EXPECT_EQ(seen->items, (std::vector<std::string>{"qfieldsync", "quick_map_services",
                                                     "DataPlotly", "odd, name"}));
    // @ByteArray(...) is a string of its bytes (escapes decoded).
    EXPECT_EQ(value(entries, "qgis/state").substr(0, 5), std::string("\0\0\0\xC3\xBF", 5));
    // Keys are sorted as QSettings lists them.
    EXPECT_TRUE(std::is_sorted(entries.begin(), entries.end(),
                               [](const auto& a, const auto& b) { return a.key < b.key; }));
}

TEST(QgisSettings, WindowsProfileWithCrlf) {
    const std::string text = sample("windows-QGIS3.ini");
    ASSERT_NE(text.find("\r\n"), std::string::npos);
    const auto repos = repositories(text);
    ASSERT_EQ(repos.size(), 2U);
    EXPECT_EQ(repos[0].name, "QGIS Official Plugin Repository");
    EXPECT_EQ(repos[1].name, "Team share");
    EXPECT_EQ(repos[1].url, "file:///S:/GIS/qgis-repo/plugins.xml");
    EXPECT_FALSE(repos[1].enabled);
    EXPECT_EQ(repos[1].line, 14U);
    const auto entries = read_ok(text);
    EXPECT_EQ(value(entries, "app/plugin_installer/lastZipDirectory"),
              "C:\\Users\\jane\\Downloads");
    EXPECT_EQ(value(entries, "qgis/lastProjectDir"), "C:\\Users\\jane\\Documents");
}

// --- QSettings: keys and sections --------------------------------------------------------

TEST(QSettingsIni, KeyEscapes) {
    const auto entries = read_ok("[a%20b]\nk%3Dx\\y%U00e9%E9=1\n");
    EXPECT_EQ(value(entries, "a b/k=x/y\u00e9\u00e9"), "1");
    // A '%' without its digits stays a '%' (and %U needs four).
    EXPECT_EQ(value_of("[s]\n%G1\\%U12\\50%=1\n", "s/%G1/%U12/50%"), "1");
    EXPECT_EQ(value_of("a%2=1\n", "a%2"), "1");
    // Keys are trimmed; spaces inside stay.
    EXPECT_EQ(value_of("  my key  =  v\n", "my key"), "v");
}

TEST(QSettingsIni, Sections) {
    // Keys before any section and in [General] (any case) have no group.
    auto entries = read_ok("top=1\n[General]\ng=2\n[general]\nh=3\n[%General]\ni=4\n");
    EXPECT_EQ(value(entries, "top"), "1");
    EXPECT_EQ(value(entries, "g"), "2");
    EXPECT_EQ(value(entries, "h"), "3");
    EXPECT_EQ(value(entries, "General/i"), "4"); // how QSettings writes a group named General
    // A section is trimmed, escaped like a key, and may name nested groups.
    entries = read_ok("[ app\\plugin_repositories ]\nR\\url=u\n");
    EXPECT_EQ(value(entries, "app/plugin_repositories/R/url"), "u");
    // Text after ']' is ignored.
    EXPECT_EQ(value_of("[s] junk\nk=v\n", "s/k"), "v");
}

TEST(QSettingsIni, RepeatedKeysKeepWhatQSettingsKeeps) {
    // Within a section, the last one; a repeated section continues the first.
    EXPECT_EQ(value_of("[s]\nk=1\n[t]\nx=0\n[s]\nk=2\n", "s/k"), "2");
    // [General]'s "s\k" and [s]'s "k" are one key: sections are read in the order of their
    // names, so [s] wins whatever the file order.
    EXPECT_EQ(value_of("[s]\nk=section\n[General]\ns\\k=general\n", "s/k"), "section");
}

TEST(QSettingsIni, CommentsAndLines) {
    auto entries = read_ok("; a comment\n   ;indented comment\n\n\t\nk=value ; after\n#h=1\n");
    EXPECT_EQ(value(entries, "k"), "value"); // ';' outside quotes ends the value
    EXPECT_EQ(value(entries, "#h"), "1");    // '#' is not a comment for QSettings
    EXPECT_EQ(entries.size(), 2U);
    EXPECT_EQ(value_of("k=\"a;b\"\n"), "a;b");
    // A quoted part and an escaped line break continue the line.
    EXPECT_EQ(value_of("k=\"one\ntwo\"\n"), "one\ntwo");
    EXPECT_EQ(value_of("k=abc\\\ndef\n"), "abcdef");
    EXPECT_EQ(value_of("k=abc\\\r\ndef\r\n"), "abcdef");
    // The first '=' outside quotes splits.
    EXPECT_EQ(value_of("k=a=b\n"), "a=b");
    // Lines end at CR, LF or CRLF; a BOM is skipped.
    entries = read_ok("\xEF\xBB\xBF"
                      "a=1\rb=2\r\nc=3\n");
    EXPECT_EQ(value(entries, "a") + value(entries, "b") + value(entries, "c"), "123");
    EXPECT_EQ(find(entries, "c")->line, 3U);
}

// --- QSettings: values ---------------------------------------------------------------------

TEST(QSettingsIni, SpacesAndQuotes) {
    EXPECT_EQ(value_of("k=   spaced out   \n"), "spaced out");
    EXPECT_EQ(value_of("k=\" kept \"\n"), " kept ");
    EXPECT_EQ(value_of("k=\"a\"  b\n"), "ab"); // spaces after a closing quote are skipped
    EXPECT_EQ(value_of("k=\"a,b\"\n"), "a,b");
    EXPECT_EQ(value_of("k=\n"), "");
    EXPECT_EQ(value_of("k=\"\"\n"), "");
}

TEST(QSettingsIni, Escapes) {
    EXPECT_EQ(value_of(R"(k="\"q\" \\ \n\t\a\b\f\r\v \? \'")"
                       "\n"),
              "\"q\" \\ \n\t\a\b\f\r\v ? '");
    EXPECT_EQ(value_of(R"(k=\x41\x42)"
                       "\n"),
              "AB");
    EXPECT_EQ(value_of(R"(k=\x41g)"
                       "\n"),
              "Ag");
    EXPECT_EQ(value_of(R"(k=\xe9t\xe9)"
                       "\n"),
              "\u00e9t\u00e9"); // as QSettings writes é
    EXPECT_EQ(value_of(R"(k=\x41B)"
                       "\n"),
              "\u041b"); // as many hex digits as follow
    EXPECT_EQ(value_of(R"(k=\101\60)"
                       "\n"),
              "A0"); // octal
    EXPECT_EQ(value_of(R"(k=a\qb)"
                       "\n"),
              "ab"); // an unknown escape is dropped
    EXPECT_EQ(value_of(R"(k=a\xg)"
                       "\n"),
              "ag"); // \x without digits too
    EXPECT_EQ(value_of(R"(k=\xd83d\xde00)"
                       "\n"),
              "\U0001F600");                             // a surrogate pair
    EXPECT_EQ(value_of("k=caf\xC3\xA9\n"), "caf\u00e9"); // UTF-8 as is
    EXPECT_EQ(value_of("k=a\xFF"
                       "b\n"),
              "a\uFFFDb"); // ill-formed UTF-8
}

TEST(QSettingsIni, Lists) {
    auto entries = read_ok("k=a , b,c\nq=\"x, y\", z\none=a,\nempty=,\n");
    const QSettingsEntry* k = find(entries, "k");
    ASSERT_NE(k, nullptr);
    EXPECT_EQ(k->type, Type::list);
    EXPECT_EQ(k->items, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(find(entries, "q")->items, (std::vector<std::string>{"x, y", "z"}));
    EXPECT_EQ(find(entries, "one")->items, (std::vector<std::string>{"a", ""}));
    EXPECT_EQ(find(entries, "empty")->items, (std::vector<std::string>{"", ""}));
    entries = read_ok("k=@@a, @ByteArray(b)\n");
    EXPECT_EQ(find(entries, "k")->items, (std::vector<std::string>{"@a", "b"}));
}

TEST(QSettingsIni, AtValues) {
    EXPECT_EQ(value_of("k=@@at\n"), "@at");
    EXPECT_EQ(value_of("k=@String(hello)\n"), "hello");
    EXPECT_EQ(value_of("k=@ByteArray(raw)\n"), "raw");
    EXPECT_EQ(value_of("k=@Rect(1 2)\n"), "@Rect(1 2)"); // not four numbers: a string
    EXPECT_EQ(value_of("k=@Variant(open\n"), "@Variant(open");
    EXPECT_EQ(value_of("k=@unknown\n"), "@unknown");
    auto entries = read_ok("a=@Invalid()\nb=@Variant(\\0\\0\\0\\x7f)\nc=@Rect(0 0 10 20)\n"
                           "d=@DateTime(\\0)\ne=@Size(1 2)\n");
    EXPECT_EQ(find(entries, "a")->type, Type::invalid);
    EXPECT_EQ(find(entries, "b")->type, Type::unsupported);
    EXPECT_EQ(find(entries, "c")->type, Type::unsupported);
    EXPECT_EQ(find(entries, "d")->type, Type::unsupported);
    EXPECT_EQ(find(entries, "e")->type, Type::unsupported);
}

// --- format errors -------------------------------------------------------------------------

TEST(QSettingsIni, FormatErrorsHaveLines) {
    auto r = read_qsettings_ini("[app]\nk=v\n[broken\nx=1\n");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().kind, qplug::Error::Kind::parse);
    EXPECT_EQ(r.error().line, 3U);
    EXPECT_EQ(r.error().to_string(), "QGIS3.ini:3:1: a section header without ']'");
    r = read_qsettings_ini("a=1\r\n\r\n   junk here\r\n", "/p/QGIS/QGIS3.ini");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().to_string(),
              "/p/QGIS/QGIS3.ini:3:4: 'junk here' is neither a section header, a comment nor "
              "KEY=VALUE");
    auto repos = read_qgis_repositories("[app]\nplugin_repositories\\x\\url=u\nnonsense\n");
    ASSERT_FALSE(repos);
    EXPECT_EQ(repos.error().line, 3U);
}

// --- the plugin installer's reading ------------------------------------------------------

TEST(QgisRepositories, OfficialRepositoryAddedAsQgisDoes) {
    // No file, or none with the official URL: QGIS adds it.
    auto repos = repositories("");
    ASSERT_EQ(repos.size(), 1U);
    EXPECT_EQ(repos[0].name, kQgisOfficialRepositoryName);
    EXPECT_EQ(repos[0].url, "https://plugins.qgis.org/plugins/plugins.xml");
    EXPECT_TRUE(repos[0].implied);
    EXPECT_TRUE(repos[0].enabled);
    repos =
        repositories("[app]\nplugin_repositories\\Zed\\url=z\nplugin_repositories\\Abc\\url=a\n");
    EXPECT_EQ(names(repos),
              (std::vector<std::string>{"Abc", "QGIS Official Plugin Repository", "Zed"}));
    // The official URL under another name counts.
    repos = repositories(
        "[app]\nplugin_repositories\\Mine\\url=https://plugins.qgis.org/plugins/plugins.xml\n");
    EXPECT_EQ(names(repos), (std::vector<std::string>{"Mine"}));
    // A group with the official name but another URL gets the official URL.
    std::vector<std::string> warnings;
    repos = repositories("[app]\nplugin_repositories\\QGIS%20Official%20Plugin%20Repository\\url="
                         "http://plugins.qgis.org/plugins/plugins.xml\n"
                         "plugin_repositories\\QGIS%20Official%20Plugin%20Repository\\enabled="
                         "false\n",
                         &warnings);
    ASSERT_EQ(repos.size(), 1U);
    EXPECT_EQ(repos[0].url, kQgisOfficialRepositoryUrl);
    EXPECT_FALSE(repos[0].implied);
    EXPECT_FALSE(repos[0].enabled);
    ASSERT_EQ(warnings.size(), 1U);
    EXPECT_NE(warnings[0].find("QGIS replaces the URL"), std::string::npos);
}

TEST(QgisRepositories, BooleansAsQVariantReadsThem) {
    // "", "0" and "false" (any case) are false; anything else is true; absent is true.
    const std::vector<std::pair<std::string, bool>> cases = {
        {"true", true}, {"false", false}, {"FALSE", false}, {"0", false},        {"", false},
        {"1", true},    {"yes", true},    {"no", true},     {"\"false\"", false}};
    std::string ini = "[app]\n";
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const std::string group = "plugin_repositories\\r" + std::to_string(i) + "\\";
        ini += group + "url=https://example.org/" + std::to_string(i) + "\n";
        ini += group + "enabled=" + cases[i].first + "\n";
    }
    ini += "plugin_repositories\\unset\\url=https://example.org/unset\n";
    const auto repos = repositories(ini);
    ASSERT_EQ(repos.size(), cases.size() + 2); // + the official one + unset
    for (std::size_t i = 0; i < cases.size(); ++i) {
        const auto it = std::find_if(repos.begin(), repos.end(), [&](const QgisRepository& r) {
            return r.name == "r" + std::to_string(i);
        });
        ASSERT_NE(it, repos.end());
        EXPECT_EQ(it->enabled, cases[i].second) << "enabled=" << cases[i].first;
    }
    EXPECT_TRUE(repos.back().enabled); // "unset"
    EXPECT_EQ(repos.back().name, "unset");
}

TEST(QgisRepositories, WhatQgisCannotReadIsAWarning) {
    std::vector<std::string> warnings;
    const auto repos =
        repositories("[app]\n"
                     "plugin_repositories\\a\\url=https://a.example.org/plugins.xml\n"
                     "plugin_repositories\\a\\enabled=@Variant(\\0\\0\\0\\x1\\x1)\n"
                     "plugin_repositories\\a\\authcfg=  abc1234  \n"
                     "plugin_repositories\\b\\enabled=true\n"
                     "plugin_repositories\\c\\url=https://c.example.org/x?a=1, b=2\n"
                     "plugin_repositories\\d\\url=https://d.example.org/plugins.xml\n"
                     "plugin_repositories\\d\\valid=false\n"
                     "plugin_repositories\\d\\enabled=true, false\n"
                     "plugin_repositories\\e\\url=@Invalid()\n"
                     "plugin_repositories\\f\\url=https://f.example.org/old.xml\n"
                     "plugin_repositories\\f\\url=https://f.example.org/new.xml\n"
                     "plugin_repositories\\stray=1\n",
                     &warnings);
    EXPECT_EQ(names(repos),
              (std::vector<std::string>{"QGIS Official Plugin Repository", "a", "d", "f"}));
    ASSERT_EQ(repos.size(), 4U);
    EXPECT_TRUE(repos[1].enabled); // @Variant: the default
    EXPECT_EQ(repos[1].authcfg, "abc1234");
    EXPECT_FALSE(repos[2].valid);
    EXPECT_TRUE(repos[2].enabled); // a list: the default
    EXPECT_EQ(repos[3].url, "https://f.example.org/new.xml");
    const auto has = [&](std::string_view text) {
        return std::any_of(warnings.begin(), warnings.end(),
                           [&](const std::string& w) { return w.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(has("QGIS3.ini:3:1: app/plugin_repositories/a/enabled: not a true/false value"));
    EXPECT_TRUE(has("repository 'b' left out: QGIS cannot fetch it without a URL"));
    EXPECT_TRUE(has("app/plugin_repositories/c/url: is a list"));
    EXPECT_TRUE(has("repository 'c' left out"));
    EXPECT_TRUE(has("app/plugin_repositories/d/enabled: not a true/false value"));
    EXPECT_TRUE(has("repository 'e' left out"));
    EXPECT_EQ(warnings.size(), 6U);
}

TEST(QgisRepositories, GroupsFromGeneralToo) {
    // QSettings does not care in which section a key is written.
    const auto repos = repositories("[General]\napp\\plugin_repositories\\G\\url=https://g/\n");
    EXPECT_EQ(names(repos), (std::vector<std::string>{"G", "QGIS Official Plugin Repository"}));
}
