// The problem graph of unsolvable scenarios (tests/data/scenarios), asserted as a structure:
// its nodes, edges, causes, paths and solutions, and that the sentences render it one to one.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "scenario.hpp"

namespace {

using namespace qplug::solver;
using Node = ProblemNode;
using Edge = ProblemEdge;
using Cause = ProblemCause;

Explanation explain(const std::string& file) {
    const auto s = qplug::test::load_scenario(std::string(QPLUG_TEST_DATA) + "/scenarios/" + file);
    auto r = resolve(s.available, s.installed, s.requests, s.policy);
    EXPECT_TRUE(r) << r.error().message;
    EXPECT_FALSE(r->solved);
    return r->explanation;
}

/// The node of a package (by key and backend), or npos.
std::size_t package(const ProblemGraph& g, const std::string& name, Backend backend) {
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        if (g.nodes[i].kind == Node::Kind::package && g.nodes[i].name == name &&
            g.nodes[i].backend == backend) {
            return i;
        }
    }
    return std::string::npos;
}

std::size_t node_of(const ProblemGraph& g, Node::Kind kind, const std::string& name) {
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        if (g.nodes[i].kind == kind && g.nodes[i].name == name) {
            return i;
        }
    }
    return std::string::npos;
}

bool has_edge(const ProblemGraph& g, Edge::Kind kind, std::size_t from, std::size_t to) {
    return std::any_of(g.edges.begin(), g.edges.end(), [&](const Edge& e) {
        return e.kind == kind && e.from == from && e.to == to;
    });
}

bool involves(const Cause& c, std::size_t node) {
    return std::find(c.nodes.begin(), c.nodes.end(), node) != c.nodes.end();
}

std::vector<std::string> scenario_files() {
    std::vector<std::string> out;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(QPLUG_TEST_DATA) + "/scenarios")) {
        const std::string name = entry.path().filename().string();
        if (entry.path().extension() != ".json" || name.find("index") != std::string::npos) {
            continue;
        }
        const auto s = qplug::test::load_scenario(entry.path().string());
        if (s.expect.value("unsolvable", false)) {
            out.push_back(name);
        }
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Every unsolvable scenario: the sentences are one rendering of the graph (cause i is
// sentence i), the graph is well formed, each path runs from the root over requires edges.
TEST(ProblemGraph, SentencesRenderTheGraphOfEveryUnsolvableScenario) {
    const auto files = scenario_files();
    ASSERT_GE(files.size(), 15U);
    for (const auto& file : files) {
        SCOPED_TRACE(file);
        const Explanation e = explain(file);
        const ProblemGraph& g = e.problems;
        // libsolv's problems, unless a request named nothing installable (said before it ran).
        const bool before_libsolv =
            std::all_of(g.causes.begin(), g.causes.end(), [](const Cause& c) {
                return c.kind == Cause::Kind::not_installed ||
                       c.kind == Cause::Kind::no_matching_version ||
                       c.kind == Cause::Kind::unknown_package ||
                       c.kind == Cause::Kind::left_out_by_policy;
            });
        EXPECT_EQ(g.problem_count == 0, before_libsolv);
        ASSERT_FALSE(g.nodes.empty());
        EXPECT_EQ(g.nodes[0].kind, Node::Kind::root);
        EXPECT_EQ(std::count_if(g.nodes.begin(), g.nodes.end(),
                                [](const Node& n) { return n.kind == Node::Kind::root; }),
                  1);
        ASSERT_EQ(g.causes.size(), e.summary.size());
        for (std::size_t i = 0; i < g.causes.size(); ++i) {
            EXPECT_EQ(g.causes[i].text, e.summary[i]);
            for (const std::size_t n : g.causes[i].nodes) {
                EXPECT_LT(n, g.nodes.size());
            }
            for (const std::size_t p : g.causes[i].problems) {
                EXPECT_LT(p, g.problem_count);
            }
        }
        ASSERT_EQ(g.solutions.size(), e.solutions.size());
        for (std::size_t i = 0; i < g.solutions.size(); ++i) {
            EXPECT_EQ(g.solutions[i].text, e.solutions[i]);
            EXPECT_FALSE(g.solutions[i].actions.empty());
        }
        ASSERT_EQ(g.paths.size(), e.paths.size());
        for (const auto& path : g.paths) {
            ASSERT_GE(path.size(), 2U);
            EXPECT_EQ(path.front(), 0U);
            for (std::size_t k = 0; k + 1 < path.size(); ++k) {
                EXPECT_TRUE(has_edge(g, Edge::Kind::require, path[k], path[k + 1]))
                    << path[k] << " -> " << path[k + 1];
            }
        }
        for (const Edge& edge : g.edges) {
            EXPECT_LT(edge.from, g.nodes.size());
            EXPECT_LT(edge.to, g.nodes.size());
        }
        // Merged: no two package nodes of one name and backend with the same edges.
        for (std::size_t a = 0; a < g.nodes.size(); ++a) {
            if (g.nodes[a].kind == Node::Kind::package) {
                EXPECT_FALSE(g.nodes[a].versions.empty());
            }
        }
    }
}

// A dependency no repository knows (QGIS: 'missing_id').
TEST(ProblemGraph, MissingDependency) {
    const ProblemGraph g = explain("q05-missing-dependency.json").problems;
    ASSERT_EQ(g.causes.size(), 1U);
    const Cause& c = g.causes[0];
    EXPECT_EQ(c.kind, Cause::Kind::missing);
    EXPECT_EQ(c.subject, "the plugin 'Missing Plugin'");
    const std::size_t orphan = package(g, "orphan_maker", Backend::legacy);
    const std::size_t missing = node_of(g, Node::Kind::missing, c.subject);
    ASSERT_NE(orphan, std::string::npos);
    ASSERT_NE(missing, std::string::npos);
    EXPECT_EQ(g.nodes[orphan].versions, std::vector<std::string>{"1.0"});
    EXPECT_EQ(c.nodes, (std::vector<std::size_t>{orphan, missing}));
    EXPECT_TRUE(has_edge(g, Edge::Kind::require, 0, orphan));
    EXPECT_TRUE(has_edge(g, Edge::Kind::require, orphan, missing));
    EXPECT_TRUE(std::any_of(g.solutions.begin(), g.solutions.end(), [](const auto& s) {
        return s.actions.size() == 1 && s.actions[0].kind == SolutionAction::Kind::add_repository;
    }));
}

// Alpha==2.0 needs QGIS 3.40 while the target is QGIS 3.34.5.
TEST(ProblemGraph, QgisRange) {
    const ProblemGraph g = explain("s04-qgis-too-old.json").problems;
    ASSERT_EQ(g.causes.size(), 1U);
    const Cause& c = g.causes[0];
    EXPECT_EQ(c.kind, Cause::Kind::platform);
    EXPECT_EQ(c.subject.rfind("QGIS 3.40", 0), 0U) << c.subject;
    const std::size_t alpha = package(g, "alpha", Backend::legacy);
    const std::size_t qgis = node_of(g, Node::Kind::constraint, "qgis");
    const std::size_t range = node_of(g, Node::Kind::missing, c.subject);
    ASSERT_NE(alpha, std::string::npos);
    ASSERT_NE(qgis, std::string::npos);
    ASSERT_NE(range, std::string::npos);
    EXPECT_EQ(g.nodes[alpha].versions, std::vector<std::string>{"2.0"});
    EXPECT_EQ(g.nodes[qgis].versions, std::vector<std::string>{"3.34.5"});
    EXPECT_TRUE(involves(c, alpha) && involves(c, qgis) && involves(c, range));
    EXPECT_TRUE(has_edge(g, Edge::Kind::require, 0, alpha));
    EXPECT_TRUE(has_edge(g, Edge::Kind::require, alpha, range));
    ASSERT_FALSE(g.solutions.empty());
    const auto& drop = g.solutions[0].actions;
    ASSERT_EQ(drop.size(), 1U);
    EXPECT_EQ(drop[0].kind, SolutionAction::Kind::drop_request);
    EXPECT_EQ(drop[0].nodes, std::vector<std::size_t>{alpha});
    EXPECT_EQ(drop[0].versions, std::vector<std::string>{"2.0"});
}

// Two plugins whose requirements.txt pin numpy apart: two versions of one pip package.
TEST(ProblemGraph, PipRequirementsOfTwoPluginsConflict) {
    const ProblemGraph g = explain("s16-requirements-conflict.json").problems;
    if (std::getenv("QPLUG_PROBLEMS_PRINT") != nullptr) {
        std::cout << problem_graph_json(g) << std::endl;
    }
    const auto one = std::find_if(g.causes.begin(), g.causes.end(), [](const Cause& c) {
        return c.kind == Cause::Kind::one_version;
    });
    ASSERT_NE(one, g.causes.end());
    EXPECT_EQ(one->subject, "numpy (pip)");
    const std::size_t old_stats = package(g, "old_stats", Backend::legacy);
    const std::size_t new_stats = package(g, "new_stats", Backend::legacy);
    ASSERT_NE(old_stats, std::string::npos);
    ASSERT_NE(new_stats, std::string::npos);
    EXPECT_TRUE(involves(*one, old_stats) && involves(*one, new_stats));
    // numpy 1.26.4 (what Old Stats pins) and the 2.x releases New Stats accepts are not
    // siblings (other parents): nodes apart, the pinned one in conflict with a newer one.
    std::size_t pinned = std::string::npos;
    std::vector<std::size_t> newer;
    for (std::size_t i = 0; i < g.nodes.size(); ++i) {
        if (g.nodes[i].kind == Node::Kind::package && g.nodes[i].name == "numpy") {
            (g.nodes[i].versions == std::vector<std::string>{"1.26.4"} ? pinned
                                                                       : newer.emplace_back()) = i;
        }
    }
    ASSERT_NE(pinned, std::string::npos);
    ASSERT_FALSE(newer.empty());
    EXPECT_TRUE(has_edge(g, Edge::Kind::require, old_stats, pinned));
    EXPECT_TRUE(std::any_of(newer.begin(), newer.end(), [&](std::size_t n) {
        return has_edge(g, Edge::Kind::require, new_stats, n) &&
               g.edges.end() != std::find_if(g.edges.begin(), g.edges.end(), [&](const Edge& e) {
                   return e.kind == Edge::Kind::conflicts &&
                          ((e.from == n && e.to == pinned) || (e.from == pinned && e.to == n));
               });
    }));
    // The sentences merge them: "required as ==1.26.4 by Old Stats ...; >=2.0 by New Stats".
    EXPECT_NE(one->text.find("==1.26.4 by Old Stats 1.0 (legacy); >=2.0 by New Stats 1.0"),
              std::string::npos);
}

// conda shapely while pip shapely is installed: one module from two backends.
TEST(ProblemGraph, ModuleFromTwoBackends) {
    const ProblemGraph g = explain("s05-module-conflict.json").problems;
    const auto module = std::find_if(g.causes.begin(), g.causes.end(), [](const Cause& c) {
        return c.kind == Cause::Kind::module_conflict;
    });
    ASSERT_NE(module, g.causes.end());
    EXPECT_EQ(module->subject, "shapely");
    const std::size_t conda = package(g, "shapely", Backend::conda);
    const std::size_t pip = package(g, "shapely", Backend::pip);
    ASSERT_NE(conda, std::string::npos);
    ASSERT_NE(pip, std::string::npos);
    EXPECT_EQ(g.nodes[pip].installed, std::vector<std::string>{"2.0.1"});
    EXPECT_TRUE(involves(*module, conda) && involves(*module, pip));
    EXPECT_TRUE(has_edge(g, Edge::Kind::conflicts, conda, pip) ||
                has_edge(g, Edge::Kind::conflicts, pip, conda));
    // "remove shapely 2.0.1 (pip, installed)" as an action on the pip node.
    EXPECT_TRUE(std::any_of(g.solutions.begin(), g.solutions.end(), [&](const auto& s) {
        return std::any_of(s.actions.begin(), s.actions.end(), [&](const SolutionAction& a) {
            return a.kind == SolutionAction::Kind::remove &&
                   a.nodes == std::vector<std::size_t>{pip} &&
                   a.versions == std::vector<std::string>{"2.0.1"};
        });
    }));
}

// The JSON carries the same graph.
TEST(ProblemGraph, Json) {
    const Explanation e = explain("s04-qgis-too-old.json");
    const auto j = nlohmann::json::parse(problem_graph_json(e.problems));
    EXPECT_EQ(j.at("count"), e.problems.problem_count);
    EXPECT_EQ(j.at("nodes").size(), e.problems.nodes.size());
    EXPECT_EQ(j.at("nodes")[0].at("kind"), "root");
    EXPECT_EQ(j.at("causes")[0].at("kind"), "platform");
    EXPECT_EQ(j.at("causes")[0].at("text"), e.summary[0]);
    EXPECT_EQ(j.at("solutions")[0].at("actions")[0].at("kind"), "drop_request");
}

} // namespace
