// Resolution scenarios (tests/data/scenarios): the plans and explanations of
// solver-design.md section 3 and of QGIS's plugin_dependencies handling (qgis-facts.md 5).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "scenario.hpp"

namespace {

using nlohmann::json;
using namespace qplug::solver;
using qplug::test::Scenario;

std::vector<std::string> scenario_files() {
    std::vector<std::string> files;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(QPLUG_TEST_DATA) + "/scenarios")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() == ".json" && name.find("index") == std::string::npos) {
            files.push_back(entry.path().string());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

std::string render(const Resolution& r) {
    std::string out;
    if (r.solved) {
        for (const auto& s : r.plan.steps) {
            out += "  step: " + qplug::test::describe(s) + " (" + s.reason + ")\n";
        }
        for (const auto& n : r.plan.load_order) {
            out += "  load: " + n + "\n";
        }
        for (const auto& [name, chain] : r.why) {
            for (const auto& line : chain) {
                out += "  why " + name + ": " + line + "\n";
            }
        }
    } else {
        for (const auto& line : r.explanation.summary) {
            out += "  summary: " + line + "\n";
        }
        for (const auto& line : r.explanation.paths) {
            out += "  path: " + line + "\n";
        }
        for (const auto& line : r.explanation.solutions) {
            out += "  solution: " + line + "\n";
        }
    }
    for (const auto& w : r.plan.warnings) {
        out += "  warning: " + w + "\n";
    }
    return out;
}

std::vector<std::string> strings(const json& j) {
    return j.get<std::vector<std::string>>();
}

class ResolveScenario : public testing::TestWithParam<std::string> {};

TEST_P(ResolveScenario, GivesTheExpectedPlanOrExplanation) {
    const Scenario s = qplug::test::load_scenario(GetParam());
    auto result = resolve(s.available, s.installed, s.requests, s.policy);
    ASSERT_TRUE(result) << result.error().message;
    const Resolution& r = *result;
    SCOPED_TRACE(s.title + "\n" + render(r));
    if (std::getenv("QPLUG_SCENARIO_PRINT") != nullptr) {
        std::cout << s.title << "\n" << render(r) << std::flush;
    }
    const json& e = s.expect;
    if (e.value("unsolvable", false)) {
        ASSERT_FALSE(r.solved);
        if (std::getenv("QPLUG_SCENARIO_UPDATE") != nullptr && e.contains("summary")) {
            // Writes what the explanation says into the scenario, for review in the diff.
            std::ifstream in(GetParam());
            json file = json::parse(in);
            file["expect"]["summary"] = r.explanation.summary;
            file["expect"]["paths"] = r.explanation.paths;
            file["expect"]["solutions"] = r.explanation.solutions;
            std::ofstream(GetParam()) << file.dump(1) << '\n';
        }
        // "mentions": what the explanation must say somewhere (the plugin, the versions,
        // the fix), whatever its wording.
        std::string all;
        for (const auto* lines :
             {&r.explanation.summary, &r.explanation.paths, &r.explanation.solutions}) {
            for (const auto& line : *lines) {
                all += line + "\n";
            }
        }
        for (const auto& m : e.value("mentions", json::array())) {
            EXPECT_NE(all.find(m.get<std::string>()), std::string::npos)
                << "the explanation does not mention '" << m.get<std::string>() << "'";
        }
        for (const char* part : {"summary", "paths", "solutions"}) {
            if (!e.contains(part)) {
                continue;
            }
            const auto& got = std::string(part) == "summary" ? r.explanation.summary
                              : std::string(part) == "paths" ? r.explanation.paths
                                                             : r.explanation.solutions;
            EXPECT_EQ(got, strings(e.at(part))) << part;
        }
        return;
    }
    ASSERT_TRUE(r.solved);
    if (e.contains("plan")) {
        std::vector<std::string> got;
        for (const auto& step : r.plan.steps) {
            got.push_back(qplug::test::describe(step));
        }
        // In the plan's order: what a step needs comes before it.
        EXPECT_EQ(got, strings(e.at("plan")));
    }
    if (e.contains("load_order")) {
        EXPECT_EQ(r.plan.load_order, strings(e.at("load_order")));
    }
    const json why = e.value("why", json::object());
    for (const auto& [name, lines] : why.items()) {
        auto it = std::find_if(r.why.begin(), r.why.end(),
                               [&](const auto& w) { return w.first == name; });
        ASSERT_NE(it, r.why.end()) << "no 'why' for " << name;
        for (const auto& line : lines) {
            EXPECT_NE(std::find(it->second.begin(), it->second.end(), line.get<std::string>()),
                      it->second.end())
                << line;
        }
    }
    const json warnings = e.value("warnings", json::array());
    for (const auto& w : warnings) {
        EXPECT_TRUE(std::any_of(r.plan.warnings.begin(), r.plan.warnings.end(),
                                [&](const std::string& got) {
                                    return got.find(w.get<std::string>()) != std::string::npos;
                                }))
            << w;
    }
}

std::string test_name(const testing::TestParamInfo<std::string>& info) {
    std::string name = std::filesystem::path(info.param).stem().string();
    std::replace_if(
        name.begin(), name.end(), [](char c) { return !std::isalnum(c); }, '_');
    return name;
}

INSTANTIATE_TEST_SUITE_P(Scenarios, ResolveScenario, testing::ValuesIn(scenario_files()),
                         test_name);

} // namespace
