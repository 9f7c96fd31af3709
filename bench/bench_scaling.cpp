// Scaling: each reader's time as its input doubles (docs/performance.md, "Scaling with the
// input"). Doubling the input must at most about double the time; Google Benchmark fits the
// complexity of each series (`_BigO`, `_RMS`). The inputs are the hostile shapes of
// tests/cli/test_hostile.py, generated here.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <qplug/meta/parser.hpp>
#include <qplug/solver/plugins_xml.hpp>
#include <qplug/solver/resolve.hpp>

namespace {

using namespace qplug;

/// metadata.txt: [general] and `n` more sections.
std::string many_sections(std::int64_t n) {
    std::string text = "[general]\nname=x\nversion=1.0\n";
    for (std::int64_t i = 0; i < n; ++i) {
        text += fmt::format("[s{}]\nk=v\n", i);
    }
    return text;
}

/// metadata.txt: [general] with `n` keys, each referring to the one before.
std::string many_references(std::int64_t n) {
    std::string text = "[general]\nname=x\nk0=value\n";
    for (std::int64_t i = 1; i < n; ++i) {
        text += fmt::format("k{}=%(k{})s\n", i, i - 1);
    }
    return text;
}

void BM_MetadataSections(benchmark::State& state) {
    const std::string text = many_sections(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(meta::parse(text));
    }
    state.SetComplexityN(state.range(0));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(text.size()));
}
BENCHMARK(BM_MetadataSections)
    ->Arg(10'000)
    ->Arg(20'000)
    ->Arg(40'000)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);

void BM_MetadataReferences(benchmark::State& state) {
    const std::string text = many_references(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(meta::parse(text));
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_MetadataReferences)
    ->Arg(10'000)
    ->Arg(20'000)
    ->Arg(40'000)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);

/// plugins.xml: `n` releases of one plugin.
std::string one_plugin_releases(std::int64_t n) {
    std::string text = "<plugins>\n";
    for (std::int64_t i = 0; i < n; ++i) {
        const std::string v = fmt::format("{}.{}", i / 1000, i % 1000);
        text += fmt::format(
            "<pyqgis_plugin name=\"Many\" version=\"{0}\"><description>One of many"
            "</description><qgis_minimum_version>3.0</qgis_minimum_version>"
            "<file_name>many.{0}.zip</file_name><download_url>https://example.org/many.{0}.zip"
            "</download_url></pyqgis_plugin>\n",
            v);
    }
    return text + "</plugins>\n";
}

void BM_PluginsXmlReleasesOfOnePlugin(benchmark::State& state) {
    const std::string text = one_plugin_releases(state.range(0));
    for (auto _ : state) {
        benchmark::DoNotOptimize(solver::plugins_xml::parse(text));
    }
    state.SetComplexityN(state.range(0));
}
BENCHMARK(BM_PluginsXmlReleasesOfOnePlugin)
    ->Arg(4'000)
    ->Arg(8'000)
    ->Arg(16'000)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);

/// The records of `n` releases of one plugin: alike (the same QGIS range), or with 4,900
/// different ranges (few stand for another).
std::vector<solver::ReleaseRecord> releases(std::int64_t n, bool alike) {
    std::vector<solver::ReleaseRecord> out;
    for (std::int64_t i = 0; i < n; ++i) {
        solver::ReleaseRecord r;
        r.id = i + 1;
        r.repository_id = 1;
        r.repository = "plugins";
        r.kind = "legacy";
        r.package = "many";
        r.display_name = "Many";
        r.release.version = fmt::format("{}.{}", i / 1000, i % 1000);
        // Alike: one QGIS range; else one of 4,900 (every one compatible with QGIS 3.22).
        r.release.qgis_minimum = alike ? "3.0" : fmt::format("3.0.{}", i % 100);
        r.release.qgis_maximum = alike ? "3.99" : fmt::format("3.{}", 50 + i % 49);
        r.release.dependencies.push_back({solver::DependencyKind::qgis, "qgis",
                                          r.release.qgis_minimum + ".." + r.release.qgis_maximum,
                                          "", "", false});
        r.release.modules.push_back("many");
        out.push_back(std::move(r));
    }
    return out;
}

void resolve_many(benchmark::State& state, bool alike) {
    const auto available = releases(state.range(0), alike);
    solver::Policy policy;
    policy.qgis_version = "3.22.0";
    const auto request = solver::parse_request("many", solver::Request::Action::install);
    for (auto _ : state) {
        auto r = solver::resolve(available, {}, {*request}, policy);
        if (!r || !r->solved) {
            state.SkipWithError("not solved");
        }
        benchmark::DoNotOptimize(r);
    }
    state.SetComplexityN(state.range(0));
}

void BM_ResolveReleasesOfOnePluginAlike(benchmark::State& state) {
    resolve_many(state, true);
}
BENCHMARK(BM_ResolveReleasesOfOnePluginAlike)
    ->Arg(4'000)
    ->Arg(8'000)
    ->Arg(16'000)
    ->Complexity()
    ->Unit(benchmark::kMillisecond);

// Releases that differ: libsolv relates every two releases of a name, so this is quadratic
// until the limit of 4096 releases per name considered, and flat beyond.
void BM_ResolveReleasesOfOnePluginDifferent(benchmark::State& state) {
    resolve_many(state, false);
}
BENCHMARK(BM_ResolveReleasesOfOnePluginDifferent)
    ->Arg(1'000)
    ->Arg(2'000)
    ->Arg(4'000)
    ->Arg(8'000)
    ->Arg(16'000)
    ->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
