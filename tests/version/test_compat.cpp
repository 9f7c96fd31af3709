// QGIS compatibility: every case of derived/compatibility_vectors.json, for the installer and
// the C++ loader rules.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/version/compat.hpp>

#include "test_data.hpp"

using namespace qplug::version::compat;
using qplug::test::read_json;

TEST(CompatVectors, InstallerAndLoader) {
    const auto vectors = read_json("qgis/derived/compatibility_vectors.json");
    ASSERT_GE(vectors["cases"].size(), 30u);
    for (const auto& c : vectors["cases"]) {
        const std::string qgis = c["qgis_version"];
        const std::string min = c["metadata_min"];
        const std::string max = c["metadata_max"];
        auto api = qgis_api_version(qgis, true);
        ASSERT_TRUE(api);
        EXPECT_EQ(*api, c["pyQgisVersion_classic"].get<std::string>()) << qgis;

        auto installer = check(qgis, min, max, {Rules::installer, true, false});
        ASSERT_TRUE(installer) << c.dump();
        EXPECT_EQ(installer->compatible, c["installer_isCompatible"].get<bool>()) << c.dump();
        EXPECT_EQ(installer->maximum, c["installer_effective_max"].get<std::string>()) << c.dump();

        auto loader = check(qgis, min, max, {Rules::loader, true, false});
        ASSERT_TRUE(loader) << c.dump();
        EXPECT_EQ(loader->compatible, c["startup_cpp_checkQgisVersion"].get<bool>()) << c.dump();
    }
}

TEST(Compat, DefaultMaximum) {
    EXPECT_EQ(default_maximum("3.16", Rules::installer), "3.99");
    EXPECT_EQ(default_maximum("10.0", Rules::installer), "1.99"); // first character, as QGIS
    EXPECT_EQ(default_maximum("10.0", Rules::loader), "10.99");
}

TEST(Compat, DevelopmentBuildBumpIsAnOption) {
    auto bumped = check("3.99.0", "4.0", "", {Rules::installer, true, false});
    EXPECT_TRUE(bumped->compatible);
    EXPECT_EQ(bumped->qgis, "4.0.0");
    auto plain = check("3.99.0", "4.0", "", {Rules::installer, false, false});
    EXPECT_FALSE(plain->compatible);
    EXPECT_EQ(plain->qgis, "3.99.0");
}

TEST(Compat, ReasonsAndBadInput) {
    auto r = check("3.34.5", "3.22", "3.33");
    EXPECT_FALSE(r->compatible);
    EXPECT_NE(r->reason.find("newer than the plugin's qgisMaximumVersion 3.33"), std::string::npos);
    EXPECT_FALSE(check("three", "3.0", ""));
    EXPECT_TRUE(check("3.34.5-Prizren", "3.0", "")->compatible);
    EXPECT_TRUE(check("3.34", "3.34", "")->compatible);
}
