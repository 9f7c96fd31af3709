// Resolution scenarios as data (tests/data/scenarios/*.json, format in its README.md): the
// releases of each repository and what is installed, written as their sources publish them
// (metadata.txt keys, Requires-Dist lines, conda match specs) and turned into index records by
// the same functions the sources use.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <qplug/solver/resolve.hpp>

namespace qplug::test {

struct Scenario {
    std::string title;
    std::vector<solver::ReleaseRecord> available;
    std::vector<solver::ReleaseRecord> installed;
    std::vector<solver::Request> requests;
    solver::Policy policy;
    nlohmann::json expect;
};

/// Reads a scenario; a shared index ("index": "toy-index.json") is read from the same folder.
Scenario load_scenario(const std::string& path);

/// One release as its source reports it, for scenarios and property tests.
solver::ReleaseRecord release_from_json(const nlohmann::json& j, solver::Backend backend,
                                        const std::string& repository, int priority,
                                        std::int64_t repository_id, std::int64_t id);

/// "install legacy:alpha 1.2", "upgrade pip:numpy 1.26.4 -> 2.1.3", "remove conda:x 1".
std::string describe(const solver::PlanStep& step);

} // namespace qplug::test
