// The scheme facade: names, the qgis clause language, sorting and errors.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/version/scheme.hpp>

using namespace qplug::version;

TEST(Scheme, Names) {
    for (auto s : {Scheme::qgis, Scheme::qgis_classic, Scheme::pep440, Scheme::conda}) {
        EXPECT_EQ(scheme_from_name(scheme_name(s)), s);
    }
    EXPECT_FALSE(scheme_from_name("semver"));
}

TEST(Scheme, QgisClauses) {
    EXPECT_TRUE(*satisfies(Scheme::qgis, "1.2", ">=1.0,<2.0"));
    EXPECT_FALSE(*satisfies(Scheme::qgis, "2.0", ">=1.0,<2.0"));
    EXPECT_TRUE(*satisfies(Scheme::qgis, "1.0", "1.0.0"));          // == by default, PEP 440
    EXPECT_FALSE(*satisfies(Scheme::qgis_classic, "1.0", "1.0.0")); // classic: 1.0 < 1.0.0
    EXPECT_TRUE(*satisfies(Scheme::qgis, "v1.0", "== 1.0"));
    EXPECT_FALSE(satisfies(Scheme::qgis, "1.0", ">=1.0,,<2"));
    EXPECT_FALSE(satisfies(Scheme::qgis, "1.0", ""));
}

TEST(Scheme, SortIsStableAndTyped) {
    auto r = sorted(Scheme::pep440, {"1.0.0", "1.0", "0.9", "1"});
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, (std::vector<std::string>{"0.9", "1.0.0", "1.0", "1"}));
    auto bad = sorted(Scheme::pep440, {"1.0", "not a version"});
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().input, "not a version");
}

TEST(Scheme, QgisSortPlacesOddVersionsSensibly) {
    auto r = sorted(Scheme::qgis, {"2.0", "1.0-SNAPSHOT", "dev", "1.0", "1.0rc1", "0.9"});
    EXPECT_EQ(*r, (std::vector<std::string>{"0.9", "1.0rc1", "1.0", "1.0-SNAPSHOT", "2.0", "dev"}));
}

TEST(Scheme, InvalidUtf8IsRefusedEverywhere) {
    for (auto s : {Scheme::qgis, Scheme::qgis_classic, Scheme::pep440, Scheme::conda}) {
        EXPECT_FALSE(compare(s, "1.0\xc3", "1.0")) << scheme_name(s);
        EXPECT_FALSE(normalize(s, "\xff")) << scheme_name(s);
    }
}
