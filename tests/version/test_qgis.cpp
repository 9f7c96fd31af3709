// QGIS compareVersions, both generations: every pair of derived/version_compare_vectors.json and
// every case of derived/version_normalize_vectors.json.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/version/qgis.hpp>

#include "test_data.hpp"

using namespace qplug::version::qgis;
using qplug::test::read_json;

TEST(QgisVectors, CompareBothGenerations) {
    const auto vectors = read_json("qgis/derived/version_compare_vectors.json");
    ASSERT_GE(vectors["pairs"].size(), 70u);
    for (const auto& pair : vectors["pairs"]) {
        const std::string a = pair["a"];
        const std::string b = pair["b"];
        EXPECT_EQ(static_cast<int>(compare_classic(a, b)), pair["classic_qgis_le_3_40"].get<int>())
            << "classic: " << a << " vs " << b;
        EXPECT_EQ(static_cast<int>(compare(a, b)), pair["pep440_qgis_3_42_plus"].get<int>())
            << "pep440: " << a << " vs " << b;
    }
}

TEST(QgisVectors, NormalizeAndChop) {
    const auto vectors = read_json("qgis/derived/version_normalize_vectors.json");
    for (const auto& c : vectors["cases"]) {
        const std::string input = c["input"];
        const std::string normalized = normalize(input);
        EXPECT_EQ(normalized, c["classic_normalizeVersion"].get<std::string>()) << input;
        if (c.contains("classic_chopString") && !normalized.empty()) {
            EXPECT_EQ(nlohmann::json(chop(normalized)), c["classic_chopString"]) << input;
        }
    }
}

TEST(Qgis, PrefixRemovalDeletesEveryOccurrence) {
    EXPECT_EQ(normalize("RELEASE-1.0"), "ELEASE-1.0");
    EXPECT_EQ(normalize("v1.0v"), "1.0");
    EXPECT_EQ(normalize("VERSION VER 1"), "VER 1");
    EXPECT_EQ(normalize("V1.0-DEV"), "1.0-DE");
    EXPECT_EQ(normalize("stra\u00dfe"), "STRASSE"); // full Unicode upper-casing, like str.upper()
}

TEST(Qgis, WhereQgisRaisesQplugDecides) {
    // "v" normalizes to "" (QGIS: IndexError): older than anything else, equal to itself.
    EXPECT_EQ(compare_classic("v", "0.1"), Verdict::second_newer);
    EXPECT_EQ(compare_classic("0.1", "v"), Verdict::first_newer);
    EXPECT_EQ(compare_classic("v", "version"), Verdict::equal);
    // "²" is numeric but float() refuses it (QGIS: ValueError): compared as text.
    EXPECT_EQ(compare_classic("1.\u00b2", "1.3"), Verdict::first_newer);
    // The raw empty string equals everything, as in QGIS.
    EXPECT_EQ(compare_classic("", "1.0"), Verdict::equal);
    EXPECT_EQ(compare("", "1.0"), Verdict::equal);
}

TEST(Qgis, SortKeysAgreeWithCompareOnOrdinaryVersions) {
    const std::vector<std::string> vs = {
        "1.0",       "1.0.0",   "1",        "1.0a",     "1.0alpha",     "1.0rc1", "1.0-1",
        "1.0.post1", "2.0",     "10.0",     "1.01",     "1.1",          "1.03",   "1.007",
        "DEV",       "1.0 RC1", "0.9-beta", "1.0trunk", "1.0-SNAPSHOT", ""};
    for (const auto& a : vs) {
        for (const auto& b : vs) {
            if (a.empty() || b.empty()) {
                continue;
            }
            const int c = static_cast<int>(compare_classic(a, b));
            const auto ka = sort_key_classic(a);
            const auto kb = sort_key_classic(b);
            const int k = ka == kb ? 0 : ka > kb ? 1 : 2;
            EXPECT_EQ(c, k) << a << " vs " << b;
        }
    }
}
