// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>

#include <qplug/solver/records.hpp>

using namespace qplug::solver;

TEST(Records, PipNamesNormalizeAsPep503Says) {
    EXPECT_EQ(normalize_pip_name("Friendly-Bard"), "friendly-bard");
    EXPECT_EQ(normalize_pip_name("FRIENDLY-BARD"), "friendly-bard");
    EXPECT_EQ(normalize_pip_name("friendly.bard"), "friendly-bard");
    EXPECT_EQ(normalize_pip_name("friendly_bard"), "friendly-bard");
    EXPECT_EQ(normalize_pip_name("friendly--bard"), "friendly-bard");
    EXPECT_EQ(normalize_pip_name("FrIeNdLy-._.-bArD"), "friendly-bard");
}

TEST(Records, NamesRoundTrip) {
    for (Backend b : {Backend::legacy, Backend::pip, Backend::conda}) {
        EXPECT_EQ(backend_from_name(backend_name(b)), b);
    }
    for (DependencyKind k : {DependencyKind::plugin, DependencyKind::pip, DependencyKind::conda,
                             DependencyKind::qgis, DependencyKind::python}) {
        EXPECT_EQ(dependency_kind_from_name(dependency_kind_name(k)), k);
    }
    EXPECT_FALSE(backend_from_name("npm"));
    EXPECT_EQ(channel_name(Channel::experimental), "experimental");
}
