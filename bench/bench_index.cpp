// Index benchmarks: syncing plugins.xml files (the largest of the corpus, a generated one with
// 5,000 plugins x 3 versions) into a fresh index, syncing them again unchanged, and importing a
// generated index of 50,000 packages / 500,000 releases (about 5 dependencies each, the solver
// design's benchmark shape). bench/run_index_bench.py runs them beside Python's xml.etree on the
// same files. SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <pugixml.hpp>

#include <qplug/solver/index.hpp>
#include <qplug/solver/source.hpp>

namespace {

using namespace qplug::solver;
namespace fs = std::filesystem;

fs::path scratch(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() / ("qplug-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

void remove_index(const fs::path& path) {
    for (const char* suffix : {"", "-wal", "-shm"}) {
        fs::remove(path.string() + suffix);
    }
}

/// Adds the plugins.xml `file` as the legacy repository "bench"; the context to sync it.
SyncContext add_legacy_repository(Index& index, const char* file, Fetcher& fetcher) {
    RepositoryConfig repo;
    repo.name = "bench";
    repo.kind = "legacy";
    repo.backend = Backend::legacy;
    repo.url = file;
    (void)index.add_repository(repo);
    SyncContext context;
    context.fetcher = &fetcher;
    context.qgis_version = "3.40.0";
    return context;
}

/// One whole sync of a plugins.xml file (read, parse, write, commit) into a fresh index.
void BM_SyncPluginsXml(benchmark::State& state, const char* env) {
    const char* file = std::getenv(env);
    if (file == nullptr) {
        state.SkipWithError("set the file's path in the environment");
        return;
    }
    const fs::path path = scratch("sync.sqlite");
    auto fetcher = make_fetcher();
    std::size_t releases = 0;
    for (auto _ : state) {
        state.PauseTiming();
        remove_index(path);
        auto index = Index::open(path);
        const SyncContext context = add_legacy_repository(*index, file, *fetcher);
        state.ResumeTiming();
        auto report = sync_repository(*index, SourceRegistry::builtin(), "bench", context);
        if (!report) {
            state.SkipWithError(report.error().to_string().c_str());
            return;
        }
        releases = report->releases;
    }
    state.counters["releases"] = static_cast<double>(releases);
    remove_index(path);
}
BENCHMARK_CAPTURE(BM_SyncPluginsXml, largest_corpus, "QPLUG_BENCH_CORPUS_XML")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_SyncPluginsXml, generated_5000x3, "QPLUG_BENCH_GENERATED_XML")
    ->Unit(benchmark::kMillisecond);

/// The floor under any sync: pugixml (the XML library the index uses, the fastest of the two
/// Debian offers) parsing the file in memory, nothing read from disk or written. The issue's
/// target for a whole sync is 1/20 of ET.parse's time; this is the time that part alone takes.
void BM_XmlParseOnly(benchmark::State& state, const char* env) {
    const char* file = std::getenv(env);
    if (file == nullptr) {
        state.SkipWithError("set the file's path in the environment");
        return;
    }
    std::ifstream in(file, std::ios::binary);
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    std::string buffer;
    for (auto _ : state) {
        state.PauseTiming();
        buffer = text; // parsed in place, as the index does
        state.ResumeTiming();
        pugi::xml_document xml;
        const auto result = xml.load_buffer_inplace(buffer.data(), buffer.size(),
                                                    pugi::parse_default, pugi::encoding_auto);
        if (!result) {
            state.SkipWithError(result.description());
            return;
        }
        benchmark::DoNotOptimize(xml);
    }
}
BENCHMARK_CAPTURE(BM_XmlParseOnly, largest_corpus, "QPLUG_BENCH_CORPUS_XML")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_XmlParseOnly, generated_5000x3, "QPLUG_BENCH_GENERATED_XML")
    ->Unit(benchmark::kMillisecond);

/// A repeated sync of the same, unchanged file (what a scheduled `qplug repo sync` mostly
/// does): the file's ETag (size and modification time) says so, nothing is parsed or written.
void BM_ResyncUnchanged(benchmark::State& state, const char* env) {
    const char* file = std::getenv(env);
    if (file == nullptr) {
        state.SkipWithError("set the file's path in the environment");
        return;
    }
    const fs::path path = scratch("resync.sqlite");
    remove_index(path);
    auto fetcher = make_fetcher();
    auto index = Index::open(path);
    const SyncContext context = add_legacy_repository(*index, file, *fetcher);
    (void)sync_repository(*index, SourceRegistry::builtin(), "bench", context);
    for (auto _ : state) {
        auto report = sync_repository(*index, SourceRegistry::builtin(), "bench", context);
        if (!report || !report->not_modified) {
            state.SkipWithError("the second sync was not 'not modified'");
            return;
        }
    }
    remove_index(path);
}
/// The sync of a changed file into an index that holds its previous version (a scheduled sync
/// after a day's uploads): every entry is parsed, only the changed releases are written
/// (docs/index.md, "What a sync writes"). `changed_env` names the changed version.
void BM_ResyncChanged(benchmark::State& state, const char* env, const char* changed_env) {
    const char* file = std::getenv(env);
    const char* changed = std::getenv(changed_env);
    if (file == nullptr || changed == nullptr) {
        state.SkipWithError("set the files' paths in the environment");
        return;
    }
    const fs::path path = scratch("changed.sqlite");
    const fs::path current = scratch("current.xml");
    auto fetcher = make_fetcher();
    std::size_t written = 0;
    for (auto _ : state) {
        state.PauseTiming();
        remove_index(path);
        fs::copy_file(file, current, fs::copy_options::overwrite_existing);
        auto index = Index::open(path);
        const SyncContext context =
            add_legacy_repository(*index, current.string().c_str(), *fetcher);
        (void)sync_repository(*index, SourceRegistry::builtin(), "bench", context);
        fs::copy_file(changed, current, fs::copy_options::overwrite_existing);
        state.ResumeTiming();
        auto report = sync_repository(*index, SourceRegistry::builtin(), "bench", context);
        if (!report || report->not_modified) {
            state.SkipWithError("the changed file was not synced");
            return;
        }
        written = report->releases - report->unchanged;
    }
    state.counters["written"] = static_cast<double>(written);
    remove_index(path);
}
BENCHMARK_CAPTURE(BM_ResyncChanged, generated_5000x3, "QPLUG_BENCH_GENERATED_XML",
                  "QPLUG_BENCH_CHANGED_XML")
    ->Unit(benchmark::kMillisecond);

BENCHMARK_CAPTURE(BM_ResyncUnchanged, largest_corpus, "QPLUG_BENCH_CORPUS_XML")
    ->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(BM_ResyncUnchanged, generated_5000x3, "QPLUG_BENCH_GENERATED_XML")
    ->Unit(benchmark::kMillisecond);

std::vector<Package> generated_packages(std::size_t packages, std::size_t per_package) {
    std::vector<Package> out(packages);
    for (std::size_t i = 0; i < packages; ++i) {
        Package& p = out[i];
        p.name = "pkg" + std::to_string(i);
        p.display_name = p.name;
        p.summary = "generated package " + std::to_string(i);
        p.releases.resize(per_package);
        for (std::size_t v = 0; v < per_package; ++v) {
            Release& r = p.releases[v];
            r.version = std::to_string(v / 3) + "." + std::to_string(v % 3) + ".0";
            r.requires_python = ">=3.8";
            r.file_name = p.name + "-" + r.version + "-py3-none-any.whl";
            r.download_url = "https://example.org/files/" + r.file_name;
            r.hash = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
            for (std::size_t d = 1; d <= 5; ++d) {
                r.dependencies.push_back({DependencyKind::pip,
                                          "pkg" + std::to_string((i + d * 7) % packages),
                                          ">=" + std::to_string(d % 3) + ".0,<9", "", "", false});
            }
            r.modules = {p.name};
        }
    }
    return out;
}

/// Importing a generated index: 50,000 packages x 10 releases, 5 dependencies and 1 module
/// each (the records are made before the clock starts), in one sync.
void BM_ImportGenerated(benchmark::State& state) {
    const auto records = generated_packages(static_cast<std::size_t>(state.range(0)),
                                            static_cast<std::size_t>(state.range(1)));
    const fs::path path = scratch("import.sqlite");
    std::size_t releases = 0;
    for (auto _ : state) {
        state.PauseTiming();
        remove_index(path);
        auto index = Index::open(path);
        RepositoryConfig repo;
        repo.name = "generated";
        repo.kind = "pip";
        repo.backend = Backend::pip;
        repo.url = "https://example.org/simple/";
        (void)index->add_repository(repo);
        state.ResumeTiming();
        auto report =
            index->sync("generated", [&](SyncSink& sink) -> qplug::Expected<Index::SyncResult> {
                for (const auto& p : records) {
                    if (auto added = sink.add(p); !added) {
                        return std::move(added).error();
                    }
                }
                return Index::SyncResult{};
            });
        if (!report) {
            state.SkipWithError(report.error().to_string().c_str());
            return;
        }
        releases = report->releases;
    }
    state.counters["releases"] = static_cast<double>(releases);
    remove_index(path);
}
BENCHMARK(BM_ImportGenerated)->Args({50000, 10})->Unit(benchmark::kSecond)->Iterations(1);

} // namespace

BENCHMARK_MAIN();
