// SPDX-License-Identifier: GPL-2.0-or-later
#include "property_reference.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <unistd.h>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#ifndef QPLUG_PYTHON
#define QPLUG_PYTHON "/usr/bin/python3"
#endif

namespace qplug::test::property {

using nlohmann::json;

int PipOracle::rank(const std::string& version) {
    ++asked_;
    if (versions_.insert(version).second) {
        ranks_stale_ = true;
    }
    if (ranks_stale_) {
        missing_ = true;
        return 0;
    }
    return ranks_.at(version);
}

bool PipOracle::contains(const std::string& version, const std::string& spec, bool prereleases) {
    ++asked_;
    auto [it, added] = contains_.try_emplace({version, spec, prereleases});
    if (!it->second) {
        missing_ = true;
        return false;
    }
    return it->second.value_or(false);
}

PipRequirement PipOracle::requirement(const std::string& line) {
    ++asked_;
    Line& l = lines_[line];
    if (!l.parsed) {
        missing_ = true;
        PipRequirement placeholder;
        placeholder.error = "not answered yet";
        return placeholder;
    }
    return *l.parsed;
}

bool PipOracle::applies(const std::string& line, const std::string& python,
                        const std::string& platform, const std::string& extra) {
    ++asked_;
    environments_.emplace(python, platform);
    extras_.insert(extra);
    Line& l = lines_[line];
    const auto found = l.applies.find({python, platform, extra});
    if (found == l.applies.end()) {
        missing_ = true;
        return false;
    }
    return found->second;
}

bool PipOracle::requirement_contains(const std::string& line, const std::string& version,
                                     bool prereleases) {
    ++asked_;
    versions_.insert(version);
    Line& l = lines_[line];
    const auto found = l.contains.find(version);
    if (found == l.contains.end()) {
        missing_ = true;
        return false;
    }
    return prereleases ? found->second.second : found->second.first;
}

namespace {

/// Runs the oracle script on `questions`; its answers.
json ask_python(const json& questions) {
    const std::filesystem::path input =
        std::filesystem::temp_directory_path() /
        fmt::format("qplug-property-questions-{}.json", static_cast<long>(::getpid()));
    std::ofstream(input) << questions.dump();
    const std::string command =
        fmt::format("'{}' '{}' < '{}'", QPLUG_PYTHON, QPLUG_PACKAGING_ORACLE, input.string());
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        std::filesystem::remove(input);
        throw std::runtime_error("cannot run " + command);
    }
    std::string output;
    char buffer[65536];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        output.append(buffer, n);
    }
    const int status = ::pclose(pipe);
    std::filesystem::remove(input);
    if (status != 0) {
        throw std::runtime_error(fmt::format("{} failed (status {})", command, status));
    }
    return json::parse(output);
}

} // namespace

void PipOracle::answer() {
    json questions = json::object();
    std::vector<std::string> versions(versions_.begin(), versions_.end());
    questions["versions"] = versions;
    json contains = json::array();
    std::vector<std::tuple<std::string, std::string, bool>> pending;
    for (const auto& [key, value] : contains_) {
        if (!value) {
            const auto& [v, spec, pre] = key;
            contains.push_back(json::array({v, spec, pre ? json(true) : json(nullptr)}));
            pending.push_back(key);
        }
    }
    questions["contains"] = contains;
    // Every line not answered for every environment and version, asked for all of them.
    std::vector<std::string> lines;
    for (const auto& [line, l] : lines_) {
        bool complete = l.parsed.has_value();
        for (const auto& [python, platform] : environments_) {
            for (const auto& extra : extras_) {
                complete = complete && (l.applies.count({python, platform, extra}) != 0 ||
                                        !l.parsed->error.empty());
            }
        }
        for (const auto& v : versions_) {
            complete = complete && (l.contains.count(v) != 0 || !l.parsed->error.empty());
        }
        if (!complete) {
            lines.push_back(line);
        }
    }
    std::vector<std::pair<std::string, std::string>> envs(environments_.begin(),
                                                          environments_.end());
    questions["requirements"] = lines;
    json env_list = json::array();
    for (const auto& [python, platform] : envs) {
        env_list.push_back(json::array({python, platform}));
    }
    questions["environments"] = env_list;
    std::vector<std::string> extras;
    for (const auto& e : extras_) {
        if (!e.empty()) {
            extras.push_back(e);
        }
    }
    questions["extras"] = extras;

    const json answers = ask_python(questions);
    const auto& ranks = answers.at("ranks");
    for (std::size_t i = 0; i < versions.size(); ++i) {
        ranks_[versions[i]] = ranks.at(i).get<int>();
    }
    ranks_stale_ = false;
    const auto& contained = answers.at("contains");
    for (std::size_t i = 0; i < pending.size(); ++i) {
        // An invalid version or specifier matches nothing (qplug's reading as well).
        contains_[pending[i]] = contained.at(i).is_boolean() && contained.at(i).get<bool>();
    }
    const auto& requirements = answers.at("requirements");
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const json& a = requirements.at(i);
        Line& l = lines_[lines[i]];
        PipRequirement r;
        if (a.contains("error")) {
            r.error = a.at("error").get<std::string>();
        } else {
            r.name = a.at("name").get<std::string>();
            r.extras = a.at("extras").get<std::vector<std::string>>();
            r.specifier = a.at("specifier").get<std::string>();
            r.marker_extras = a.at("marker_extras").get<std::vector<std::string>>();
            for (std::size_t e = 0; e < envs.size(); ++e) {
                const auto holds = a.at("applies").at(e).get<std::vector<bool>>();
                l.applies[{envs[e].first, envs[e].second, ""}] = holds.at(0);
                for (std::size_t x = 0; x < extras.size(); ++x) {
                    l.applies[{envs[e].first, envs[e].second, extras[x]}] = holds.at(x + 1);
                }
            }
            for (std::size_t k = 0; k < versions.size(); ++k) {
                const json& c = a.at("contains").at(k);
                // An invalid version matches nothing (qplug's reading as well).
                l.contains[versions[k]] = {c.at(0).is_boolean() && c.at(0).get<bool>(),
                                           c.at(1).is_boolean() && c.at(1).get<bool>()};
            }
        }
        l.parsed = r;
    }
}

// ---- plain code ----------------------------------------------------------------------------

namespace {

std::vector<std::string> split(const std::string& text, char at) {
    std::vector<std::string> out;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, at)) {
        out.push_back(part);
    }
    if (!text.empty() && text.back() == at) {
        out.emplace_back();
    }
    return out;
}

std::string strip(const std::string& text) {
    const auto b = text.find_first_not_of(" \t");
    if (b == std::string::npos) {
        return "";
    }
    return text.substr(b, text.find_last_not_of(" \t") - b + 1);
}

/// One "op V" clause: the operator and the version.
std::pair<std::string, std::string> clause(const std::string& text) {
    std::size_t i = 0;
    while (i < text.size() && std::string_view("=<>!~").find(text[i]) != std::string::npos) {
        ++i;
    }
    return {text.substr(0, i), strip(text.substr(i))};
}

bool compare_holds(const std::string& op, int order, const std::string& spec) {
    if (op == "==") {
        return order == 0;
    }
    if (op == "!=") {
        return order != 0;
    }
    if (op == "<") {
        return order < 0;
    }
    if (op == "<=") {
        return order <= 0;
    }
    if (op == ">") {
        return order > 0;
    }
    if (op == ">=") {
        return order >= 0;
    }
    throw std::runtime_error("the property checker does not read the spec '" + spec + "'");
}

std::vector<long> numbers(const std::string& version) {
    std::vector<long> out;
    for (const auto& part : split(version, '.')) {
        if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
            throw std::runtime_error("the property checker orders no conda version '" + version +
                                     "'");
        }
        out.push_back(std::stol(part));
    }
    return out;
}

} // namespace

int legacy_rank(const std::string& version) {
    static const std::vector<std::string> order{"0.9", "1.0", "1.1", "1.2.0", "1.5", "2.0", "2.1"};
    const auto it = std::find(order.begin(), order.end(), version);
    if (it == order.end()) {
        throw std::runtime_error("the property checker orders no plugin version '" + version + "'");
    }
    return static_cast<int>(it - order.begin());
}

bool legacy_meets(const std::string& version, const std::string& spec) {
    if (strip(spec).empty()) {
        return true;
    }
    for (const auto& part : split(spec, ',')) {
        const auto [op, v] = clause(strip(part));
        if (!compare_holds(op, legacy_rank(version) - legacy_rank(v), spec)) {
            return false;
        }
    }
    return true;
}

int conda_compare(const std::string& a, const std::string& b) {
    auto x = numbers(a);
    auto y = numbers(b);
    const std::size_t n = std::max(x.size(), y.size());
    x.resize(n, 0);
    y.resize(n, 0);
    return x < y ? -1 : x > y ? 1 : 0;
}

bool conda_meets(const std::string& version, const std::string& spec) {
    const std::string s = strip(spec);
    if (s.empty() || s == "*") {
        return true;
    }
    if (s.find('|') != std::string::npos) {
        throw std::runtime_error("the property checker does not read the conda spec '" + s + "'");
    }
    for (const auto& part : split(s, ',')) {
        const std::string c = strip(part);
        if (c.size() > 2 && c.ends_with(".*") && c.find_first_of("=<>!~") == std::string::npos) {
            // "1.0.*": the version's parts start with these.
            const auto prefix = numbers(c.substr(0, c.size() - 2));
            const auto parts = numbers(version);
            if (parts.size() < prefix.size() ||
                !std::equal(prefix.begin(), prefix.end(), parts.begin())) {
                return false;
            }
            continue;
        }
        const auto [op, v] = clause(c);
        if (!compare_holds(op, conda_compare(version, v), s)) {
            return false;
        }
    }
    return true;
}

bool qgis_compatible(const std::string& current, const std::string& minimum,
                     const std::string& maximum) {
    // version_compare.py: keep digits and dots, split into 2 or 3 numbers of at most 99
    // (else not compatible), pad (minimum and current with 0, the maximum with 99), compare.
    auto parts = [](const std::string& text, long pad) -> std::optional<std::vector<long>> {
        std::string kept;
        for (const char c : text) {
            if ((c >= '0' && c <= '9') || c == '.') {
                kept.push_back(c);
            }
        }
        std::vector<long> out;
        for (const auto& p : split(kept, '.')) {
            if (p.empty() || p.size() > 2) {
                return std::nullopt;
            }
            out.push_back(std::stol(p));
        }
        if (out.size() != 2 && out.size() != 3) {
            return std::nullopt;
        }
        if (out.size() == 2) {
            out.push_back(pad);
        }
        return out;
    };
    if (minimum.empty()) {
        return false;
    }
    // installer_data.py: no maximum is the minimum's first character and ".99".
    const std::string max = maximum.empty() ? minimum.substr(0, 1) + ".99" : maximum;
    const auto lo = parts(minimum, 0);
    const auto hi = parts(max, 99);
    const auto cur = parts(current, 0);
    return lo && hi && cur && *lo <= *cur && *cur <= *hi;
}

} // namespace qplug::test::property
