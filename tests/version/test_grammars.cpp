// analyze<>() for every grammar: no rule can loop without consuming input.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <gtest/gtest.h>
#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/clauses.hpp"
#include "grammar/conda.hpp"
#include "grammar/pep440.hpp"
#include "grammar/qgis.hpp"

namespace pegtl = tao::pegtl;
namespace g = qplug::version::grammar;

TEST(Grammars, Pep440Version) {
    EXPECT_EQ(pegtl::analyze<g::pep440::version>(1), 0u);
}
TEST(Grammars, Pep440Specifier) {
    EXPECT_EQ(pegtl::analyze<g::pep440::specifier>(1), 0u);
}
TEST(Grammars, QgisChop) {
    EXPECT_EQ(pegtl::analyze<g::qgis::chopped>(1), 0u);
}
TEST(Grammars, CondaText) {
    EXPECT_EQ(pegtl::analyze<g::conda::version_text>(1), 0u);
}
TEST(Grammars, CondaComponent) {
    EXPECT_EQ(pegtl::analyze<g::conda::component>(1), 0u);
}
TEST(Grammars, Clauses) {
    EXPECT_EQ(pegtl::analyze<g::clauses::clauses>(1), 0u);
}
