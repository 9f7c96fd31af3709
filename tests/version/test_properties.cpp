// Properties of every scheme's ordering over every version string of the corpus (tests/data/
// versions/corpus-versions.json, extracted from the metadata and plugins.xml corpus):
// antisymmetry of compare(), transitivity of the sort order, and sort consistent with compare.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <iostream>

#include <gtest/gtest.h>

#include <qplug/version/scheme.hpp>

#include "test_data.hpp"

using namespace qplug::version;

namespace {

std::vector<std::string> corpus_versions(Scheme scheme) {
    std::vector<std::string> out;
    for (const auto& v : qplug::test::read_json("versions/corpus-versions.json")) {
        const std::string s = v;
        if (is_valid(scheme, s)) {
            out.push_back(s);
        }
    }
    return out;
}

int as_int(Ordering o) {
    return static_cast<int>(o);
}

bool pep440_after_normalize(const std::string& v) {
    return is_valid(Scheme::pep440, *normalize(Scheme::qgis, v));
}

class SchemeProperties : public ::testing::TestWithParam<Scheme> {};

} // namespace

TEST_P(SchemeProperties, CorpusIsLargeEnough) {
    EXPECT_GT(corpus_versions(GetParam()).size(), GetParam() == Scheme::conda ? 300u : 350u);
}

TEST_P(SchemeProperties, CompareIsAntisymmetric) {
    const auto vs = corpus_versions(GetParam());
    for (const auto& a : vs) {
        for (const auto& b : vs) {
            EXPECT_EQ(as_int(*compare(GetParam(), a, b)), -as_int(*compare(GetParam(), b, a)))
                << a << " vs " << b;
        }
    }
}

TEST_P(SchemeProperties, SortOrderIsAStrictWeakOrder) {
    // Keys are byte strings, so the order is total; check that equal keys mean equal versions
    // under compare() and that sorting twice is stable.
    const auto vs = corpus_versions(GetParam());
    auto once = *sorted(GetParam(), vs);
    auto twice = *sorted(GetParam(), once);
    EXPECT_EQ(once, twice);
    for (std::size_t i = 1; i < once.size(); ++i) {
        const auto ka = *sort_key(GetParam(), once[i - 1]);
        const auto kb = *sort_key(GetParam(), once[i]);
        EXPECT_LE(ka, kb);
    }
}

TEST_P(SchemeProperties, SortAgreesWithCompareExceptOnItsCycles) {
    // Where compare() is transitive, the sort order must agree with it. QGIS >= 3.42's
    // compareVersions mixes PEP 440 and plain string order, so the corpus holds triples it
    // orders in a cycle (0.0.1.dev0 < 0.0.1 < "0.0.1 aplha" < 0.0.1.dev0); no order can agree
    // with such a triple, and a disagreement is accepted only when the corpus shows the cycle.
    // By design (docs/versions.md) the qgis sort also ranks two non-PEP 440 versions by their
    // leading release numbers ("2.h" < "10.09.20 beta"), where compareVersions compares text.
    const auto vs = corpus_versions(GetParam());
    const auto order = *sorted(GetParam(), vs);
    const std::size_t n = order.size();
    std::vector<std::vector<int>> cmp(n, std::vector<int>(n));
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = 0; j < n; ++j) {
            cmp[i][j] = as_int(*compare(GetParam(), order[i], order[j]));
        }
    }
    std::size_t cyclic = 0;
    std::size_t by_release_numbers = 0;
    for (std::size_t i = 0; i < n; ++i) {
        for (std::size_t j = i + 1; j < n; ++j) {
            const bool same_key =
                *sort_key(GetParam(), order[i]) == *sort_key(GetParam(), order[j]);
            const int expected = same_key ? 0 : -1;
            if (cmp[i][j] == expected) {
                continue;
            }
            // compare() disagrees with the sort: is there a z with i <= z <= j by compare()
            // (a chain against compare's own verdict on i, j)?
            bool cycle = false;
            for (std::size_t z = 0; z < n && !cycle; ++z) {
                cycle = cmp[i][z] <= 0 && cmp[z][j] <= 0 && (cmp[i][z] < 0 || cmp[z][j] < 0);
            }
            const bool both_text = GetParam() == Scheme::qgis &&
                                   !pep440_after_normalize(order[i]) &&
                                   !pep440_after_normalize(order[j]);
            if (cycle) {
                ++cyclic;
            } else if (both_text) {
                ++by_release_numbers;
            } else {
                ADD_FAILURE() << scheme_name(GetParam()) << ": sorted '" << order[i] << "' before '"
                              << order[j] << "' but compare() says " << cmp[i][j]
                              << " and no cycle explains it";
            }
        }
    }
    if (GetParam() != Scheme::qgis) {
        EXPECT_EQ(cyclic, 0u) << "only the qgis scheme mixes two orders";
    }
    RecordProperty("pairs_on_compare_cycles", static_cast<int>(cyclic));
    RecordProperty("text_pairs_ranked_by_release", static_cast<int>(by_release_numbers));
    std::cout << "[ INFO     ] " << scheme_name(GetParam()) << ": " << cyclic
              << " pairs lie on compare() cycles, " << by_release_numbers
              << " non-PEP 440 pairs ranked by release numbers\n";
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, SchemeProperties,
                         ::testing::Values(Scheme::qgis, Scheme::qgis_classic, Scheme::pep440,
                                           Scheme::conda),
                         [](const auto& param_info) {
                             std::string n(scheme_name(param_info.param));
                             std::replace(n.begin(), n.end(), '-', '_');
                             return n;
                         });
