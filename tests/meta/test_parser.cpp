// Parser details the differential tests cannot see: positions, recovery, comments, lenient mode.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <tao/pegtl/contrib/analyze.hpp>

#include <qplug/meta/parser.hpp>
#include <qplug/unicode.hpp>

#include "bytes.hpp"
#include "grammar.hpp"

using namespace qplug::meta;

TEST(MetaParser, GrammarIsSound) {
    EXPECT_EQ(tao::pegtl::analyze<grammar::section_header>(1), 0u);
    EXPECT_EQ(tao::pegtl::analyze<grammar::option>(1), 0u);
}

TEST(MetaParser, SameBytesIsEquality) {
    for (std::size_t n = 0; n < 40; ++n) {
        const std::string a(n, 'x');
        EXPECT_TRUE(qplug::meta::detail::same_bytes(a, std::string(n, 'x'))) << n;
        EXPECT_FALSE(qplug::meta::detail::same_bytes(a, std::string(n + 1, 'x'))) << n;
        for (std::size_t at = 0; at < n; ++at) {
            std::string b = a;
            b[at] = 'y';
            EXPECT_FALSE(qplug::meta::detail::same_bytes(a, b)) << n << " " << at;
        }
    }
}

TEST(MetaParser, InvalidUtf8FoundWhereverItIs) {
    // ASCII runs of every length up to past two 16-byte blocks, then a sequence, then more
    // text: the fast skips over ASCII must stop at the sequence when it is ill-formed
    // (a lone continuation byte, a truncated sequence, an overlong form, a surrogate, 0xFF)
    // and find nothing when it is well formed.
    const std::vector<std::pair<std::string, bool>> pieces = {
        {"\xC3\xA9", true},  {"\xE2\x82\xAC", true},  {"\xF0\x9F\x98\x80", true},
        {"\x80", false},     {"\xC3", false},         {"\xE2\x82", false},
        {"\xC0\xAF", false}, {"\xED\xA0\x80", false}, {"\xFF", false}};
    for (std::size_t run = 0; run < 40; ++run) {
        for (const auto& [piece, well_formed] : pieces) {
            for (const std::string& tail :
                 {std::string(), std::string("abc"), std::string(20, 'z') + "\xC3\xA9"}) {
                const std::string text = std::string(run, 'a') + piece + tail;
                EXPECT_EQ(qplug::unicode::find_invalid_utf8(text),
                          well_formed ? qplug::unicode::npos : run)
                    << run << " " << testing::PrintToString(piece);
            }
        }
    }
}

TEST(MetaParser, KeyTextMatchesWhatItsStarMatches) {
    // grammar::key_text scans sixteen bytes at a time; star<not_one<'=', ':'>> is its
    // definition. Same end on every length and delimiter place, block ends included.
    namespace pegtl = tao::pegtl;
    using Star = pegtl::star<pegtl::not_one<'=', ':'>>;
    for (std::size_t length = 0; length < 40; ++length) {
        for (std::size_t at = 0; at <= length; ++at) {
            for (const char delimiter : {'=', ':'}) {
                std::string text(length, 'k');
                if (at < length) {
                    text[at] = delimiter;
                }
                pegtl::memory_input<pegtl::tracking_mode::lazy> a(text.data(), text.size(), "");
                pegtl::memory_input<pegtl::tracking_mode::lazy> b(text.data(), text.size(), "");
                ASSERT_TRUE(pegtl::parse<grammar::key_text>(a));
                ASSERT_TRUE(pegtl::parse<Star>(b));
                EXPECT_EQ(a.current(), b.current()) << length << " " << at;
            }
        }
    }
}

TEST(MetaParser, ReportsEveryProblemInOneRun) {
    const Document doc = parse("junk\n[general]\nname=a\nname=b\nno delimiter\n[general]\nx=%\n");
    EXPECT_FALSE(doc.ok);
    std::vector<std::string> rules;
    for (const auto& d : doc.diagnostics) {
        rules.push_back(std::string(d.rule) + "@" + std::to_string(d.line));
    }
    EXPECT_EQ(rules,
              (std::vector<std::string>{"META-PARSE-NO-SECTION-HEADER@1",
                                        "META-PARSE-DUPLICATE-KEY@4", "META-PARSE-SYNTAX@5",
                                        "META-PARSE-DUPLICATE-SECTION@6", "META-PARSE-PERCENT@7"}));
}

TEST(MetaParser, ColumnsCountCodePoints) {
    // Two-, three- and four-byte characters before each position; with an ill-formed byte
    // the file fails to decode, and each ill-formed byte counts as one column.
    const Document doc = parse("[general]\nn\xC3\xA4me\xE2\x82\xAC\xF0\x9F\x98\x80 = "
                               "\xC3\xBC\n  \xC3\xA9\xC3\xA9 x\n\xC3\xA9t\xC3\xA9=\xE2\x82\xAC\n");
    ASSERT_TRUE(doc.ok);
    const Entry& first = doc.general()->entries.at(0);
    EXPECT_EQ(first.key_position.column, 1u);
    ASSERT_EQ(first.value_lines.size(), 2u);
    EXPECT_EQ(first.value_lines[0].column, 10u); // n ä m e € 😀 space = space ü
    EXPECT_EQ(first.value_lines[1].column, 3u);
    EXPECT_EQ(doc.general()->entries.at(1).value_lines.front().column, 5u); // é t é = €
    const Document bad = parse("[general]\nname=x\n\xC3\xA9\x80=y\n");
    EXPECT_FALSE(bad.ok);
    EXPECT_EQ(bad.general()->entries.at(1).value_lines.front().column, 4u); // é \x80 = y
}

TEST(MetaParser, RepeatedKeysFoundAmongMany) {
    // Up to 64 keys a section finds a repeated one by its signature's slot, past that by a
    // scan: both ways, every repeat is an error and its value replaces the first one's.
    std::string text = "[general]\n";
    for (int k = 0; k < 100; ++k) {
        text += "key" + std::to_string(k) + "=" + std::to_string(k) + "\n";
    }
    text += "key3=again\nkey90=again\nKEY5=other\nkey1000000=x\n";
    ParseOptions site;
    site.keys = KeyMode::site;
    const Document doc = parse(text, site);
    EXPECT_FALSE(doc.ok);
    std::vector<std::string> repeated;
    for (const auto& d : doc.diagnostics) {
        if (d.rule == "META-PARSE-DUPLICATE-KEY") {
            repeated.emplace_back(d.key);
        }
    }
    EXPECT_EQ(repeated, (std::vector<std::string>{"key3", "key90"}));
    EXPECT_EQ(doc.general()->entries.size(), 102u);
    EXPECT_EQ(doc.get("key3"), "again");
    EXPECT_EQ(doc.get("key90"), "again");
    EXPECT_EQ(doc.get("key4"), "4");
}

TEST(MetaParser, MultiLineValuesKeepPositions) {
    const Document doc =
        parse("[general]\nabout = first\n\n  second\n  # dropped comment\n\tthird\n\nname=x\n");
    ASSERT_TRUE(doc.ok);
    const Entry* about = doc.find("about");
    ASSERT_NE(about, nullptr);
    EXPECT_EQ(about->raw_value, "first\n\nsecond\nthird");
    EXPECT_EQ(about->key_position.line, 2u);
    EXPECT_EQ(about->value_lines.front().column, 9u);
    EXPECT_EQ(doc.get("name"), "x");
    // Blank lines that end a value are not part of it (their lines still count as its).
    const Document trailing = parse("[general]\nabout = one \n\n \n\nname=x\n\n");
    ASSERT_TRUE(trailing.ok);
    EXPECT_EQ(trailing.find("about")->raw_value, "one");
    EXPECT_EQ(trailing.find("about")->value_lines.size(), 4u);
    EXPECT_EQ(trailing.find("name")->raw_value, "x");
    const Document empty_first = parse("[general]\nabout =\n\n  two\n\n\n  three\n\n");
    EXPECT_EQ(empty_first.find("about")->raw_value, "\n\ntwo\n\n\nthree");
}

TEST(MetaParser, KeyModes) {
    const std::string text = "[general]\nQGISMinimumVersion=3.0\nName=Foo\n";
    const Document q = parse(text, {KeyMode::qgis});
    EXPECT_EQ(q.get("qgisminimumversion"), "3.0");
    EXPECT_EQ(q.get("qgisMinimumVersion"), "3.0");
    const Document s = parse(text, {KeyMode::site});
    EXPECT_EQ(s.get("QGISMinimumVersion"), "3.0");
    EXPECT_FALSE(s.get("qgisMinimumVersion"));
    // Line breaks: QGIS splits at a form feed, the site does not.
    const std::string ff = "[general]\nname=A\fversion=1\n";
    EXPECT_EQ(parse(ff, {KeyMode::qgis}).get("version"), "1");
    EXPECT_EQ(parse(ff, {KeyMode::site}).get("name"), "A\fversion=1");
}

TEST(MetaParser, DefaultsAndInterpolation) {
    const Document doc =
        parse("[DEFAULT]\nbase=https://example.org\n[general]\nhomepage=%(base)s/p\nname=x\n");
    ASSERT_TRUE(doc.ok);
    EXPECT_EQ(doc.get("homepage"), "https://example.org/p");
    EXPECT_EQ(doc.get("base"), "https://example.org");
    const auto items = doc.general_items();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_TRUE(items[2].inherited);
}

TEST(MetaParser, InheritedValuesAreReadInGeneralsContext) {
    // configparser interpolates get("general", "a") with [general]'s keys first; a broken
    // default that [general] overrides is never read.
    const Document doc = parse("[DEFAULT]\na=%(b)s\nc=100%\n[general]\nb=x\nc=ok\n");
    ASSERT_TRUE(doc.ok);
    EXPECT_EQ(doc.get("a"), "x");
    EXPECT_EQ(doc.get("c"), "ok");
    EXPECT_TRUE(doc.diagnostics.empty());
    const auto items = doc.general_items();
    ASSERT_EQ(items.size(), 3u);
    EXPECT_EQ(*items[2].value, "x");
    // An inherited value that fails in [general]'s context is reported at its own line.
    const Document broken = parse("[DEFAULT]\na=%(nowhere)s\n[general]\nb=x\n");
    EXPECT_EQ(broken.get("a"), std::nullopt);
    ASSERT_EQ(broken.diagnostics.size(), 1u);
    EXPECT_EQ(broken.diagnostics[0].line, 2u);
}

namespace {

/// "[general]" with l0 = `base`, and l1 .. l`levels`, each `fanout` references to the one
/// before: l`levels` expands to fanout^levels copies of base.
std::string fan_out(const std::string& base, int levels, int fanout) {
    std::string text = "[general]\nname=x\nl0=" + base + "\n";
    for (int i = 1; i <= levels; ++i) {
        text += "l" + std::to_string(i) + "=";
        for (int k = 0; k < fanout; ++k) {
            text += "%(l" + std::to_string(i - 1) + ")s";
        }
        text += "\n";
    }
    return text;
}

std::vector<std::pair<std::string, std::string>> rules_of(const Document& doc) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& d : doc.diagnostics) {
        out.emplace_back(d.rule, d.key);
    }
    return out;
}

} // namespace

TEST(MetaParser, InterpolationIsBoundedWhereConfigparserIsNot) {
    // 15 bytes, ten references per level: l5 is 1.5 MB, l9 15 GB for configparser. Past
    // 1 MiB (plus the file's size) a key is unreadable, with META-PARSE-INTERPOLATION-SIZE;
    // what fits is read exactly.
    const Document doc = parse(fan_out("lollollollollol", 9, 10));
    EXPECT_TRUE(doc.ok); // configparser reads the file; only get() of those keys fails
    EXPECT_EQ(doc.get("l4")->size(), 15u * 10'000);
    EXPECT_EQ(doc.get("l5"), std::nullopt);
    EXPECT_EQ(doc.get("l9"), std::nullopt);
    using Rules = std::vector<std::pair<std::string, std::string>>;
    EXPECT_EQ(rules_of(doc), (Rules{{"META-PARSE-INTERPOLATION-SIZE", "l5"},
                                    {"META-PARSE-INTERPOLATION-SIZE", "l6"},
                                    {"META-PARSE-INTERPOLATION-SIZE", "l7"},
                                    {"META-PARSE-INTERPOLATION-SIZE", "l8"},
                                    {"META-PARSE-INTERPOLATION-SIZE", "l9"}}));
    // References to empty values expand to nothing, yet following them is work: 10^9 of them
    // stop at the limit too.
    EXPECT_EQ(parse(fan_out("", 9, 10)).get("l9"), std::nullopt);
    EXPECT_EQ(parse(fan_out("", 3, 10)).get("l3"), "");
}

TEST(MetaParser, InterpolationReportsWhatConfigparserRaisesFirst) {
    // configparser raises when it meets the problem, however much it expanded before: a
    // missing key at the end of a huge expansion is InterpolationMissingOptionError, a
    // reference eleven levels deep InterpolationDepthError, not the size limit.
    std::string text = fan_out("lol", 8, 10);
    text += "late=%(l8)s%(nowhere)s\ndeep=%(l8)s\n";
    for (int i = 9; i <= 11; ++i) {
        text += "l" + std::to_string(i) + "=%(l" + std::to_string(i - 1) + ")s\n";
    }
    const Document doc = parse(text);
    auto rule = [&](std::string_view key) -> std::string {
        for (const auto& d : doc.diagnostics) {
            if (d.key == key) {
                return std::string(d.rule);
            }
        }
        return std::string();
    };
    EXPECT_EQ(rule("late"), "META-PARSE-INTERPOLATION-MISSING");
    EXPECT_EQ(rule("deep"), "META-PARSE-INTERPOLATION-SIZE");
    // (configparser counts the value asked for as depth 1 and stops past 10; l0's value has no
    // '%', so it is not read at a depth of its own.)
    EXPECT_EQ(rule("l11"), "META-PARSE-INTERPOLATION-DEPTH"); // l1's value read at depth 11
    EXPECT_EQ(rule("l10"), "META-PARSE-INTERPOLATION-SIZE");  // at depth 10: allowed, too big
    EXPECT_EQ(rule("l9"), "META-PARSE-INTERPOLATION-SIZE");
}

TEST(MetaParser, ManySectionsAndKeysReadInLinearTime) {
    // 200,000 sections and a section of 100,000 keys that refer to each other: each was
    // quadratic (a search of the sections per header, of the keys per reference). A tenth
    // of that in a sanitizer build (unoptimized, every access checked).
#if defined(__SANITIZE_ADDRESS__)
    constexpr int kSections = 20'000, kKeys = 10'000;
#else
    constexpr int kSections = 200'000, kKeys = 100'000;
#endif
    std::string text = "[general]\nname=x\nk0=v\n";
    for (int i = 1; i < kKeys; ++i) {
        text += "k" + std::to_string(i) + "=%(k" + std::to_string(i - 1) + ")s\n";
    }
    for (int i = 0; i < kSections; ++i) {
        text += "[s" + std::to_string(i) + "]\nk=v\n";
    }
    text += "[s12345]\nk=w\n";
    const Document doc = parse(text);
    EXPECT_EQ(doc.sections.size(), static_cast<std::size_t>(kSections) + 1);
    EXPECT_EQ(doc.get("k9"), "v");
    EXPECT_EQ(doc.get("k11"), std::nullopt); // deeper than configparser follows
    ASSERT_FALSE(doc.diagnostics.empty());
    // Reading's problems come first, then the values' interpolation's.
    EXPECT_EQ(doc.diagnostics.front().rule, "META-PARSE-DUPLICATE-SECTION");
}

TEST(MetaParser, CommentsAttachToTheNextEntry) {
    const Document doc = parse("# header\n[general]\n; about the name\nname=x\n# trailing\n");
    using Views = std::vector<std::string_view>;
    auto views = [](std::span<const std::string_view> s) { return Views(s.begin(), s.end()); };
    EXPECT_EQ(views(doc.general()->comments), Views{"# header"});
    EXPECT_EQ(views(doc.find("name")->comments), Views{"; about the name"});
    EXPECT_EQ(views(doc.trailing_comments), Views{"# trailing"});
}

TEST(MetaParser, LenientReadsWhatAuthorsGetWrong) {
    ParseOptions po;
    po.lenient = true;
    const Document doc = parse("\xEF\xBB\xBFname=caf\xe9\nabout=line one\nline two\n", po);
    EXPECT_FALSE(doc.ok); // configparser would still not read it
    EXPECT_EQ(doc.get("name"), "caf\xc3\xa9");
    EXPECT_EQ(doc.get("about"), "line one\nline two");
    std::vector<std::string> rules;
    for (const auto& d : doc.diagnostics) {
        rules.emplace_back(d.rule);
    }
    EXPECT_EQ(rules,
              (std::vector<std::string>{"META-LENIENT-BOM", "META-LENIENT-LATIN1",
                                        "META-LENIENT-SECTION", "META-LENIENT-CONTINUATION"}));
    // A file that is nothing but a BOM: still not what configparser reads.
    const Document bom_only = parse("\xEF\xBB\xBF", po);
    EXPECT_FALSE(bom_only.ok);
    ASSERT_FALSE(bom_only.diagnostics.empty());
    EXPECT_EQ(bom_only.diagnostics[0].rule, "META-LENIENT-BOM");
}

// A document's strings are views of storage it owns (docs/metadata-parsing.md): moving it, even
// a short text that std::string would keep inline, leaves every view valid.
TEST(MetaParser, ViewsSurviveMovingTheDocument) {
    std::vector<Document> docs;
    for (const char* text :
         {"[general]\nname=x\n", "[general]\nName=multi\n  line\n\nabout=%(name)s!\n",
          "[DEFAULT]\nd=%(name)s?\n[general]\nname=n\n"}) {
        ParseOptions po;
        po.keys = KeyMode::qgis;
        Document doc = parse(text, po);
        ASSERT_TRUE(doc.ok);
        docs.push_back(std::move(doc)); // the vector also moves them again as it grows
    }
    EXPECT_EQ(docs[0].get("name"), "x");
    EXPECT_EQ(docs[1].find("name")->key, "Name");
    EXPECT_EQ(docs[1].get("name"), "multi\nline");
    EXPECT_EQ(docs[1].get("about"), "multi\nline!");
    EXPECT_EQ(docs[1].find("name")->value_lines.size(), 3u);
    EXPECT_EQ(docs[2].get("d"), "n?");
    EXPECT_EQ(docs[2].line_at(docs[2].find("name")->key_position.offset), "name=n");
}

namespace {

/// What each reader takes as lines, written the plain way: str.splitlines (qgis) or '\n'
/// only (site); [start, end) of each line without its break.
std::vector<std::pair<std::size_t, std::size_t>> reference_lines(const std::string& t,
                                                                 KeyMode mode) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i < t.size();) {
        std::size_t n = 0;
        const auto c = static_cast<unsigned char>(t[i]);
        if (c == '\n') {
            n = 1;
        } else if (mode == KeyMode::qgis) {
            if (c == '\r') {
                n = i + 1 < t.size() && t[i + 1] == '\n' ? 2 : 1;
            } else if (c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E) {
                n = 1;
            } else if (t.compare(i, 2, "\xC2\x85") == 0) {
                n = 2;
            } else if (t.compare(i, 3, "\xE2\x80\xA8") == 0 ||
                       t.compare(i, 3, "\xE2\x80\xA9") == 0) {
                n = 3;
            }
        }
        if (n == 0) {
            ++i;
            continue;
        }
        out.emplace_back(start, i);
        i += n;
        start = i;
    }
    if (start < t.size()) {
        out.emplace_back(start, t.size());
    }
    return out;
}

} // namespace

TEST(MetaParser, LinesSplitAsEachReaderSplitsThem) {
    // Every break (and near-breaks: a tab, U+00E9, U+2027) placed at each offset around the
    // 64-byte blocks the splitter scans, so that breaks straddle block ends.
    const std::vector<std::string> breaks = {"\n",       "\r\n",         "\r",           "\v",
                                             "\f",       "\x1c",         "\x1d",         "\x1e",
                                             "\xC2\x85", "\xE2\x80\xA8", "\xE2\x80\xA9", "\t",
                                             "\xC3\xA9", "\xE2\x80\xA7", "\r\r\n"};
    for (const auto& b : breaks) {
        for (std::size_t at = 50; at < 140; ++at) {
            std::string text = "[general]\n" + std::string(at - 10, 'a');
            text += b;
            text += "name=x" + b + std::string(70, 'b') + "\n";
            for (const KeyMode mode : {KeyMode::qgis, KeyMode::site}) {
                ParseOptions po;
                po.keys = mode;
                const Document doc = parse(text, po);
                EXPECT_EQ(std::vector(doc.lines.begin(), doc.lines.end()),
                          reference_lines(text, mode))
                    << "break " << testing::PrintToString(b) << " at " << at;
            }
        }
    }
}
