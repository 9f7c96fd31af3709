// A property test of the resolver: random small indexes across the three backends, random
// installed states and requests of every kind (install, upgrade, upgrade by name, remove,
// pins, downgrade); every resolution is held against an independent checker
// (property_checker.hpp: the scenario's JSON read with none of qplug's readers, pip versions,
// specifiers and markers decided by Debian's python3-packaging, plugin and conda versions by
// plain code, every installation the policy reaches tried).
//
// Each case is a scenario in the format of tests/data/scenarios/README.md, read for qplug by
// the sources' own functions (qplug::test::load_scenario). A failure prints its seed and the
// scenario JSON: QPLUG_PROPERTY_SEED=<seed> replays one case (of each test),
// QPLUG_PROPERTY_CASES=<n> runs n cases of each test, QPLUG_PROPERTY_SECONDS=<s> runs each test
// for about s seconds, QPLUG_PROPERTY_ALL=1 shows every failing case (not only the first
// five), QPLUG_PROPERTY_DUMP=<folder> writes each failing case's JSON there (with
// QPLUG_PROPERTY_SEED, the case before it runs: a crash's input), and the JSON is a
// scenario file as it is (the tool replay_property_scenario FILE holds such a file against the
// checker; not a test). Cases that differ from the checker only by a known resolver finding
// (tests/data/scenarios/property-findings) are counted, not failed; QPLUG_PROPERTY_STRICT=1
// fails them too.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "property_checker.hpp"
#include "property_generator.hpp"
#include "scenario.hpp"

namespace {

using nlohmann::json;
using namespace qplug::solver;
using namespace qplug::test::property;
using qplug::test::Scenario;

/// Questions for packaging are asked in batches of this many cases.
constexpr std::size_t kChunk = 2000;

struct Stats {
    int solved = 0;
    int unsolvable = 0;
    int too_big = 0;
    std::size_t valid = 0;
    std::map<std::string, int> steps;
    std::map<std::string, int> known; ///< cases that differ only by known findings
    int removes_needed_refused = 0;   ///< removes of a package another one needs: refused
    int removes_needed_solved = 0;    ///< ... or solved (the dependent changed or removed)
};

bool strict() {
    return std::getenv("QPLUG_PROPERTY_STRICT") != nullptr;
}

/// The fewest known findings (property_checker.hpp; up to three) that, modeled, leave no
/// problem; empty when no such set exists.
std::vector<const FindingInfo*> explained_by(const Checker& checker,
                                             const qplug::Expected<Resolution>& result) {
    const auto& all = findings();
    auto clears = [&](const std::vector<const FindingInfo*>& set) {
        Checker modeled = checker;
        for (const auto* f : set) {
            modeled.model(f->id);
        }
        return modeled.verdict(result).problems.empty();
    };
    for (const auto& f : all) {
        if (clears({&f})) {
            return {&f};
        }
    }
    for (std::size_t x = 0; x < all.size(); ++x) {
        for (std::size_t y = x + 1; y < all.size(); ++y) {
            if (clears({&all[x], &all[y]})) {
                return {&all[x], &all[y]};
            }
        }
    }
    for (std::size_t x = 0; x < all.size(); ++x) {
        for (std::size_t y = x + 1; y < all.size(); ++y) {
            for (std::size_t z = y + 1; z < all.size(); ++z) {
                if (clears({&all[x], &all[y], &all[z]})) {
                    return {&all[x], &all[y], &all[z]};
                }
            }
        }
    }
    return {};
}

Scenario load(const json& j, const std::string& name) {
    const std::filesystem::path path =
        std::filesystem::path(testing::TempDir()) / ("qplug-property-" + name + ".json");
    std::ofstream(path) << j.dump(1) << '\n';
    Scenario s = qplug::test::load_scenario(path.string());
    std::filesystem::remove(path);
    return s;
}

std::string describe_plan(const Resolution& r) {
    std::vector<std::string> steps;
    for (const auto& step : r.plan.steps) {
        steps.push_back(qplug::test::describe(step));
    }
    return steps.empty() ? "(nothing to do)" : fmt::format("{}", fmt::join(steps, "; "));
}

/// Resolves one scenario and holds the result against the checker (whose questions the
/// oracle has answered).
void run_scenario(const json& j, const std::string& name, PipOracle& oracle, Stats& stats) {
    oracle.reset_missing();
    Checker checker(j, oracle);
    // QPLUG_PROPERTY_MODEL=f5,f7: expect what qplug does for these findings (for triage).
    if (const char* model = std::getenv("QPLUG_PROPERTY_MODEL")) {
        const std::string codes = std::string(",") + model + ",";
        for (const auto& f : findings()) {
            if (codes.find(std::string(",") + f.code + ",") != std::string::npos) {
                checker.model(f.id);
            }
        }
    }
    ASSERT_FALSE(oracle.missing()) << "the checker asked packaging something new";
    const Scenario s = load(j, name);
    const auto result = resolve(s.available, s.installed, s.requests, s.policy);
    const PlanVerdict v = checker.verdict(result);
    if (result && result->solved) {
        ++stats.solved;
        for (const auto& step : result->plan.steps) {
            ++stats.steps[std::string(action_name(step.action))];
        }
    } else {
        ++stats.unsolvable;
    }
    if (!v.dependents.empty()) {
        ++(result && result->solved ? stats.removes_needed_solved : stats.removes_needed_refused);
    }
    stats.too_big += v.searched_too_big ? 1 : 0;
    stats.valid += v.valid_installations;
    if (v.searched_too_big && result && !result->solved) {
        ADD_FAILURE() << "the generator made an unsolvable case too big to search";
    }
    if (!v.problems.empty() && !strict()) {
        // A case whose only differences are known findings is counted, not failed
        // (QPLUG_PROPERTY_STRICT=1 fails it).
        const auto known = explained_by(checker, result);
        if (!known.empty()) {
            std::vector<std::string> names;
            for (const auto* f : known) {
                names.emplace_back(f->code);
            }
            ++stats.known[fmt::format("{}", fmt::join(names, "+"))];
            return;
        }
    }
    for (const auto& problem : v.problems) {
        ADD_FAILURE() << problem << "\nplan: " << (result ? describe_plan(*result) : "(error)");
    }
}

/// Which seeds a run takes: QPLUG_PROPERTY_SEED (one), else `count` from `first`
/// (QPLUG_PROPERTY_CASES), or as many as QPLUG_PROPERTY_SECONDS allows.
struct Seeds {
    std::uint32_t first = 0;
    std::size_t count = 0;
    double seconds = 0; ///< 0: no time limit

    static Seeds of(std::uint32_t first, int count) {
        Seeds s;
        s.first = first;
        s.count = static_cast<std::size_t>(count);
        if (const char* one = std::getenv("QPLUG_PROPERTY_SEED")) {
            s.first = static_cast<std::uint32_t>(std::stoul(one));
            s.count = 1;
            return s;
        }
        if (const char* seconds = std::getenv("QPLUG_PROPERTY_SECONDS")) {
            s.seconds = std::stod(seconds);
            s.count = std::numeric_limits<std::uint32_t>::max() / 2;
        }
        if (const char* cases = std::getenv("QPLUG_PROPERTY_CASES")) {
            s.count = static_cast<std::size_t>(std::stoul(cases));
        }
        return s;
    }
    std::uint32_t at(std::size_t k) const { return first + static_cast<std::uint32_t>(k); }
};

/// Runs the generated cases of one kind (or the one of QPLUG_PROPERTY_SEED), stopping after
/// a few failures. `min_solved`, `min_unsolvable`: the share of each outcome the generator
/// must produce (it must exercise both); `step`: an action the kind's plans must contain.
void run_cases(Kind kind, std::uint32_t first_seed, int count, double min_solved,
               double min_unsolvable, const char* step) {
    const Seeds seeds = Seeds::of(first_seed, count);
    const auto start = std::chrono::steady_clock::now();
    const bool show_all = std::getenv("QPLUG_PROPERTY_ALL") != nullptr;
    Stats stats;
    int failed = 0;
    std::size_t run = 0;
    PipOracle oracle;
    const testing::TestResult* result =
        testing::UnitTest::GetInstance()->current_test_info()->result();
    for (std::size_t from = 0; from < seeds.count && (failed < 5 || show_all); from += kChunk) {
        if (seeds.seconds > 0 &&
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
                seeds.seconds) {
            break;
        }
        const std::size_t to = std::min(seeds.count, from + kChunk);
        std::vector<json> scenarios;
        for (std::size_t k = from; k < to; ++k) {
            scenarios.push_back(generate_scenario(seeds.at(k), kind));
            // First pass: the checker's questions for packaging.
            try {
                const Checker collect(scenarios.back(), oracle);
            } catch (const std::exception& e) {
                ADD_FAILURE() << "seed " << seeds.at(k) << ": " << e.what() << "\n"
                              << scenarios.back().dump(1);
                return;
            }
        }
        oracle.answer();
        for (std::size_t k = from; k < to; ++k) {
            const std::uint32_t seed = seeds.at(k);
            const int before = result->total_part_count();
            ++run;
            if (const char* dump = std::getenv("QPLUG_PROPERTY_DUMP");
                dump != nullptr && seeds.count == 1) {
                // One case: written before it runs (the input of a crash).
                std::ofstream(std::filesystem::path(dump) / fmt::format("{}.json", seed))
                    << scenarios[k - from].dump(1) << '\n';
            }
            {
                SCOPED_TRACE(
                    fmt::format("seed {} (QPLUG_PROPERTY_SEED={} replays it), scenario:\n{}", seed,
                                seed, scenarios[k - from].dump(1)));
                run_scenario(scenarios[k - from], std::to_string(seed), oracle, stats);
            }
            if (const char* dump = std::getenv("QPLUG_PROPERTY_DUMP");
                dump != nullptr && result->total_part_count() != before) {
                std::ofstream(std::filesystem::path(dump) / fmt::format("{}.json", seed))
                    << scenarios[k - from].dump(1) << '\n';
            }
            // Show a few failing cases, not hundreds (QPLUG_PROPERTY_ALL=1: every one).
            if (result->total_part_count() != before && ++failed >= 5 && !show_all) {
                ADD_FAILURE() << "stopping after 5 failing cases";
                break;
            }
        }
    }
    std::vector<std::string> steps;
    for (const auto& [action, n] : stats.steps) {
        steps.push_back(fmt::format("{} {}", n, action));
    }
    std::vector<std::string> known;
    for (const auto& [names, n] : stats.known) {
        known.push_back(fmt::format("{} {}", n, names));
    }
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::printf("%zu cases (%s) in %.1f s: %d solved, %d unsolvable; steps: %s; %zu valid "
                "installations found, %d cases too big to search; removes of a needed package: "
                "%d refused, %d solved; %zu questions to packaging; cases that differ only by "
                "known findings: %s\n",
                run, std::string(kind_name(kind)).c_str(), elapsed, stats.solved, stats.unsolvable,
                steps.empty() ? "none" : fmt::format("{}", fmt::join(steps, ", ")).c_str(),
                stats.valid, stats.too_big, stats.removes_needed_refused,
                stats.removes_needed_solved, oracle.questions(),
                known.empty() ? "none" : fmt::format("{}", fmt::join(known, ", ")).c_str());
    if (run >= 100 && failed == 0) {
        EXPECT_GE(stats.solved, static_cast<int>(min_solved * static_cast<double>(run)));
        EXPECT_GE(stats.unsolvable, static_cast<int>(min_unsolvable * static_cast<double>(run)));
        EXPECT_LE(stats.too_big, static_cast<int>(run) / 20) << "most cases must be searched";
        EXPECT_GT(stats.steps[step], 0) << "no plan of this kind has a " << step << " step";
    }
}

TEST(ResolveProperty, InstallIntoEmptyTarget) {
    run_cases(Kind::install_fresh, 20250601, 200, 0.2, 0.1, "install");
}

TEST(ResolveProperty, InstallBesideInstalled) {
    run_cases(Kind::install, 20350601, 150, 0.2, 0.1, "keep");
}

TEST(ResolveProperty, UpgradeEverything) {
    run_cases(Kind::upgrade_all, 20450601, 150, 0.5, 0.005, "upgrade");
}

TEST(ResolveProperty, UpgradeByName) {
    run_cases(Kind::upgrade, 20550601, 150, 0.3, 0.05, "upgrade");
}

TEST(ResolveProperty, Remove) {
    run_cases(Kind::remove, 20650601, 150, 0.2, 0.05, "remove");
}

TEST(ResolveProperty, Pin) {
    run_cases(Kind::pin, 20750601, 150, 0.2, 0.1, "downgrade");
}

TEST(ResolveProperty, Downgrade) {
    run_cases(Kind::downgrade, 20850601, 150, 0.2, 0.1, "downgrade");
}

/// Each known finding still happens: each of its scenarios differs from what the checker
/// expects, and only by that finding. (When one is fixed, this fails: move its scenarios into
/// tests/data/scenarios with the plans they now give, and drop the finding.)
TEST(ResolveProperty, KnownFindingsStillHappen) {
    const std::filesystem::path folder =
        std::filesystem::path(QPLUG_TEST_DATA) / "scenarios" / "property-findings";
    std::map<std::string, int> seen;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
        if (entry.path().extension() != ".json") {
            continue;
        }
        const std::string file = entry.path().filename().string();
        SCOPED_TRACE(file);
        // "f8b-...json": finding f8.
        std::string code = file.substr(0, file.find('-'));
        while (!code.empty() && code.back() >= 'a' && code.back() <= 'z') {
            code.pop_back();
        }
        const auto& all = findings();
        const auto f = std::find_if(all.begin(), all.end(),
                                    [&](const FindingInfo& i) { return code == i.code; });
        ASSERT_NE(f, all.end()) << "no known finding " << code;
        ++seen[code];
        std::ifstream in(entry.path());
        const json j = json::parse(in);
        PipOracle oracle;
        { const Checker collect(j, oracle); }
        oracle.answer();
        Checker checker(j, oracle);
        const Scenario s = load(j, "finding");
        const auto result = resolve(s.available, s.installed, s.requests, s.policy);
        EXPECT_FALSE(checker.verdict(result).problems.empty())
            << "qplug now does what the checker expects: " << f->name;
        checker.model(f->id);
        const auto modeled = checker.verdict(result).problems;
        EXPECT_TRUE(modeled.empty())
            << "modeled, the finding still leaves: " << fmt::format("{}", fmt::join(modeled, "\n"));
    }
    for (const auto& f : findings()) {
        EXPECT_EQ(seen.count(f.code), 1U) << "no scenario for " << f.code << ": " << f.name;
    }
}

#ifdef QPLUG_PROPERTY_REPLAY_TOOL
/// The replay tool's one test: a scenario file held against the checker.
class ReplayScenarioFile : public testing::Test {
public:
    explicit ReplayScenarioFile(std::string path) : path_(std::move(path)) {}
    void TestBody() override {
        std::ifstream in(path_);
        ASSERT_TRUE(in) << "cannot read " << path_;
        const json j = json::parse(in);
        PipOracle oracle;
        { const Checker collect(j, oracle); }
        oracle.answer();
        Stats stats;
        run_scenario(j, "file", oracle, stats);
        std::printf("%s: %s%s\n", path_.c_str(), stats.solved > 0 ? "solved" : "unsolvable",
                    stats.known.empty()
                        ? ""
                        : (", differs only by the known finding(s) " + stats.known.begin()->first +
                           " (QPLUG_PROPERTY_STRICT=1 shows how)")
                              .c_str());
    }

private:
    std::string path_;
};
#endif

} // namespace

#ifdef QPLUG_PROPERTY_REPLAY_TOOL
/// replay_property_scenario FILE (a tool, not a test; docs/testing.md): a scenario file (a
/// failing case's JSON as the property test prints it, edited) held against the checker.
int main(int argc, char** argv) {
    testing::InitGoogleTest(&argc, argv);
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SCENARIO.json\n", argv[0]);
        return 2;
    }
    const std::string path = argv[1];
    testing::RegisterTest("Replay", "ScenarioFile", nullptr, nullptr, __FILE__, __LINE__,
                          [path]() -> testing::Test* { return new ReplayScenarioFile(path); });
    testing::GTEST_FLAG(filter) = "Replay.ScenarioFile";
    return RUN_ALL_TESTS();
}
#endif
