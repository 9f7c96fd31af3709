// conda: every vector of tests/data/versions (from conda's own test suite).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/version/conda.hpp>

#include "test_data.hpp"

using namespace qplug::version::conda;
using qplug::test::read_json;
using qplug::test::read_jsonl;
using qplug::test::read_lines;

namespace {

Version must_parse(const std::string& s) {
    auto v = Version::parse(s);
    EXPECT_TRUE(v) << s << ": " << (v ? "" : v.error().to_string());
    return v ? *v : *Version::parse("0");
}

nlohmann::json components_json(const std::vector<Version::Component>& cs) {
    auto j = nlohmann::json::array();
    for (const auto& c : cs) {
        auto cj = nlohmann::json::array();
        for (const auto& e : c) {
            switch (e.type) {
            case Version::Element::Type::number:
                cj.push_back(std::stoll(e.value.empty() ? "0" : e.value));
                break;
            case Version::Element::Type::text:
                cj.push_back(e.value);
                break;
            case Version::Element::Type::infinity:
                cj.push_back("inf");
                break;
            }
        }
        j.push_back(cj);
    }
    return j;
}

void expect_ascending(const std::string& file, bool allow_equal) {
    const auto versions = read_lines(file);
    for (std::size_t i = 1; i < versions.size(); ++i) {
        const auto a = must_parse(versions[i - 1]);
        const auto b = must_parse(versions[i]);
        if (allow_equal) {
            EXPECT_LE(a, b) << versions[i - 1] << " <= " << versions[i];
        } else {
            EXPECT_LT(a, b) << versions[i - 1] << " < " << versions[i];
        }
    }
}

} // namespace

TEST(CondaVectors, Order) {
    expect_ascending("versions/conda-order.txt", true);
    const auto versions = read_lines("versions/conda-order.txt");
    int equal_pairs = 0;
    for (std::size_t i = 1; i < versions.size(); ++i) {
        equal_pairs += must_parse(versions[i - 1]) == must_parse(versions[i]) ? 1 : 0;
    }
    EXPECT_EQ(equal_pairs, 2); // 0.4 = 0.4.0 and 0.5_5 = 0.5-5
}

TEST(CondaVectors, OpensslAndPep440Orders) {
    expect_ascending("versions/conda-order-openssl.txt", false);
    expect_ascending("versions/conda-order-pep440.txt", false);
}

TEST(CondaVectors, ParsedComponents) {
    for (const auto& row : read_jsonl("versions/conda-parse.jsonl")) {
        const std::string v = row["version"];
        const auto parsed = must_parse(v);
        EXPECT_TRUE(parsed.local().empty()) << v;
        EXPECT_EQ(components_json(parsed.version()), row["components"]) << v;
    }
}

TEST(CondaVectors, Invalid) {
    for (const auto& v : read_json("versions/conda-invalid.json")) {
        EXPECT_FALSE(Version::parse(v.get<std::string>())) << v;
    }
}

TEST(CondaVectors, Equal) {
    for (const auto& row : read_jsonl("versions/conda-equal.jsonl")) {
        EXPECT_EQ(must_parse(row["a"]) == must_parse(row["b"]), row["equal"] == "true")
            << row.dump();
    }
}

TEST(CondaVectors, Startswith) {
    for (const auto& row : read_jsonl("versions/conda-startswith.jsonl")) {
        EXPECT_EQ(must_parse(row["version"]).startswith(must_parse(row["prefix"])),
                  row["startswith"] == "true")
            << row.dump();
    }
}

TEST(CondaVectors, SpecMatch) {
    const auto rows = read_jsonl("versions/conda-spec-match.jsonl");
    ASSERT_EQ(rows.size(), 90u);
    for (const auto& row : rows) {
        const std::string spec = row["spec"];
        auto s = VersionSpec::parse(spec);
        ASSERT_TRUE(s) << spec << ": " << s.error().to_string();
        auto r = s->match(row["version"].get<std::string>());
        ASSERT_TRUE(r) << row.dump();
        EXPECT_EQ(*r, row["expected"] == "true") << row.dump();
    }
}

TEST(CondaVectors, SpecInvalid) {
    for (const auto& v : read_json("versions/conda-spec-invalid.json")) {
        EXPECT_FALSE(VersionSpec::parse(v.get<std::string>())) << v;
    }
}

TEST(Conda, SpecStrings) {
    EXPECT_EQ(VersionSpec::parse("1.5*")->str(), "1.5.*");
    EXPECT_EQ(VersionSpec::parse(" >=1.7 ")->str(), ">=1.7");
    EXPECT_EQ(VersionSpec::parse("1.7.*|1.8.*")->str(), "1.7.*|1.8.*");
}

TEST(Conda, CompatibleReleaseNeedsTwoComponents) {
    auto s = VersionSpec::parse("~=1");
    ASSERT_TRUE(s); // conda accepts it and fails when matching
    EXPECT_FALSE(s->match("1.0"));
}

TEST(Conda, HostileRegexIsLinear) {
    auto s = VersionSpec::parse("^(a|a)*b$");
    ASSERT_TRUE(s);
    EXPECT_FALSE(*s->match(std::string(5000, 'a')));
}
