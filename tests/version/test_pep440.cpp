// PEP 440: every vector of tests/data/versions, judged by packaging 23.0 (the reference on
// Debian 12); where 23.0 differs from the 2026 vectors, packaging-23.0-differences.json says
// so and the test holds qplug to 23.0.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <map>
#include <set>

#include <gtest/gtest.h>

#include <qplug/version/pep440.hpp>

#include "test_data.hpp"

using namespace qplug::version::pep440;
using qplug::test::read_json;
using qplug::test::read_jsonl;
using qplug::test::read_lines;

namespace {

Version must_parse(const std::string& s) {
    auto v = Version::parse(s);
    EXPECT_TRUE(v) << s << ": " << (v ? "" : v.error().to_string());
    return v ? *v : *Version::parse("0");
}

const nlohmann::json& differences() {
    static const nlohmann::json d = read_json("versions/packaging-23.0-differences.json");
    return d;
}

} // namespace

TEST(Pep440Vectors, OrderIsStrictlyAscending) {
    const auto versions = read_lines("versions/pep440-order.txt");
    ASSERT_EQ(versions.size(), 92u);
    for (std::size_t i = 1; i < versions.size(); ++i) {
        EXPECT_LT(must_parse(versions[i - 1]), must_parse(versions[i]))
            << versions[i - 1] << " < " << versions[i];
    }
    // and every pair, not only neighbours
    for (std::size_t i = 0; i < versions.size(); ++i) {
        for (std::size_t j = 0; j < versions.size(); ++j) {
            EXPECT_EQ(must_parse(versions[i]) < must_parse(versions[j]), i < j);
        }
    }
}

TEST(Pep440Vectors, Normalize) {
    const auto rows = read_jsonl("versions/pep440-normalize.jsonl");
    ASSERT_EQ(rows.size(), 102u);
    for (const auto& row : rows) {
        const std::string input = row["input"];
        EXPECT_EQ(must_parse(input).str(), row["normalized"].get<std::string>()) << input;
    }
}

TEST(Pep440Vectors, InvalidVersions) {
    std::set<std::string> accepted;
    for (const auto& v : differences()["invalid_versions_accepted"]) {
        accepted.insert(v.get<std::string>());
    }
    const auto invalid = read_json("versions/pep440-invalid.json");
    ASSERT_EQ(invalid.size(), 20u);
    for (const auto& v : invalid) {
        const std::string s = v;
        EXPECT_EQ(Version::parse(s).has_value(), accepted.count(s) == 1) << s;
    }
}

TEST(Pep440Vectors, SpecifierMatch) {
    std::map<std::pair<std::string, std::string>, bool> reference;
    for (const auto& d : differences()["specifier_match"]) {
        reference[{d["version"], d["specifier"]}] = d["packaging"].get<bool>();
    }
    const auto rows = read_jsonl("versions/pep440-specifier-match.jsonl");
    ASSERT_EQ(rows.size(), 188u);
    for (const auto& row : rows) {
        const std::string version = row["version"];
        const std::string spec = row["specifier"];
        bool expected = row["expected(prereleases=True)"] == "true";
        if (auto it = reference.find({version, spec}); it != reference.end()) {
            expected = it->second;
        }
        auto s = Specifier::parse(spec);
        ASSERT_TRUE(s) << spec;
        auto r = s->contains(must_parse(version), true);
        ASSERT_TRUE(r);
        EXPECT_EQ(*r, expected) << version << " in " << spec;
    }
}

TEST(Pep440Vectors, SpecifierValidity) {
    for (const auto& s : read_lines("versions/pep440-specifier-valid.txt")) {
        EXPECT_TRUE(Specifier::parse(s)) << s;
    }
    std::set<std::string> accepted;
    for (const auto& v : differences()["invalid_specifiers_accepted"]) {
        accepted.insert(v.get<std::string>());
    }
    for (const auto& v : read_json("versions/pep440-specifier-invalid.json")) {
        const std::string s = v;
        EXPECT_EQ(Specifier::parse(s).has_value(), accepted.count(s) == 1) << s;
    }
}

TEST(Pep440, UnicodeLookAlikesFollowPackaging23) {
    // re.IGNORECASE lets U+0130, U+0131, U+017F and U+212A stand for i, i, s and k.
    EXPECT_EQ(must_parse("1.0+\u0130").str(), "1.0+i\u0307");
    EXPECT_EQ(must_parse("1.0+\u212a").str(), "1.0+k");
    EXPECT_EQ(must_parse("1.0po\u017ft1").str(), "1.0.post1");
    EXPECT_EQ(must_parse("1.0prev\u0131ew1").str(), "1.0prev\u0131ew1");
    // packaging keeps the odd letter in its comparison key: poſt sorts above post.
    EXPECT_GT(must_parse("1.0po\u017ft1"), must_parse("1.0.post2"));
    EXPECT_LT(must_parse("1.0prev\u0130ew1"), must_parse("1.0prev\u0131ew1"));
    EXPECT_EQ(must_parse("1.0PREV\u0130EW1").str(), "1.0previ\u0307ew1");
    EXPECT_LT(must_parse("1.0prev\u0131ew1"), must_parse("1.0rc1"));
}

TEST(Pep440, HugeNumbersCompareExactly) {
    const std::string big(300, '9');
    EXPECT_LT(must_parse("1." + big), must_parse("1.1" + big));
    EXPECT_EQ(must_parse("000" + big).str(), big);
    EXPECT_EQ(must_parse("1.0.0"), must_parse("1"));
    EXPECT_NE(must_parse("1.0.0").str(), must_parse("1").str());
}

TEST(Pep440, ErrorsNameTheColumn) {
    auto e = Version::parse("1.0+").error();
    EXPECT_EQ(e.offset, 3u);
    EXPECT_EQ(e.column(), 4u);
    EXPECT_NE(e.to_string().find("'1.0+'"), std::string::npos);
    auto e2 = Version::parse("é1.0").error();
    EXPECT_EQ(e2.column(), 1u);
    auto e3 = Version::parse("1.0\xff").error();
    EXPECT_EQ(e3.offset, 3u);
    EXPECT_EQ(e3.message, "not valid UTF-8");
}

TEST(Pep440, EmptySetAndPrereleaseRules) {
    auto empty = SpecifierSet::parse("").value();
    EXPECT_TRUE(*empty.contains(must_parse("1.0")));
    EXPECT_FALSE(*empty.contains(must_parse("1.0a1")));
    EXPECT_TRUE(*empty.contains(must_parse("1.0a1"), true));
    auto ge = SpecifierSet::parse(">=1.0a1").value();
    EXPECT_TRUE(*ge.contains(must_parse("1.0b1")));
    auto arbitrary = SpecifierSet::parse("===foo").value();
    EXPECT_FALSE(arbitrary.contains(must_parse("1.0")).has_value()); // packaging raises too
    auto mixed = SpecifierSet::parse(" >=1.0 , !=1.3.*, <2 ").value();
    EXPECT_EQ(mixed.str(), "!=1.3.*,<2,>=1.0");
    EXPECT_TRUE(*mixed.contains(must_parse("1.2.9")));
    EXPECT_FALSE(*mixed.contains(must_parse("1.3.1")));
}
