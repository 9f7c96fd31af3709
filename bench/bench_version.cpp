// Version benchmarks: parse, parse+compare, compare, sort and specifier matching per scheme.
// Inputs: the file named by QPLUG_BENCH_VERSIONS (one version per line, written by
// bench/run_version_bench.py so that Python measures the same strings); without it, the
// corpus versions of tests/data. See docs/performance.md.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <qplug/version/conda.hpp>
#include <qplug/version/pep440.hpp>
#include <qplug/version/qgis.hpp>
#include <qplug/version/scheme.hpp>

namespace {

using namespace qplug::version;

/// Cycles through [0, n) without a division in the timed loop.
struct Cycle {
    std::size_t n;
    std::size_t i = 0;
    std::size_t next() {
        const std::size_t r = i;
        i = i + 1 == n ? 0 : i + 1;
        return r;
    }
};

std::vector<std::string> load(const char* env, const std::string& fallback) {
    const char* path = std::getenv(env);
    std::ifstream in(path != nullptr ? path : fallback);
    std::vector<std::string> out;
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty()) {
            out.push_back(line);
        }
    }
    if (out.empty()) {
        out = {"1.0", "2.3.4", "1.0rc1", "0.9.post2", "10.0.dev3"};
    }
    return out;
}

const std::vector<std::string>& versions() {
    static const auto v = load("QPLUG_BENCH_VERSIONS", QPLUG_SOURCE_DIR "/bench/data/versions.txt");
    return v;
}

/// The subset valid in a scheme (conda and pep440 refuse some strings).
const std::vector<std::string>& valid(Scheme scheme) {
    static std::vector<std::string> cache[4];
    auto& c = cache[static_cast<int>(scheme)];
    if (c.empty()) {
        for (const auto& v : versions()) {
            if (is_valid(scheme, v)) {
                c.push_back(v);
            }
        }
    }
    return c;
}

void BM_Pep440Parse(benchmark::State& state) {
    const auto& vs = valid(Scheme::pep440);
    Cycle c{vs.size()};
    for (auto _ : state) {
        auto v = pep440::Version::parse(vs[c.next()]);
        benchmark::DoNotOptimize(v);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pep440Parse);

// The unit packaging is measured with: Version(a) < Version(b).
void BM_Pep440ParseCompare(benchmark::State& state) {
    const auto& vs = valid(Scheme::pep440);
    Cycle ca{vs.size()};
    Cycle cb{vs.size(), vs.size() / 3};
    for (auto _ : state) {
        const auto& a = vs[ca.next()];
        const auto& b = vs[cb.next()];
        bool less = *pep440::Version::parse(a) < *pep440::Version::parse(b);
        benchmark::DoNotOptimize(less);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pep440ParseCompare);

void BM_Pep440CompareParsed(benchmark::State& state) {
    std::vector<pep440::Version> parsed;
    for (const auto& v : valid(Scheme::pep440)) {
        parsed.push_back(*pep440::Version::parse(v));
    }
    Cycle ca{parsed.size()};
    Cycle cb{parsed.size(), parsed.size() / 3};
    for (auto _ : state) {
        bool less = parsed[ca.next()] < parsed[cb.next()];
        benchmark::DoNotOptimize(less);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pep440CompareParsed);

template <Scheme S>
void BM_ParseCompare(benchmark::State& state) {
    const auto& vs = valid(S);
    Cycle ca{vs.size()};
    Cycle cb{vs.size(), vs.size() / 3};
    for (auto _ : state) {
        auto r = compare(S, vs[ca.next()], vs[cb.next()]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ParseCompare<Scheme::qgis>)->Name("BM_ParseCompare/qgis");
BENCHMARK(BM_ParseCompare<Scheme::qgis_classic>)->Name("BM_ParseCompare/qgis-classic");
BENCHMARK(BM_ParseCompare<Scheme::pep440>)->Name("BM_ParseCompare/pep440");
BENCHMARK(BM_ParseCompare<Scheme::conda>)->Name("BM_ParseCompare/conda");

template <Scheme S>
void BM_SortKey(benchmark::State& state) {
    const auto& vs = valid(S);
    Cycle c{vs.size()};
    for (auto _ : state) {
        auto k = sort_key(S, vs[c.next()]);
        benchmark::DoNotOptimize(k);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SortKey<Scheme::qgis>)->Name("BM_SortKey/qgis");
BENCHMARK(BM_SortKey<Scheme::qgis_classic>)->Name("BM_SortKey/qgis-classic");
BENCHMARK(BM_SortKey<Scheme::pep440>)->Name("BM_SortKey/pep440");
BENCHMARK(BM_SortKey<Scheme::conda>)->Name("BM_SortKey/conda");

/// Sorting N version strings from scratch (parse, key, sort), as `qplug version sort` does.
template <Scheme S>
void BM_Sort(benchmark::State& state) {
    const auto& vs = valid(S);
    std::vector<std::string> input;
    input.reserve(static_cast<std::size_t>(state.range(0)));
    std::mt19937 rng(42);
    for (std::int64_t i = 0; i < state.range(0); ++i) {
        input.push_back(vs[rng() % vs.size()]);
    }
    for (auto _ : state) {
        auto out = sorted(S, input);
        benchmark::DoNotOptimize(out);
    }
    state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Sort<Scheme::qgis>)
    ->Name("BM_Sort/qgis")
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sort<Scheme::qgis_classic>)
    ->Name("BM_Sort/qgis-classic")
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sort<Scheme::pep440>)
    ->Name("BM_Sort/pep440")
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sort<Scheme::conda>)
    ->Name("BM_Sort/conda")
    ->Arg(1'000'000)
    ->Unit(benchmark::kMillisecond);

void BM_Pep440SpecifierMatch(benchmark::State& state) {
    const auto set = *pep440::SpecifierSet::parse(">=1.0,!=1.3.*,<3");
    std::vector<pep440::Version> parsed;
    for (const auto& v : valid(Scheme::pep440)) {
        parsed.push_back(*pep440::Version::parse(v));
    }
    Cycle c{parsed.size()};
    for (auto _ : state) {
        auto r = set.contains(parsed[c.next()]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Pep440SpecifierMatch);

void BM_CondaSpecMatch(benchmark::State& state) {
    const auto spec = *conda::VersionSpec::parse(">=1.0,<3|4.*");
    const auto& vs = valid(Scheme::conda);
    Cycle c{vs.size()};
    for (auto _ : state) {
        auto r = spec.match(vs[c.next()]);
        benchmark::DoNotOptimize(r);
    }
    state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_CondaSpecMatch);

} // namespace

BENCHMARK_MAIN();
