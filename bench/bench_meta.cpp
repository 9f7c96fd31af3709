// Metadata benchmarks: parsing, validating and formatting the metadata corpus, and checking a
// plugin ZIP. Inputs: tests/data/metadata (every file), or QPLUG_BENCH_METADATA_DIR.
// See bench/run_meta_bench.py for the side-by-side with Python's configparser.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include <qplug/meta/package.hpp>
#include <qplug/meta/parser.hpp>
#include <qplug/meta/serialize.hpp>
#include <qplug/meta/validator.hpp>

namespace {

using namespace qplug::meta;

std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::vector<std::string>& corpus() {
    static const std::vector<std::string> files = [] {
        const char* env = std::getenv("QPLUG_BENCH_METADATA_DIR");
        const std::filesystem::path dir =
            env != nullptr ? env : QPLUG_SOURCE_DIR "/tests/data/metadata";
        std::vector<std::filesystem::path> paths;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            if (e.path().extension() == ".txt") {
                paths.push_back(e.path());
            }
        }
        std::sort(paths.begin(), paths.end());
        std::vector<std::string> out;
        for (const auto& p : paths) {
            out.push_back(slurp(p));
        }
        return out;
    }();
    return files;
}

std::size_t total_bytes() {
    std::size_t n = 0;
    for (const auto& f : corpus()) {
        n += f.size();
    }
    return n;
}

void BM_ParseCorpus(benchmark::State& state) {
    const auto keys = state.range(0) == 0 ? KeyMode::qgis : KeyMode::site;
    for (auto _ : state) {
        for (const auto& text : corpus()) {
            ParseOptions po;
            po.keys = keys;
            auto doc = parse(text, po);
            benchmark::DoNotOptimize(doc);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(corpus().size()));
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(total_bytes()));
}
BENCHMARK(BM_ParseCorpus)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

/// What plugins.qgis.org does with an uploaded metadata.txt (Arg 1), or the strict profile
/// (Arg 2): read with the site's key mode, then every rule of the profile.
void BM_ParseAndValidateCorpus(benchmark::State& state) {
    const auto profile = static_cast<Profile>(state.range(0));
    for (auto _ : state) {
        for (const auto& text : corpus()) {
            ParseOptions po;
            po.keys = KeyMode::site;
            const auto doc = parse(text, po);
            ValidateOptions vo;
            vo.profile = profile;
            auto ds = validate(doc, vo);
            benchmark::DoNotOptimize(ds);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(corpus().size()));
}
BENCHMARK(BM_ParseAndValidateCorpus)
    ->Arg(static_cast<int>(Profile::site))
    ->Arg(static_cast<int>(Profile::strict))
    ->Unit(benchmark::kMillisecond);

void BM_FormatCorpus(benchmark::State& state) {
    std::vector<Document> docs;
    for (const auto& text : corpus()) {
        auto doc = parse(text);
        if (doc.ok) {
            docs.push_back(std::move(doc));
        }
    }
    for (auto _ : state) {
        for (const auto& doc : docs) {
            auto out = format_metadata(doc);
            benchmark::DoNotOptimize(out);
        }
    }
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(docs.size()));
}
BENCHMARK(BM_FormatCorpus)->Unit(benchmark::kMillisecond);

} // namespace

BENCHMARK_MAIN();
