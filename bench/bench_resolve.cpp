// Resolution benchmarks: the bundled real index (the plugins.qgis.org 2016 snapshot and the
// bundled plugin ZIPs) and a generated index of 50,000 packages / about 500,000 releases with
// about 5 dependencies each, in DAG "stacks" of 200 packages so that the first package of a
// stack pulls a deep tree (../shared/reference/solver-design.md section 7: 10% legacy plugins,
// 30% conda, 60% pip, conda names overlapping pip names and their modules). Each step is
// measured on its own: SQLite -> records, records -> pool (Model::build), the solve of a deep
// install, and resolve() end to end. There is no .solv cache yet: every pool is built from
// records.
//
// `bench_resolve --problems=FILE.json` does not benchmark: it loads pip-only problems written
// by bench/resolvelib_compare.py, resolves them with qplug and prints times and the chosen
// versions as JSON, for the side by side with pip's resolvelib.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <malloc.h>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/resolve.hpp>
#include <qplug/solver/source.hpp>

#include "solv/model.hpp"

namespace {

using namespace qplug::solver;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// --- helpers --------------------------------------------------------------------------------

fs::path scratch(const std::string& name) {
    const fs::path dir =
        fs::temp_directory_path() / ("qplug-bench-resolve-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    return dir / name;
}

void remove_scratch() {
    std::error_code ec;
    fs::remove_all(
        fs::temp_directory_path() / ("qplug-bench-resolve-" + std::to_string(::getpid())), ec);
}

/// VmRSS or VmHWM of this process in MB (0 when /proc cannot tell).
double memory_mb(std::string_view field) {
    std::ifstream status("/proc/self/status");
    std::string line;
    while (std::getline(status, line)) {
        if (line.rfind(field, 0) == 0 && line.size() > field.size() && line[field.size()] == ':') {
            return std::strtod(line.c_str() + field.size() + 1, nullptr) / 1024.0; // kB
        }
    }
    return 0;
}

/// Bytes in use on the heap (malloc's count: libsolv allocates with malloc too), in MB. Unlike
/// RSS, it does not keep what an earlier benchmark freed.
double heap_mb() {
    const struct mallinfo2 m = mallinfo2();
    return static_cast<double>(m.uordblks + m.hblkhd) / 1e6;
}

[[noreturn]] void die(const std::string& message) {
    std::cerr << "bench_resolve: " << message << "\n";
    std::exit(2);
}

Request request(std::string_view text) {
    auto r = parse_request(text, Request::Action::install);
    if (!r) {
        die(r.error().to_string());
    }
    return *r;
}

/// One solve on a built pool, as resolve() sets it up (install jobs for the candidates of
/// each request, QGIS and Python locked, the same solver flags), without the plan.
struct SolveOutcome {
    bool solved = false;
    int installs = 0;
    std::size_t callbacks = 0; ///< namespace callbacks libsolv made
};

struct CallbackCounter {
    Id (*forward)(Pool*, void*, Id, Id) = nullptr;
    void* data = nullptr;
    std::size_t calls = 0;

    static Id count(Pool* pool, void* self, Id name, Id evr) {
        auto* c = static_cast<CallbackCounter*>(self);
        ++c->calls;
        return c->forward(pool, c->data, name, evr);
    }
};

SolveOutcome solve(const solv::Model& model, const std::vector<Request>& requests) {
    Pool* pool = model.pool();
    CallbackCounter counter{pool->nscallback, pool->nscallbackdata, 0};
    pool_setnamespacecallback(pool, &CallbackCounter::count, &counter);
    Queue job;
    queue_init(&job);
    for (const Request& r : requests) {
        Queue q;
        queue_init(&q);
        for (const Id p : model.candidates(r)) {
            queue_push(&q, p);
        }
        queue_push2(&job, SOLVER_INSTALL | SOLVER_SOLVABLE_ONE_OF,
                    pool_queuetowhatprovides(pool, &q));
        queue_free(&q);
    }
    if (pool->installed != nullptr) {
        for (Id p = pool->installed->start; p < pool->installed->end; ++p) {
            const solv::SolvableInfo* i = model.info(p);
            if (i != nullptr && (i->kind == solv::SolvableInfo::Kind::qgis ||
                                 i->kind == solv::SolvableInfo::Kind::python)) {
                queue_push2(&job, SOLVER_LOCK | SOLVER_SOLVABLE, p);
            }
        }
    }
    Solver* solver = solver_create(pool);
    solver_set_flag(solver, SOLVER_FLAG_ALLOW_DOWNGRADE, 0);
    solver_set_flag(solver, SOLVER_FLAG_ALLOW_UNINSTALL, 0);
    solver_set_flag(solver, SOLVER_FLAG_FOCUS_BEST, 1);
    solver_set_flag(solver, SOLVER_FLAG_BEST_OBEY_POLICY, 1);
    SolveOutcome out;
    out.solved = solver_solve(solver, &job) == 0;
    if (out.solved) {
        Transaction* trans = solver_create_transaction(solver);
        for (int k = 0; k < trans->steps.count; ++k) {
            const Id p = trans->steps.elements[k];
            const solv::SolvableInfo* i = model.info(p);
            if (i != nullptr && i->kind == solv::SolvableInfo::Kind::release &&
                transaction_type(trans, p, SOLVER_TRANSACTION_SHOW_ACTIVE) ==
                    SOLVER_TRANSACTION_INSTALL) {
                ++out.installs;
            }
        }
        transaction_free(trans);
    }
    solver_free(solver);
    queue_free(&job);
    pool_setnamespacecallback(pool, counter.forward, counter.data);
    out.callbacks = counter.calls;
    return out;
}

/// Forgets what the namespace callbacks answered (libsolv caches the providers of every
/// dependency it evaluated until the next pool_createwhatprovides).
void forget_answers(const solv::Model& model) {
    pool_createwhatprovides(model.pool());
}

std::unique_ptr<solv::Model> build_model(const std::vector<ReleaseRecord>& available,
                                         const std::vector<ReleaseRecord>& installed,
                                         const std::vector<Request>& requests,
                                         const Policy& policy) {
    auto m = solv::Model::build(available, installed, requests, policy);
    if (!m) {
        die(m.error().to_string());
    }
    return std::move(*m);
}

Policy qgis_policy() {
    Policy p;
    p.qgis_version = "3.40.4";
    return p;
}

// --- the bundled real index -------------------------------------------------------------------

/// An index of data/repositories/plugins.qgis.org-2016.xml (a file URL, legacy) and the bundled
/// plugin ZIPs (a folder, priority 10), as scripts/demo makes it; synced once.
struct RealIndex {
    std::unique_ptr<Index> index;
    std::vector<Request> requests{request("Koordinates"), request("openEO")};
    std::vector<ReleaseRecord> available;
    std::vector<ReleaseRecord> installed;

    RealIndex() {
        const fs::path path = scratch("real.sqlite");
        auto opened = Index::open(path);
        if (!opened) {
            die(opened.error().to_string());
        }
        index = std::make_unique<Index>(std::move(*opened));
        RepositoryConfig xml;
        xml.name = "plugins.qgis.org";
        xml.kind = "legacy";
        xml.backend = Backend::legacy;
        xml.url = "file://" + fs::absolute(fs::path(QPLUG_SOURCE_DIR) / "data" / "repositories" /
                                           "plugins.qgis.org-2016.xml")
                                  .string();
        RepositoryConfig folder;
        folder.name = "bundled";
        folder.kind = "folder";
        folder.backend = Backend::legacy;
        folder.url = QPLUG_BUNDLED_PLUGINS;
        folder.priority = 10;
        auto fetcher = make_fetcher();
        SyncContext context;
        context.fetcher = fetcher.get();
        context.qgis_version = "3.40.4";
        for (const auto& config : {xml, folder}) {
            if (auto added = index->add_repository(config); !added) {
                die(added.error().to_string());
            }
            auto report = sync_repository(*index, SourceRegistry::builtin(), config.name, context);
            if (!report) {
                die(report.error().to_string());
            }
        }
        available = index->available();
        installed = index->installed();
    }
};

RealIndex& real_index() {
    static RealIndex real;
    return real;
}

/// resolve(index, {Koordinates, openEO}, QGIS 3.40.4): records from SQLite, pool, solve, plan.
void BM_RealResolveEndToEnd(benchmark::State& state) {
    auto& real = real_index();
    std::size_t steps = 0;
    for (auto _ : state) {
        auto r = resolve(*real.index, real.requests, qgis_policy());
        if (!r || !r->solved) {
            state.SkipWithError("not solved");
            return;
        }
        steps = r->plan.steps.size();
    }
    state.counters["steps"] = static_cast<double>(steps);
    state.counters["releases"] = static_cast<double>(real.available.size());
}
BENCHMARK(BM_RealResolveEndToEnd)->Unit(benchmark::kMillisecond);

void BM_RealRecordsFromSqlite(benchmark::State& state) {
    auto& real = real_index();
    for (auto _ : state) {
        auto available = real.index->available();
        auto installed = real.index->installed();
        benchmark::DoNotOptimize(available.data());
        benchmark::DoNotOptimize(installed.data());
    }
}
BENCHMARK(BM_RealRecordsFromSqlite)->Unit(benchmark::kMillisecond);

void BM_RealPoolFromRecords(benchmark::State& state) {
    auto& real = real_index();
    for (auto _ : state) {
        auto model = build_model(real.available, real.installed, real.requests, qgis_policy());
        benchmark::DoNotOptimize(model.get());
    }
}
BENCHMARK(BM_RealPoolFromRecords)->Unit(benchmark::kMillisecond);

/// The solve alone on a built pool; cold: the namespace answers forgotten before each solve.
void BM_RealSolve(benchmark::State& state) {
    auto& real = real_index();
    const bool cold = state.range(0) != 0;
    auto model = build_model(real.available, real.installed, real.requests, qgis_policy());
    SolveOutcome out;
    for (auto _ : state) {
        if (cold) {
            state.PauseTiming();
            forget_answers(*model);
            state.ResumeTiming();
        }
        out = solve(*model, real.requests);
    }
    if (!out.solved) {
        state.SkipWithError("not solved");
        return;
    }
    state.counters["installs"] = out.installs;
    state.counters["callbacks"] = static_cast<double>(out.callbacks);
}
BENCHMARK(BM_RealSolve)->ArgName("cold")->Arg(1)->Arg(0)->Unit(benchmark::kMicrosecond);

// --- the generated index ----------------------------------------------------------------------

constexpr std::size_t kPackages = 50'000;
constexpr std::size_t kStack = 200;
constexpr std::size_t kOffsets[] = {1, 2, 3, 5}; // DAG edges inside a stack, plus QGIS/Python

std::uint64_t mix(std::uint64_t x) { // splitmix64
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

struct Family {
    Backend backend;
    std::size_t count;
    std::int64_t repository_id;
    const char* repository;
    const char* kind;
};

/// 10% legacy plugins, 30% conda, 60% pip; conda package j has pip package j's name.
constexpr Family kFamilies[] = {
    {Backend::legacy, kPackages / 10, 1, "gen-legacy", "legacy"},
    {Backend::conda, kPackages * 3 / 10, 2, "gen-conda", "conda"},
    {Backend::pip, kPackages * 6 / 10, 3, "gen-pip", "pip"},
};

std::string key_of(Backend b, std::size_t j) {
    return (b == Backend::legacy ? "plugin" : "pkg") + std::to_string(j);
}

std::string display_of(Backend b, std::size_t j) {
    return b == Backend::legacy ? "Plugin " + std::to_string(j) : key_of(b, j);
}

std::size_t release_count(Backend b, std::size_t j) {
    return 5 + mix(j * 3 + static_cast<std::size_t>(b)) % 11; // 5..15, about 10
}

std::string version_of(Backend b, std::size_t v) {
    const std::string head = std::to_string(v / 3) + "." + std::to_string(v % 3);
    return b == Backend::legacy ? head : head + ".0";
}

/// ">=0.1", and on the newer half of the releases sometimes an upper bound that leaves out
/// the target's newest releases (so some targets resolve to older versions). Every spec
/// admits 0.1, whose release has no upper bounds: every deep install is solvable.
std::string spec_of(Backend b, std::size_t j, std::size_t v, std::size_t releases,
                    std::size_t offset) {
    if (b == Backend::legacy) {
        return ""; // plugin_dependencies name plugins without versions
    }
    const std::uint64_t h = mix((j << 24) ^ (v << 8) ^ offset ^ 0x5151);
    if (v >= releases / 2 && h % 4 == 0) {
        return ">=0.1,<" + std::to_string(1 + (h >> 8) % 3);
    }
    return ">=0.1";
}

/// The releases of one package, in version order.
void add_releases(const Family& f, std::size_t j, std::int64_t& next_id,
                  std::vector<ReleaseRecord>& out) {
    const std::size_t releases = release_count(f.backend, j);
    const std::size_t stack = j / kStack;
    const std::size_t position = j % kStack;
    for (std::size_t v = 0; v < releases; ++v) {
        ReleaseRecord r;
        r.id = next_id++;
        r.repository_id = f.repository_id;
        r.repository = f.repository;
        r.kind = f.kind;
        r.backend = f.backend;
        r.package = key_of(f.backend, j);
        r.display_name = display_of(f.backend, j);
        r.summary = "generated package";
        Release& rel = r.release;
        rel.version = version_of(f.backend, v);
        rel.file_name = r.package + "-" + rel.version +
                        (f.backend == Backend::legacy ? ".zip"
                         : f.backend == Backend::pip  ? "-py3-none-any.whl"
                                                      : "-0.conda");
        rel.download_url = "https://example.org/files/" + rel.file_name;
        rel.hash = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        rel.modules = {r.package};
        for (const std::size_t o : kOffsets) {
            if (position + o >= kStack || j + o >= f.count) {
                continue;
            }
            const std::string spec = spec_of(f.backend, j, v, releases, o);
            switch (f.backend) {
            case Backend::legacy:
                // Two plugins further down the stack, two pip packages of the pip stack with
                // the same number (which pull the rest of that stack).
                if (o <= 2) {
                    rel.dependencies.push_back({DependencyKind::plugin,
                                                display_of(Backend::legacy, j + o), spec, "", "",
                                                false});
                } else {
                    rel.dependencies.push_back(
                        {DependencyKind::pip, key_of(Backend::pip, stack * kStack + position + o),
                         spec_of(Backend::pip, j, v, releases, o), "", "", false});
                }
                break;
            case Backend::pip:
                rel.dependencies.push_back(
                    {DependencyKind::pip, key_of(Backend::pip, j + o), spec, "", "", false});
                break;
            case Backend::conda:
                rel.dependencies.push_back(
                    {DependencyKind::conda, key_of(Backend::conda, j + o), spec, "", "", false});
                break;
            }
        }
        switch (f.backend) {
        case Backend::legacy:
            rel.qgis_minimum = "3.0";
            rel.dependencies.push_back({DependencyKind::qgis, "qgis", "3.0..3.99", "", "", false});
            break;
        case Backend::pip:
            rel.requires_python = ">=3.8";
            rel.dependencies.push_back({DependencyKind::python, "python", ">=3.8", "", "", false});
            break;
        case Backend::conda:
            rel.build = "py_0";
            rel.build_number = 0;
            rel.subdir = "noarch";
            rel.dependencies.push_back({DependencyKind::conda, "python", ">=3.8", "", "", false});
            break;
        }
        out.push_back(std::move(r));
    }
}

std::vector<ReleaseRecord> generated_records() {
    std::size_t releases = 0;
    for (const Family& f : kFamilies) {
        for (std::size_t j = 0; j < f.count; ++j) {
            releases += release_count(f.backend, j);
        }
    }
    std::vector<ReleaseRecord> out;
    out.reserve(releases); // exactly: the heap counters should not count spare capacity
    std::int64_t next_id = 1;
    for (const Family& f : kFamilies) {
        for (std::size_t j = 0; j < f.count; ++j) {
            add_releases(f, j, next_id, out);
        }
    }
    return out;
}

/// The deep installs: the first package of a stack.
const std::vector<Request>& deep_request(std::string_view root) {
    static const std::map<std::string, std::vector<Request>, std::less<>> requests = {
        {"legacy", {request("legacy:Plugin 0")}},
        {"pip", {request("pip:pkg0")}},
        {"conda", {request("conda:pkg200")}},
    };
    return requests.find(root)->second;
}

struct Generated {
    std::vector<ReleaseRecord> records;
    double generate_s = 0;
    double records_heap_mb = 0; ///< heap the records take
    std::size_t dependencies = 0;

    Generated() {
        const double before = heap_mb();
        const auto t = Clock::now();
        records = generated_records();
        generate_s = std::chrono::duration<double>(Clock::now() - t).count();
        records_heap_mb = heap_mb() - before;
        for (const auto& r : records) {
            dependencies += r.release.dependencies.size();
        }
    }
};

Generated& generated() {
    static Generated g;
    return g;
}

const std::vector<ReleaseRecord> kNone;

void set_generated_counters(benchmark::State& state) {
    auto& g = generated();
    state.counters["releases"] = static_cast<double>(g.records.size());
    state.counters["deps"] = static_cast<double>(g.dependencies);
}

/// Making the records in memory (not part of loading; for scale).
void BM_GeneratedMakeRecords(benchmark::State& state) {
    for (auto _ : state) {
        auto records = generated_records();
        benchmark::DoNotOptimize(records.data());
    }
    set_generated_counters(state);
    state.counters["records_heap_mb"] = generated().records_heap_mb;
}
BENCHMARK(BM_GeneratedMakeRecords)->Unit(benchmark::kSecond)->Iterations(1);

/// Records -> pool: Model::build (ranks, solvables, dependencies, whatprovides).
void BM_GeneratedPoolFromRecords(benchmark::State& state) {
    auto& g = generated();
    double pool_mb = 0;
    for (auto _ : state) {
        const double before = heap_mb();
        auto model = build_model(g.records, kNone, deep_request("pip"), qgis_policy());
        pool_mb = heap_mb() - before;
        benchmark::DoNotOptimize(model.get());
        state.PauseTiming();
        model.reset();
        state.ResumeTiming();
    }
    set_generated_counters(state);
    state.counters["pool_heap_mb"] = pool_mb;
    state.counters["peak_rss_mb"] = memory_mb("VmHWM");
}
BENCHMARK(BM_GeneratedPoolFromRecords)->Unit(benchmark::kSecond)->Iterations(1);

/// The pool built once per root, shared by the solve benchmarks.
solv::Model& generated_model() {
    static const std::unique_ptr<solv::Model> model =
        build_model(generated().records, kNone, deep_request("pip"), qgis_policy());
    return *model;
}

/// The solve of a deep install on the built pool; cold: the namespace answers forgotten first.
void BM_GeneratedSolve(benchmark::State& state, const char* root, bool cold) {
    solv::Model& model = generated_model();
    const auto& requests = deep_request(root);
    SolveOutcome out;
    for (auto _ : state) {
        if (cold) {
            state.PauseTiming();
            forget_answers(model);
            state.ResumeTiming();
        }
        out = solve(model, requests);
    }
    state.counters["solved"] = out.solved ? 1 : 0;
    state.counters["installs"] = out.installs;
    state.counters["callbacks"] = static_cast<double>(out.callbacks);
}
BENCHMARK_CAPTURE(BM_GeneratedSolve, legacy_root_cold, "legacy", true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_GeneratedSolve, legacy_root_warm, "legacy", false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_GeneratedSolve, pip_root_cold, "pip", true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_GeneratedSolve, pip_root_warm, "pip", false)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);
BENCHMARK_CAPTURE(BM_GeneratedSolve, conda_root_cold, "conda", true)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5);

/// resolve() from the records in memory: pool, solve and plan (why-chains, load order).
void BM_GeneratedResolve(benchmark::State& state, const char* root) {
    auto& g = generated();
    std::size_t steps = 0;
    for (auto _ : state) {
        auto r = resolve(g.records, kNone, deep_request(root), qgis_policy());
        if (!r || !r->solved) {
            state.SkipWithError("not solved");
            return;
        }
        steps = r->plan.steps.size();
    }
    state.counters["steps"] = static_cast<double>(steps);
}
BENCHMARK_CAPTURE(BM_GeneratedResolve, pip_root, "pip")->Unit(benchmark::kSecond)->Iterations(1);

/// The generated index written to SQLite once (three repositories, one sync each).
struct GeneratedIndex {
    std::unique_ptr<Index> index;
    double write_s = 0;
    std::uintmax_t bytes = 0;

    GeneratedIndex() {
        auto& g = generated();
        const fs::path path = scratch("generated.sqlite");
        auto opened = Index::open(path);
        if (!opened) {
            die(opened.error().to_string());
        }
        index = std::make_unique<Index>(std::move(*opened));
        const auto t = Clock::now();
        std::size_t next = 0;
        for (const Family& f : kFamilies) {
            RepositoryConfig config;
            config.name = f.repository;
            config.kind = f.kind;
            config.backend = f.backend;
            config.url = std::string("https://example.org/") + f.kind + "/";
            if (auto added = index->add_repository(config); !added) {
                die(added.error().to_string());
            }
            auto report = index->sync(
                f.repository, [&](SyncSink& sink) -> qplug::Expected<Index::SyncResult> {
                    while (next < g.records.size() && g.records[next].backend == f.backend) {
                        Package p;
                        p.name = g.records[next].package;
                        p.display_name = g.records[next].display_name;
                        p.summary = g.records[next].summary;
                        while (next < g.records.size() && g.records[next].package == p.name &&
                               g.records[next].backend == f.backend) {
                            p.releases.push_back(g.records[next++].release);
                        }
                        if (auto added = sink.add(p); !added) {
                            return std::move(added).error();
                        }
                    }
                    return Index::SyncResult{};
                });
            if (!report) {
                die(report.error().to_string());
            }
        }
        write_s = std::chrono::duration<double>(Clock::now() - t).count();
        bytes = fs::file_size(path);
    }
};

GeneratedIndex& generated_index() {
    static GeneratedIndex gi;
    return gi;
}

/// SQLite -> records: what resolve(const Index&, ...) reads before building the pool.
void BM_GeneratedRecordsFromSqlite(benchmark::State& state) {
    auto& gi = generated_index();
    std::size_t releases = 0;
    double records_mb = 0;
    for (auto _ : state) {
        const double before = heap_mb();
        auto available = gi.index->available();
        records_mb = heap_mb() - before;
        auto installed = gi.index->installed();
        releases = available.size();
        state.PauseTiming();
        available.clear();
        available.shrink_to_fit();
        state.ResumeTiming();
    }
    state.counters["releases"] = static_cast<double>(releases);
    state.counters["sqlite_mb"] = static_cast<double>(gi.bytes) / 1e6;
    state.counters["records_heap_mb"] = records_mb;
    state.counters["write_s"] = gi.write_s;
}
BENCHMARK(BM_GeneratedRecordsFromSqlite)->Unit(benchmark::kSecond)->Iterations(1);

/// resolve(index, pip root): SQLite -> records -> pool -> solve -> plan, as `qplug resolve`.
void BM_GeneratedResolveFromIndex(benchmark::State& state) {
    auto& gi = generated_index();
    std::size_t steps = 0;
    for (auto _ : state) {
        auto r = resolve(*gi.index, deep_request("pip"), qgis_policy());
        if (!r || !r->solved) {
            state.SkipWithError("not solved");
            return;
        }
        steps = r->plan.steps.size();
    }
    state.counters["steps"] = static_cast<double>(steps);
}
BENCHMARK(BM_GeneratedResolveFromIndex)->Unit(benchmark::kSecond)->Iterations(1);

/// The pool from the .solv cache beside the index (written by the resolve above, or here):
/// the available releases read with repo_add_solv, the installed ones added, the policy's
/// considered map, whatprovides.
void BM_GeneratedPoolFromSolvCache(benchmark::State& state) {
    auto& gi = generated_index();
    const auto installed = gi.index->installed();
    const Policy policy = qgis_policy();
    {
        qplug::solver::solv::CacheUse warm;
        auto model = qplug::solver::solv::Model::build(*gi.index, installed, {}, policy, &warm);
        if (!model) {
            state.SkipWithError(model.error().message.c_str());
            return;
        }
    }
    bool loaded = false;
    int solvables = 0;
    for (auto _ : state) {
        qplug::solver::solv::CacheUse use;
        auto model = qplug::solver::solv::Model::build(*gi.index, installed, {}, policy, &use);
        loaded = use.loaded;
        solvables = model ? (*model)->pool()->nsolvables : 0;
    }
    if (!loaded) {
        state.SkipWithError("the cache was not used");
    }
    state.counters["solvables"] = solvables;
}
BENCHMARK(BM_GeneratedPoolFromSolvCache)->Unit(benchmark::kMillisecond)->Iterations(3);

/// resolve(index, pip root) with the cache fresh: what a repeated `qplug resolve` costs.
void BM_GeneratedResolveFromSolvCache(benchmark::State& state) {
    auto& gi = generated_index();
    (void)resolve(*gi.index, deep_request("pip"), qgis_policy()); // writes the cache if needed
    std::size_t steps = 0;
    for (auto _ : state) {
        auto r = resolve(*gi.index, deep_request("pip"), qgis_policy());
        if (!r || !r->solved) {
            state.SkipWithError("not solved");
            return;
        }
        steps = r->plan.steps.size();
    }
    state.counters["steps"] = static_cast<double>(steps);
}
BENCHMARK(BM_GeneratedResolveFromSolvCache)->Unit(benchmark::kMillisecond)->Iterations(3);

// --- pip-only problems from bench/resolvelib_compare.py --------------------------------------

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty()           ? 0
           : v.size() % 2 == 1 ? v[v.size() / 2]
                               : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

/// {"projects": {"name": [{"version": "1.0", "requires": [["dep", ">=1"], ...]}, ...]},
///  "requests": ["name", ...], "python": "3.11", "repeat": 5} -> times and chosen versions.
int run_problems(const std::string& file) {
    using json = nlohmann::json;
    std::ifstream in(file);
    if (!in) {
        die("cannot read " + file);
    }
    auto t = Clock::now();
    const json problem = json::parse(in);
    std::vector<ReleaseRecord> records;
    std::int64_t next_id = 1;
    for (const auto& [name, releases] : problem.at("projects").items()) {
        for (const auto& rel : releases) {
            ReleaseRecord r;
            r.id = next_id++;
            r.repository_id = 1;
            r.repository = "generated";
            r.kind = "pip";
            r.backend = Backend::pip;
            r.package = normalize_pip_name(name);
            r.display_name = name;
            r.release.version = rel.at("version").get<std::string>();
            for (const auto& d : rel.at("requires")) {
                r.release.dependencies.push_back({DependencyKind::pip,
                                                  normalize_pip_name(d.at(0).get<std::string>()),
                                                  d.at(1).get<std::string>(), "", "", false});
            }
            records.push_back(std::move(r));
        }
    }
    const double load_ms = ms_since(t);
    const int repeat = problem.value("repeat", 5);
    Policy policy = qgis_policy();
    policy.python_version = problem.value("python", "3.11");

    json out = {{"load_ms", load_ms}, {"releases", records.size()}};
    json results = json::array();
    std::vector<double> builds;
    for (const auto& root : problem.at("requests")) {
        const std::vector<Request> requests{request("pip:" + root.get<std::string>())};
        // resolve() end to end from the records: pool, solve, plan.
        std::vector<double> resolves;
        Resolution last;
        for (int k = 0; k < repeat; ++k) {
            t = Clock::now();
            auto r = resolve(records, kNone, requests, policy);
            resolves.push_back(ms_since(t));
            if (!r) {
                die(r.error().to_string());
            }
            last = std::move(*r);
        }
        // The pool once, then the solve alone (the namespace answers forgotten each time).
        t = Clock::now();
        auto model = build_model(records, kNone, requests, policy);
        builds.push_back(ms_since(t));
        std::vector<double> solves;
        SolveOutcome outcome;
        for (int k = 0; k < repeat; ++k) {
            forget_answers(*model);
            t = Clock::now();
            outcome = solve(*model, requests);
            solves.push_back(ms_since(t));
        }
        json chosen = json::object();
        for (const auto& step : last.installation) {
            chosen[step.name] = step.version;
        }
        results.push_back({{"request", root},
                           {"solved", last.solved},
                           {"resolve_ms", median(resolves)},
                           {"solve_ms", median(solves)},
                           {"callbacks", outcome.callbacks},
                           {"installs", outcome.installs},
                           {"chosen", chosen}});
    }
    out["pool_ms"] = median(builds);
    out["problems"] = results;
    out["peak_rss_mb"] = memory_mb("VmHWM");
    std::cout << out.dump(1) << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    for (int k = 1; k < argc; ++k) {
        constexpr std::string_view flag = "--problems=";
        if (std::string_view(argv[k]).rfind(flag, 0) == 0) {
            return run_problems(std::string(argv[k] + flag.size()));
        }
    }
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    remove_scratch();
    return 0;
}
