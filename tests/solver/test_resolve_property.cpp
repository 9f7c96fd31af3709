// A property test of the resolver: random small indexes across the three backends, random
// requests; every plan must satisfy every constraint as an independent checker in this file
// decides it (libversion's matchers only, never libsolv nor solver/src/solv), and every
// "unsolvable" must be confirmed by trying every possible installation.
//
// Each case is a scenario in the format of tests/data/scenarios/README.md, read by the
// sources' own functions (qplug::test::load_scenario). A failure prints its seed and the
// scenario JSON: QPLUG_PROPERTY_SEED=<seed> replays one case, QPLUG_PROPERTY_CASES=<n> runs
// more (or fewer) cases, QPLUG_PROPERTY_ALL=1 shows every failing case (not only the first
// five), and the JSON can be saved as a scenario file as it is (the tool
// replay_property_scenario FILE holds such a file against the checker; not a test).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <qplug/version/compat.hpp>
#include <qplug/version/pep508.hpp>
#include <qplug/version/scheme.hpp>

#include "scenario.hpp"

namespace {

using nlohmann::json;
using namespace qplug::solver;
namespace version = qplug::version;
using qplug::test::Scenario;

constexpr std::uint32_t kFirstSeed = 20250601;
constexpr int kDefaultCases = 300;
constexpr int kDefaultInstalledCases = 100;
/// The most installations the exhaustive search may try for one case (6 packages of 3
/// releases and an installed one give 5^6 = 15625).
constexpr std::size_t kMaxAssignments = 20000;

// ---------------------------------------------------------------------------------------------
// The generator
// ---------------------------------------------------------------------------------------------

class Random {
public:
    explicit Random(std::uint32_t seed) : rng_(seed) {}
    bool chance(double p) { return std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < p; }
    std::size_t below(std::size_t n) {
        return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    }
    int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
    template <class T>
    T pick(const std::vector<T>& items) {
        return items[below(items.size())];
    }

private:
    std::mt19937 rng_;
};

struct GenPackage {
    Backend backend = Backend::legacy;
    std::string key;  ///< folder, normalized pip name, conda name
    std::string name; ///< a plugin's metadata name, a pip project's published name
    std::vector<std::string> versions;
};

const std::vector<std::string>& versions_of(Backend backend) {
    static const std::vector<std::string> legacy{"0.9", "1.0", "1.1", "1.2.0", "2.0", "2.1"};
    static const std::vector<std::string> pip{"0.9", "1.0", "1.1", "1.5", "2.0", "2.1b1", "3.0rc1"};
    static const std::vector<std::string> conda{"0.9", "1.0", "1.1", "1.5", "2.0", "2.1"};
    return backend == Backend::legacy ? legacy : backend == Backend::pip ? pip : conda;
}

class Generator {
public:
    /// `installed`: whether something is installed (then downgrades and removals are
    /// allowed, so that every installation can be reached).
    Generator(std::uint32_t seed, bool installed)
        : random_(seed), seed_(seed), installed_(installed) {}

    json scenario() {
        json s;
        s["title"] = fmt::format("property test, seed {}", seed_);
        s["qgis"] = random_.pick<std::string>({"3.34.5", "3.40.0", "3.44.1"});
        s["python"] = random_.pick<std::string>({"3.11", "3.12.3", "3.9"});
        make_packages();
        json legacy = json::array(), pip = json::array(), conda = json::array();
        for (std::size_t i = 0; i < packages_.size(); ++i) {
            const GenPackage& p = packages_[i];
            for (const auto& v : p.versions) {
                json r = release(i, v);
                (p.backend == Backend::legacy ? legacy
                 : p.backend == Backend::pip  ? pip
                                              : conda)
                    .push_back(std::move(r));
            }
        }
        s["repositories"] =
            json::array({{{"name", "plugins.example"}, {"backend", "legacy"}, {"releases", legacy}},
                         {{"name", "pypi.example"}, {"backend", "pip"}, {"releases", pip}},
                         {{"name", "conda.example"}, {"backend", "conda"}, {"releases", conda}}});
        json policy = json::object();
        json installed = json::array();
        if (installed_) {
            // Something installed; any installation must stay reachable from it.
            const int count = random_.between(1, 2);
            std::set<std::size_t> taken;
            for (int k = 0; k < count; ++k) {
                const std::size_t i = random_.below(packages_.size());
                if (!taken.insert(i).second) {
                    continue;
                }
                const std::string v = random_.chance(0.7)
                                          ? random_.pick(packages_[i].versions)
                                          : random_.pick(versions_of(packages_[i].backend));
                json r = release(i, v);
                if (random_.chance(0.7)) {
                    consistent(r, packages_[i].backend);
                }
                r["backend"] = std::string(backend_name(packages_[i].backend));
                installed.push_back(std::move(r));
            }
            policy["allow_uninstall"] = true;
            policy["allow_downgrade"] = true;
        }
        s["installed"] = installed;
        if (random_.chance(0.2)) {
            policy["allow_experimental"] = true;
        }
        if (random_.chance(0.15)) {
            const GenPackage& p = random_.pick(packages_);
            if (p.backend == Backend::legacy) {
                policy["experimental_for"] = json::array({random_.chance(0.5) ? p.name : p.key});
            }
        }
        if (random_.chance(0.2)) {
            policy["allow_deprecated"] = true;
        }
        if (random_.chance(0.3)) {
            const GenPackage& p = random_.pick(packages_);
            const std::string name =
                p.backend != Backend::conda && random_.chance(0.4) ? p.name : p.key;
            const std::string target =
                random_.chance(0.4) ? std::string(backend_name(p.backend)) + ":" + name : name;
            policy["pins"] = json::array({json::array(
                {target, random_.pick<std::string>({"<2", ">=1.0", "==1.0", "!=1.1", "<1.5"})})});
        }
        s["policy"] = policy;
        json requests = json::array();
        const int count = random_.between(1, 2);
        for (int k = 0; k < count; ++k) {
            requests.push_back("install " + request_text(random_.pick(packages_)));
        }
        s["requests"] = requests;
        s["expect"] = json::object();
        return s;
    }

private:
    void make_packages() {
        const int n = random_.between(3, 6);
        for (int i = 0; i < n; ++i) {
            const char letter = static_cast<char>('a' + i);
            const char upper = static_cast<char>('A' + i);
            GenPackage p;
            const int b = random_.between(0, 2);
            p.backend = b == 0 ? Backend::legacy : b == 1 ? Backend::pip : Backend::conda;
            switch (p.backend) {
            case Backend::legacy:
                p.key = fmt::format("plugin_{}", letter);
                p.name = random_.chance(0.5) ? fmt::format("Plugin {}", upper)
                                             : fmt::format("Plugin{}", upper);
                break;
            case Backend::pip: {
                // Sometimes the name a legacy plugin's folder has (a request then names both).
                const auto legacy = find(Backend::legacy);
                if (legacy && random_.chance(0.2)) {
                    p.name = packages_[*legacy].key;
                    std::transform(p.name.begin(), p.name.end(), p.name.begin(),
                                   [](char c) { return c == 'p' ? 'P' : c; });
                } else {
                    p.name = random_.pick(std::vector<std::string>{fmt::format("lib-{}", letter),
                                                                   fmt::format("Lib_{}", upper),
                                                                   fmt::format("lib.{}", letter)});
                }
                p.key = pep503(p.name);
                break;
            }
            case Backend::conda: {
                // Sometimes the name of a pip project: the same module from two backends.
                const auto pip = find(Backend::pip);
                p.key = pip && random_.chance(0.35) ? packages_[*pip].key
                                                    : fmt::format("pkg-{}", letter);
                p.name = p.key;
                break;
            }
            }
            // One package per backend and name (a conda package constraining itself is not
            // the point here).
            if (std::any_of(packages_.begin(), packages_.end(), [&](const GenPackage& q) {
                    return q.backend == p.backend && q.key == p.key;
                })) {
                p.key = (p.backend == Backend::pip ? "lib-" : "pkg-") + std::string(1, letter);
                p.name = p.key;
            }
            std::vector<std::string> all = versions_of(p.backend);
            std::shuffle(all.begin(), all.end(), std::mt19937(seed_ + static_cast<unsigned>(i)));
            all.resize(static_cast<std::size_t>(random_.between(1, 3)));
            // In the order the list gives them (oldest first), for readable JSON.
            for (const auto& v : versions_of(p.backend)) {
                if (std::find(all.begin(), all.end(), v) != all.end()) {
                    p.versions.push_back(v);
                }
            }
            packages_.push_back(std::move(p));
        }
    }

    static std::string pep503(std::string_view name) {
        std::string out;
        for (const char c : name) {
            if (c == '-' || c == '_' || c == '.') {
                if (out.empty() || out.back() != '-') {
                    out.push_back('-');
                }
            } else {
                out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
            }
        }
        return out;
    }

    std::optional<std::size_t> find(Backend backend) const {
        std::vector<std::size_t> found;
        for (std::size_t i = 0; i < packages_.size(); ++i) {
            if (packages_[i].backend == backend) {
                found.push_back(i);
            }
        }
        if (found.empty()) {
            return std::nullopt;
        }
        return found.back();
    }

    /// A version to name in a spec: mostly one the target has.
    std::string some_version(const GenPackage& p) {
        return random_.chance(0.8) ? random_.pick(p.versions)
                                   : random_.pick(versions_of(p.backend));
    }

    std::string pip_spec(const GenPackage& p) {
        switch (random_.between(0, 6)) {
        case 0:
            return "";
        case 1:
            return ">=" + some_version(p);
        case 2:
            return fmt::format(">={},<{}", some_version(p), some_version(p));
        case 3:
            return "==" + some_version(p);
        case 4:
            return "!=" + some_version(p);
        case 5:
            return "<" + some_version(p);
        default:
            return "~=" + some_version(p);
        }
    }

    std::string conda_spec(const GenPackage& p) {
        switch (random_.between(0, 4)) {
        case 0:
            return "";
        case 1:
            return " >=" + some_version(p);
        case 2:
            return fmt::format(" >={},<{}", some_version(p), some_version(p));
        case 3:
            return " " + some_version(p) + ".*";
        default:
            return " <" + some_version(p);
        }
    }

    /// Modules of a pip or conda release: the guessed one, sometimes one shared with another
    /// backend (a plugin's folder, or a module every backend may ship).
    json modules(const GenPackage& p) {
        std::string guessed = p.key;
        std::replace(guessed.begin(), guessed.end(), '-', '_');
        if (!random_.chance(0.25)) {
            return json::array({guessed});
        }
        std::vector<std::string> shared{"shared_mod"};
        for (const auto& q : packages_) {
            if (q.backend == Backend::legacy) {
                shared.push_back(q.key);
            }
        }
        return json::array({guessed, random_.pick(shared)});
    }

    json release(std::size_t index, const std::string& v) {
        const GenPackage& p = packages_[index];
        json r;
        switch (p.backend) {
        case Backend::legacy: {
            json m;
            m["name"] = p.name;
            m["version"] = v;
            m["description"] = "a generated plugin";
            m["qgisMinimumVersion"] =
                random_.pick<std::string>({"3.0", "3.22", "3.34", "3.40", "3.42"});
            if (random_.chance(0.5)) {
                m["qgisMaximumVersion"] = random_.pick<std::string>({"3.28", "3.99", "4.99"});
            }
            std::vector<std::string> deps;
            for (std::size_t j = 0; j < packages_.size(); ++j) {
                const GenPackage& q = packages_[j];
                if (j == index || q.backend != Backend::legacy || !random_.chance(0.4)) {
                    continue;
                }
                deps.push_back(random_.chance(0.5) ? q.name : q.name + "==" + some_version(q));
            }
            if (random_.chance(0.04)) {
                deps.emplace_back("Missing Plugin");
            }
            if (!deps.empty()) {
                m["plugin_dependencies"] = fmt::format("{}", fmt::join(deps, ","));
            }
            if (random_.chance(0.2)) {
                m["experimental"] = "True";
            }
            if (random_.chance(0.08)) {
                m["deprecated"] = "True";
            }
            r["key"] = p.key;
            r["metadata"] = std::move(m);
            break;
        }
        case Backend::pip: {
            r["name"] = p.name;
            r["version"] = v;
            r["requires_python"] =
                random_.pick<std::string>({"", "", "", ">=3.8", ">=3.12", "<3", ">=3.9,<3.11"});
            json deps = json::array();
            for (std::size_t j = 0; j < packages_.size(); ++j) {
                const GenPackage& q = packages_[j];
                if (j == index || q.backend != Backend::pip || !random_.chance(0.4)) {
                    continue;
                }
                std::string line = random_.chance(0.7) ? q.name : q.key;
                if (random_.chance(0.12)) {
                    line += "[fast]";
                }
                line += pip_spec(q);
                if (random_.chance(0.15)) {
                    line += random_.pick<std::string>({"; python_version < \"3.8\"",
                                                       "; sys_platform == \"win32\"",
                                                       "; python_version >= \"3.8\""});
                }
                deps.push_back(line);
            }
            if (random_.chance(0.3)) {
                // An extra: its requirements count only for whoever asks for it.
                for (std::size_t j = 0; j < packages_.size(); ++j) {
                    const GenPackage& q = packages_[j];
                    if (j != index && q.backend == Backend::pip) {
                        deps.push_back(
                            q.key + pip_spec(q) + "; " +
                            random_.pick<std::string>(
                                {"extra == \"fast\"", "extra == \"slow\" or extra == \"fast\"",
                                 "(extra == \"fast\" or extra == \"slow\") and "
                                 "python_version >= \"3.8\"",
                                 "extra == \"slow\""}));
                        break;
                    }
                }
            }
            if (random_.chance(0.04)) {
                deps.push_back("missing-project>=1");
            }
            r["requires_dist"] = deps;
            r["modules"] = modules(p);
            if (random_.chance(0.05)) {
                r["deprecated"] = true;
            }
            break;
        }
        case Backend::conda: {
            r["name"] = p.key;
            r["version"] = v;
            json deps = json::array();
            json constrains = json::array();
            for (std::size_t j = 0; j < packages_.size(); ++j) {
                const GenPackage& q = packages_[j];
                if (j == index || q.backend != Backend::conda) {
                    continue;
                }
                if (random_.chance(0.4)) {
                    deps.push_back(q.key + conda_spec(q));
                } else if (random_.chance(0.1)) {
                    constrains.push_back(q.key + " <" + some_version(q));
                }
            }
            if (random_.chance(0.15)) {
                deps.push_back(random_.pick<std::string>(
                    {"python >=3.10", "python <3", "python", "python 3.11.*"}));
            }
            if (random_.chance(0.05)) {
                deps.push_back("__glibc >=2.17");
            }
            if (random_.chance(0.03)) {
                deps.push_back("missing-pkg");
            }
            r["depends"] = deps;
            if (!constrains.empty()) {
                r["constrains"] = constrains;
            }
            r["modules"] = modules(p);
            break;
        }
        }
        return r;
    }

    /// Most installed releases are fine on their own: no dependencies, compatible with any
    /// target QGIS 3 and Python (the others may be broken before the resolution starts).
    static void consistent(json& r, Backend backend) {
        switch (backend) {
        case Backend::legacy:
            r["metadata"].erase("plugin_dependencies");
            r["metadata"].erase("qgisMaximumVersion");
            r["metadata"]["qgisMinimumVersion"] = "3.0";
            break;
        case Backend::pip:
            r["requires_dist"] = json::array();
            r["requires_python"] = "";
            break;
        case Backend::conda:
            r["depends"] = json::array();
            r.erase("constrains");
            break;
        }
    }

    std::string request_text(const GenPackage& p) {
        std::string text;
        if (random_.chance(0.2)) {
            text = std::string(backend_name(p.backend)) + ":";
        }
        switch (p.backend) {
        case Backend::legacy: {
            text += random_.chance(0.6) ? p.name : p.key;
            if (random_.chance(0.07)) {
                // Another case: only the case-insensitive fallback finds it.
                std::transform(text.begin(), text.end(), text.begin(), [](char c) {
                    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                });
            }
            if (random_.chance(0.35)) {
                text += random_.pick<std::string>({"==", ">="}) + some_version(p);
            }
            break;
        }
        case Backend::pip:
            text += random_.chance(0.5) ? p.name : p.key;
            if (random_.chance(0.15)) {
                text += random_.pick<std::string>({"[fast]", "[fast,slow]", "[Slow]"});
            }
            if (random_.chance(0.35)) {
                text += pip_spec(p);
            }
            break;
        case Backend::conda:
            text += p.key;
            if (random_.chance(0.35)) {
                const std::string spec = conda_spec(p);
                if (spec.size() > 1 && spec[1] >= '0' && spec[1] <= '9' &&
                    text.rfind("conda:", 0) != 0) {
                    text = "conda:" + text; // "name 1.2.*" is a conda request only
                }
                text += spec;
            }
            break;
        }
        return text;
    }

    Random random_;
    std::uint32_t seed_;
    bool installed_;
    std::vector<GenPackage> packages_;
};

// ---------------------------------------------------------------------------------------------
// The checker: the constraints of docs and solver-design.md section 2, decided with
// libversion's matchers on the records as the sources read them.
// ---------------------------------------------------------------------------------------------

bool holds(version::Scheme scheme, std::string_view v, std::string_view spec,
           std::optional<bool> prereleases = std::nullopt) {
    auto ok = version::satisfies(scheme, v, spec, prereleases);
    return ok && *ok;
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return out;
}

/// PEP 503: runs of '-', '_' and '.' become '-', lower case.
std::string pep503(std::string_view name) {
    std::string out;
    for (const char c : name) {
        if (c == '-' || c == '_' || c == '.') {
            if (out.empty() || out.back() != '-') {
                out.push_back('-');
            }
        } else {
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    return out;
}

/// What a dependency of a release (or of one of its extras) needs: one of `by` in the
/// installation, and with it that release's `extra`.
struct Requirement {
    std::string text;
    std::vector<std::size_t> by;
    std::string extra;
};

class Checker {
public:
    explicit Checker(const Scenario& s) : s_(s) {
        for (const auto& r : s.available) {
            universe_.push_back(&r);
            installed_.push_back(false);
        }
        for (const auto& r : s.installed) {
            universe_.push_back(&r);
            installed_.push_back(true);
        }
        auto env = version::pep508::default_environment(s.policy.python_version, s.policy.platform);
        if (!env) {
            throw std::runtime_error("no environment for Python " + s.policy.python_version);
        }
        environment_ = *env;
        classify();
        for (std::size_t i = 0; i < universe_.size(); ++i) {
            build_nodes(i);
        }
        build_pins();
        build_requests();
        find_already_broken();
    }

    std::size_t size() const { return universe_.size(); }
    const ReleaseRecord& record(std::size_t i) const { return *universe_[i]; }
    bool installed(std::size_t i) const { return installed_[i]; }
    /// Whether the policy lets the release into the pool at all.
    bool allowed(std::size_t i) const { return allowed_[i]; }
    std::size_t group(std::size_t i) const { return group_[i]; }
    std::size_t groups() const { return group_names_.size(); }

    std::string label(std::size_t i) const {
        const ReleaseRecord& r = *universe_[i];
        return fmt::format("{}:{} {}{}", backend_name(r.backend), r.package, r.release.version,
                           installed_[i] ? " (installed)" : "");
    }

    /// Whether a release can never be part of a valid installation, whatever else is in it.
    bool hopeless(std::size_t i) const {
        if (!allowed_[i]) {
            return true;
        }
        if (installed_[i] && already_broken_[i]) {
            return false; // it may stay as it is (see find_already_broken)
        }
        const auto& base = nodes_.at({i, ""});
        return std::any_of(base.begin(), base.end(),
                           [](const Requirement& q) { return q.by.empty(); });
    }

    /// Why the installation `members` (indices into the universe) breaks a constraint, or
    /// nullopt when it satisfies all of them.
    std::optional<std::string> check(const std::vector<std::size_t>& members) const {
        std::vector<char> present(universe_.size(), 0);
        std::vector<int> per_group(group_names_.size(), 0);
        for (const std::size_t m : members) {
            present[m] = 1;
            if (++per_group[group_[m]] > 1) {
                return "two releases of " + group_names_[group_[m]];
            }
        }
        for (const std::size_t m : members) {
            if (!allowed_[m]) {
                return label(m) + " is " + excluded_why_[m] + ", which the policy leaves out";
            }
        }
        // Requirements, following the extras they ask for.
        std::set<std::pair<std::size_t, std::string>> done;
        std::deque<std::pair<std::size_t, std::string>> todo;
        for (const std::size_t m : members) {
            todo.emplace_back(m, "");
        }
        for (const auto& [text, by, extra] : request_extras_) {
            auto present_by =
                std::find_if(by.begin(), by.end(), [&](std::size_t p) { return present[p] != 0; });
            if (present_by == by.end()) {
                return "nothing in the installation satisfies the request " + text + " [" + extra +
                       "]";
            }
            todo.emplace_back(*present_by, extra);
        }
        while (!todo.empty()) {
            auto node = todo.front();
            todo.pop_front();
            if (!done.insert(node).second) {
                continue;
            }
            auto it = nodes_.find(node);
            if (it == nodes_.end()) {
                continue; // a release without the extra: pip installs it without (and warns)
            }
            if (installed_[node.first] && broken_nodes_.count(node) != 0) {
                continue; // kept as it was: libsolv does not repair what the request leaves
            }
            for (const Requirement& q : it->second) {
                auto by = std::find_if(q.by.begin(), q.by.end(),
                                       [&](std::size_t p) { return present[p] != 0; });
                if (by == q.by.end()) {
                    return fmt::format("{}{} requires {}: nothing in the installation satisfies it",
                                       label(node.first),
                                       node.second.empty() ? "" : " [" + node.second + "]", q.text);
                }
                if (!q.extra.empty()) {
                    todo.emplace_back(*by, q.extra);
                }
            }
        }
        for (const std::size_t m : members) {
            for (const auto& [text, bad] : constrains_[m]) {
                for (const std::size_t b : bad) {
                    if (present[b] != 0 && !(installed_[m] && installed_[b])) {
                        return fmt::format("{} constrains {}, which {} breaks", label(m), text,
                                           label(b));
                    }
                }
            }
        }
        for (const auto& [text, bad] : pins_) {
            for (const std::size_t b : bad) {
                if (present[b] != 0) {
                    return fmt::format("the pin {} does not hold for {}", text, label(b));
                }
            }
        }
        std::map<std::string, std::pair<Backend, std::size_t>> modules;
        for (const std::size_t m : members) {
            for (const auto& module : universe_[m]->release.modules) {
                auto [it, added] = modules.try_emplace(module, universe_[m]->backend, m);
                if (!added && it->second.first != universe_[m]->backend &&
                    !(installed_[m] && installed_[it->second.second])) {
                    return fmt::format("the module '{}' comes from both {} and {}", module,
                                       label(it->second.second), label(m));
                }
            }
        }
        for (const auto& [text, by] : requests_) {
            if (std::none_of(by.begin(), by.end(),
                             [&](std::size_t p) { return present[p] != 0; })) {
                return "nothing in the installation satisfies the request " + text;
            }
        }
        return std::nullopt;
    }

private:
    /// Installed releases whose requirements nothing installed satisfied before the request
    /// (or whose modules clash with another installed release): libsolv keeps such a release
    /// as it is ("dontfix"), and qplug says so in a warning (docs/resolve.md); the checker
    /// exempts exactly those.
    void find_already_broken() {
        already_broken_.assign(universe_.size(), false);
        std::vector<char> present(universe_.size(), 0);
        for (std::size_t i = 0; i < universe_.size(); ++i) {
            present[i] = installed_[i] ? 1 : 0;
        }
        for (const auto& [node, requirements] : nodes_) {
            if (!installed_[node.first]) {
                continue;
            }
            for (const Requirement& q : requirements) {
                if (std::none_of(q.by.begin(), q.by.end(),
                                 [&](std::size_t p) { return present[p] != 0; })) {
                    broken_nodes_.insert(node);
                    if (node.second.empty()) {
                        already_broken_[node.first] = true;
                    }
                }
            }
        }
    }

    std::string display(std::size_t i) const {
        const ReleaseRecord& r = *universe_[i];
        return r.display_name.empty() ? r.package : r.display_name;
    }

    /// Channel and flags against the policy (what Model::build leaves out), and the releases
    /// in only for an exact pin.
    void classify() {
        const Policy& policy = s_.policy;
        // plugin_dependencies "Name==V" and requests "name==V" select an experimental
        // release (qgis-facts 5.2).
        std::set<std::pair<std::string, std::string>> exact;
        for (const ReleaseRecord* r : universe_) {
            for (const auto& d : r->release.dependencies) {
                if (d.kind == DependencyKind::plugin && d.spec.rfind("==", 0) == 0) {
                    exact.emplace(d.target, d.spec.substr(2));
                }
            }
        }
        for (const auto& q : s_.requests) {
            if (q.spec.rfind("==", 0) == 0) {
                exact.emplace(q.name, q.spec.substr(2));
            }
        }
        std::map<std::pair<Backend, std::string>, std::size_t> groups;
        for (std::size_t i = 0; i < universe_.size(); ++i) {
            const ReleaseRecord& r = *universe_[i];
            const bool experimental_ok = r.release.channel != Channel::experimental ||
                                         policy.allow_experimental ||
                                         policy.experimental_for.count(r.package) != 0 ||
                                         policy.experimental_for.count(r.display_name) != 0;
            const bool pinned = exact.count({r.display_name, r.release.version}) != 0 ||
                                exact.count({r.package, r.release.version}) != 0;
            std::string why;
            if (!installed_[i]) {
                if (!experimental_ok && !pinned) {
                    why = "experimental";
                } else if (r.release.deprecated && !policy.allow_deprecated) {
                    why = "deprecated";
                }
            }
            allowed_.push_back(why.empty());
            excluded_why_.push_back(why);
            pin_only_.push_back(!installed_[i] && why.empty() && !experimental_ok);
            auto [it, added] = groups.try_emplace({r.backend, r.package}, group_names_.size());
            if (added) {
                group_names_.push_back(fmt::format("{}:{}", backend_name(r.backend), r.package));
            }
            group_.push_back(it->second);
        }
    }

    /// Whether release i meets a plain spec, as pins, plugin dependencies and conda match
    /// specs read it: the backend's scheme; an experimental release in only for an exact pin
    /// meets nothing but "==".
    bool meets(std::size_t i, const std::string& spec) const {
        if (pin_only_[i] && spec.rfind("==", 0) != 0) {
            return false;
        }
        const ReleaseRecord& r = *universe_[i];
        switch (r.backend) {
        case Backend::legacy:
            // QGIS's compareVersions for "==V" of plugin_dependencies.
            return spec.empty() || holds(version::Scheme::qgis, r.release.version, spec);
        case Backend::pip:
            // PEP 440 with its pre-release rule (an empty set admits no pre-release).
            return holds(version::Scheme::pep440, r.release.version, spec);
        case Backend::conda: {
            // "VERSION[ BUILD]" (the build a glob; the generator writes none).
            const std::size_t blank = spec.find(' ');
            const std::string v = spec.substr(0, blank);
            if (!v.empty() && v != "*" && !holds(version::Scheme::conda, r.release.version, v)) {
                return false;
            }
            if (blank != std::string::npos) {
                const std::string build = spec.substr(blank + 1);
                return build.empty() || build == "*" || build == r.release.build;
            }
            return true;
        }
        }
        return false;
    }

    /// Whether the target Python meets the release's Requires-Python.
    bool python_ok(std::size_t i) const {
        const std::string& requires_python = universe_[i]->release.requires_python;
        return requires_python.empty() ||
               holds(version::Scheme::pep440, s_.policy.python_version, requires_python, true);
    }

    /// A pip requirement's spec over the candidates: PEP 440 with pre-releases only when the
    /// spec names one (an empty spec names none), or when nothing else the target Python can
    /// install satisfies it (solver-design.md section 2; pip's finder drops the releases whose
    /// Requires-Python fails before it applies the specifier).
    std::vector<std::size_t> pip_choose(const std::vector<std::size_t>& candidates,
                                        const std::string& spec) const {
        std::vector<std::size_t> out;
        for (const std::size_t i : candidates) {
            if (holds(version::Scheme::pep440, universe_[i]->release.version, spec)) {
                out.push_back(i);
            }
        }
        if (std::none_of(out.begin(), out.end(), [&](std::size_t i) { return python_ok(i); })) {
            out.clear();
            for (const std::size_t i : candidates) {
                if (holds(version::Scheme::pep440, universe_[i]->release.version, spec, true)) {
                    out.push_back(i);
                }
            }
        }
        return out;
    }

    /// The extras a pip release declares: the index's declarations (a pip dependency with no
    /// target), else (an index written before) the extras its requirements name.
    std::set<std::string> extras_of(std::size_t i) const {
        std::set<std::string> declared, named;
        for (const Dependency& d : universe_[i]->release.dependencies) {
            if (d.kind == DependencyKind::pip && !d.extra.empty()) {
                (d.target.empty() ? declared : named).insert(pep503(d.extra));
            }
        }
        return declared.empty() ? named : declared;
    }

    /// Who satisfies "name[extra] spec" (extra "" for none), as pip 23: a release of the name
    /// that meets the spec; one without the extra is taken without it, except an installed
    /// one (whose extras are not known).
    std::vector<std::size_t> pip_providers(const std::string& base, const std::string& extra,
                                           const std::string& spec) const {
        std::vector<std::size_t> candidates;
        for (const std::size_t p : pool(Backend::pip)) {
            if (pep503(universe_[p]->package) == base &&
                (extra.empty() || !installed_[p] || extras_of(p).count(extra) != 0)) {
                candidates.push_back(p);
            }
        }
        return pip_choose(candidates, spec);
    }

    std::vector<std::size_t> pool(Backend backend) const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < universe_.size(); ++i) {
            if (allowed_[i] && universe_[i]->backend == backend) {
                out.push_back(i);
            }
        }
        return out;
    }

    void build_nodes(std::size_t i) {
        const ReleaseRecord& r = *universe_[i];
        std::set<std::string> extras{""};
        if (r.backend == Backend::pip) {
            const auto declared = extras_of(i);
            extras.insert(declared.begin(), declared.end());
        }
        std::vector<std::pair<std::string, std::vector<std::size_t>>> constrains;
        for (const std::string& extra : extras) {
            std::vector<Requirement>& node = nodes_[{i, extra}];
            if (extra.empty()) {
                // The target QGIS and Python: from the release's own fields.
                if (r.backend == Backend::legacy &&
                    !(r.release.qgis_minimum.empty() && r.release.qgis_maximum.empty())) {
                    // No range at all is no requirement (the model's reading).
                    auto c = version::compat::check(s_.policy.qgis_version, r.release.qgis_minimum,
                                                    r.release.qgis_maximum);
                    if (!c || !c->compatible) {
                        node.push_back({fmt::format("QGIS {}..{}", r.release.qgis_minimum,
                                                    r.release.qgis_maximum),
                                        {},
                                        ""});
                    }
                }
                if (!r.release.requires_python.empty() &&
                    !holds(version::Scheme::pep440, s_.policy.python_version,
                           r.release.requires_python, true)) {
                    node.push_back({"Python " + r.release.requires_python, {}, ""});
                }
            }
            for (const auto& d : r.release.dependencies) {
                if (d.kind == DependencyKind::pip && d.target.empty()) {
                    continue; // an extra's declaration
                }
                if (d.markers.empty() && !extra.empty()) {
                    continue; // (the release's own: it is there when its extra is)
                }
                if (!d.markers.empty()) {
                    // pip 23: the release needs what holds with extra == "", its extra E
                    // what holds with extra == E.
                    auto marker = version::pep508::Marker::parse(d.markers);
                    if (!marker) {
                        continue;
                    }
                    auto ok = marker->evaluate(environment_, extra);
                    if (!ok || !*ok) {
                        continue; // not for this environment
                    }
                }
                switch (d.kind) {
                case DependencyKind::plugin: {
                    Requirement q{fmt::format("the plugin '{}' {}", d.target, d.spec), {}, ""};
                    for (const std::size_t p : pool(Backend::legacy)) {
                        if (display(p) == d.target && meets(p, d.spec)) {
                            q.by.push_back(p);
                        }
                    }
                    node.push_back(std::move(q));
                    break;
                }
                case DependencyKind::pip: {
                    const std::size_t bracket = d.target.find('[');
                    const std::string base = pep503(d.target.substr(0, bracket));
                    std::vector<std::string> wanted;
                    if (bracket == std::string::npos) {
                        wanted.emplace_back();
                    } else {
                        std::string list = d.target.substr(bracket + 1);
                        list.pop_back();
                        std::size_t start = 0;
                        while (start <= list.size()) {
                            const std::size_t comma = std::min(list.find(',', start), list.size());
                            wanted.push_back(pep503(list.substr(start, comma - start)));
                            start = comma + 1;
                        }
                    }
                    for (const auto& e : wanted) {
                        node.push_back({fmt::format("{}{} {} (pip)", base,
                                                    e.empty() ? "" : "[" + e + "]", d.spec),
                                        pip_providers(base, e, d.spec), e});
                    }
                    break;
                }
                case DependencyKind::conda: {
                    if (d.target.rfind("__", 0) == 0) {
                        break; // virtual packages: the system's
                    }
                    if (d.target == "python") {
                        // The environment's interpreter is the target Python.
                        if (d.constraint) {
                            break;
                        }
                        const std::string v = d.spec.substr(0, d.spec.find(' '));
                        if (!v.empty() && v != "*" &&
                            !holds(version::Scheme::conda, s_.policy.python_version, v)) {
                            node.push_back({"python " + d.spec + " (conda)", {}, ""});
                        }
                        break;
                    }
                    std::vector<std::size_t> good, bad;
                    for (const std::size_t p : pool(Backend::conda)) {
                        if (universe_[p]->package == d.target) {
                            (meets(p, d.spec) ? good : bad).push_back(p);
                        }
                    }
                    if (d.constraint) {
                        constrains.emplace_back(d.target + " " + d.spec, std::move(bad));
                    } else {
                        node.push_back({d.target + " " + d.spec + " (conda)", std::move(good), ""});
                    }
                    break;
                }
                case DependencyKind::qgis:
                case DependencyKind::python:
                    break; // from the release's fields above
                }
            }
        }
        constrains_.push_back(std::move(constrains));
    }

    /// Pins: every installed release of the target (a name, with an optional "backend:") must
    /// meet the spec. The model reads a pin as a plain spec (no pre-release fallback).
    void build_pins() {
        for (const auto& [target, spec] : s_.policy.pins) {
            std::optional<Backend> only;
            std::string name = target;
            if (const std::size_t colon = target.find(':'); colon != std::string::npos) {
                only = backend_from_name(target.substr(0, colon));
                if (only) {
                    name = target.substr(colon + 1);
                }
            }
            std::vector<std::size_t> bad;
            for (std::size_t i = 0; i < universe_.size(); ++i) {
                const ReleaseRecord& r = *universe_[i];
                if (!allowed_[i] || (only && *only != r.backend)) {
                    continue;
                }
                // A plugin by its folder or its name, a pip project by its normalized name, a
                // conda package in lower case.
                const bool named = r.backend == Backend::pip ? pep503(r.package) == pep503(name)
                                   : r.backend == Backend::conda
                                       ? r.package == lower(name)
                                       : r.package == name || display(i) == name;
                if (named && !meets(i, spec)) {
                    bad.push_back(i);
                }
            }
            pins_.emplace_back(target + " " + spec, std::move(bad));
        }
    }

    /// Requests: a release of that name in any backend (a plugin's folder or name, a pip
    /// project's normalized name, a conda name in lower case; a plugin by another case only
    /// when nothing has the name as written) that meets the spec.
    void build_requests() {
        for (const auto& q : s_.requests) {
            auto named = [&](std::size_t i, bool any_case) {
                const ReleaseRecord& r = *universe_[i];
                if (!allowed_[i] || (q.backend && *q.backend != r.backend)) {
                    return false;
                }
                if (any_case) {
                    return r.backend == Backend::legacy && (lower(display(i)) == lower(q.name) ||
                                                            lower(r.package) == lower(q.name));
                }
                switch (r.backend) {
                case Backend::legacy:
                    return r.package == q.name || display(i) == q.name;
                case Backend::pip:
                    return pep503(r.package) == pep503(q.name);
                case Backend::conda:
                    return r.package == lower(q.name);
                }
                return false;
            };
            auto matching = [&](bool any_case) {
                std::vector<std::size_t> out, pip;
                for (std::size_t i = 0; i < universe_.size(); ++i) {
                    if (!named(i, any_case)) {
                        continue;
                    }
                    if (universe_[i]->backend == Backend::pip) {
                        pip.push_back(i);
                    } else if (meets(i, q.spec)) {
                        out.push_back(i);
                    }
                }
                for (const std::size_t i : pip_choose(pip, q.spec)) {
                    out.push_back(i);
                }
                return out;
            };
            if (!q.extras.empty()) {
                // "name[a,b]": a pip release of the name, and each extra as a requirement of
                // the request's own.
                requests_.emplace_back(q.text, pip_providers(pep503(q.name), "", q.spec));
                for (const auto& e : q.extras) {
                    auto by = pip_providers(pep503(q.name), e, q.spec);
                    if (!by.empty()) { // (else only installed releases: their extras unknown)
                        request_extras_.emplace_back(q.text, std::move(by), e);
                    }
                }
                continue;
            }
            std::vector<std::size_t> by = matching(false);
            if (by.empty()) {
                by = matching(true);
            }
            requests_.emplace_back(q.text, std::move(by));
        }
    }

    const Scenario& s_;
    std::vector<bool> already_broken_;
    std::set<std::pair<std::size_t, std::string>> broken_nodes_;
    version::pep508::Environment environment_;
    std::vector<const ReleaseRecord*> universe_;
    std::vector<bool> installed_;
    std::vector<bool> allowed_;
    std::vector<bool> pin_only_;
    std::vector<std::string> excluded_why_;
    std::vector<std::size_t> group_;
    std::vector<std::string> group_names_;
    std::map<std::pair<std::size_t, std::string>, std::vector<Requirement>> nodes_;
    std::vector<std::vector<std::pair<std::string, std::vector<std::size_t>>>> constrains_;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> pins_;
    std::vector<std::pair<std::string, std::vector<std::size_t>>> requests_;
    std::vector<std::tuple<std::string, std::vector<std::size_t>, std::string>> request_extras_;
};

/// Every installation (each package absent or one of its releases, installed ones included),
/// or nullopt when there are more than the bound.
struct Search {
    std::optional<std::vector<std::size_t>> found;
    std::size_t tried = 0;
    bool too_big = false;
};

Search exhaustive(const Checker& checker) {
    std::vector<std::vector<std::size_t>> options(checker.groups());
    for (std::size_t i = 0; i < checker.size(); ++i) {
        // A release that fails on its own cannot be in any valid installation.
        if (!checker.hopeless(i)) {
            options[checker.group(i)].push_back(i);
        }
    }
    Search search;
    std::size_t total = 1;
    for (const auto& o : options) {
        total *= o.size() + 1;
        if (total > kMaxAssignments) {
            search.too_big = true;
            return search;
        }
    }
    std::vector<std::size_t> choice(options.size(), 0); // 0: absent, k: options[k - 1]
    std::vector<std::size_t> members;
    for (;;) {
        members.clear();
        for (std::size_t g = 0; g < options.size(); ++g) {
            if (choice[g] != 0) {
                members.push_back(options[g][choice[g] - 1]);
            }
        }
        ++search.tried;
        if (!checker.check(members)) {
            search.found = members;
            return search;
        }
        std::size_t g = 0;
        while (g < options.size() && ++choice[g] > options[g].size()) {
            choice[g] = 0;
            ++g;
        }
        if (g == options.size()) {
            return search;
        }
    }
}

std::string describe_members(const Checker& checker, const std::vector<std::size_t>& members) {
    std::vector<std::string> labels;
    for (const std::size_t m : members) {
        labels.push_back(checker.label(m));
    }
    return labels.empty() ? "(nothing)" : fmt::format("{}", fmt::join(labels, ", "));
}

std::string describe_plan(const Resolution& r) {
    std::vector<std::string> steps;
    for (const auto& step : r.plan.steps) {
        steps.push_back(qplug::test::describe(step));
    }
    return fmt::format("{}", fmt::join(steps, "; "));
}

/// The releases of the resolution's installation, as indices into the checker's universe.
std::optional<std::vector<std::size_t>> members_of(const Checker& checker, const Resolution& r,
                                                   std::string* error) {
    std::vector<std::size_t> members;
    for (const PlanStep& step : r.installation) {
        std::optional<std::size_t> found;
        for (std::size_t i = 0; i < checker.size(); ++i) {
            const ReleaseRecord& rec = checker.record(i);
            const bool same = step.release_id != 0
                                  ? !checker.installed(i) && rec.id == step.release_id
                                  : checker.installed(i) && rec.backend == step.backend &&
                                        rec.package == step.name &&
                                        rec.release.version == step.version;
            if (same) {
                found = i;
                break;
            }
        }
        if (!found) {
            *error = fmt::format("the installation names {} {}:{} {} (release {}), which is not "
                                 "in the input",
                                 action_name(step.action), backend_name(step.backend), step.name,
                                 step.version, step.release_id);
            return std::nullopt;
        }
        members.push_back(*found);
    }
    return members;
}

struct Stats {
    int solved = 0;
    int unsolvable = 0;
    int with_installed = 0;
    std::size_t tried = 0;
};

Scenario load(const json& j, const std::string& name) {
    const std::filesystem::path path =
        std::filesystem::path(testing::TempDir()) / ("qplug-property-" + name + ".json");
    std::ofstream(path) << j.dump(1) << '\n';
    Scenario s = qplug::test::load_scenario(path.string());
    std::filesystem::remove(path);
    return s;
}

/// Resolves one scenario and holds the result against the checker (and, when unsolvable,
/// against every possible installation).
void run_scenario(const json& j, const std::string& name, Stats& stats) {
    const Scenario s = load(j, name);
    const Checker checker(s);
    auto result = resolve(s.available, s.installed, s.requests, s.policy);
    ASSERT_TRUE(result) << "resolve failed on well-formed input: " << result.error().message;
    const Resolution& r = *result;
    stats.with_installed += s.installed.empty() ? 0 : 1;
    if (r.solved) {
        ++stats.solved;
        std::string error;
        auto members = members_of(checker, r, &error);
        ASSERT_TRUE(members) << error;
        const auto broken = checker.check(*members);
        EXPECT_FALSE(broken) << "the plan breaks a constraint: " << *broken
                             << "\ninstallation: " << describe_members(checker, *members)
                             << "\nplan: " << describe_plan(r);
        return;
    }
    ++stats.unsolvable;
    const Search search = exhaustive(checker);
    ASSERT_FALSE(search.too_big) << "the generator made a case too big to search";
    stats.tried += search.tried;
    EXPECT_FALSE(search.found) << "resolve found no plan, but this installation satisfies every "
                                  "constraint: "
                               << describe_members(checker, *search.found) << "\nexplanation: "
                               << fmt::format("{}", fmt::join(r.explanation.summary, "; "));
}

/// Runs the generated cases (or the one of QPLUG_PROPERTY_SEED), stopping after a few
/// failures.
void run_cases(std::uint32_t first_seed, int count, bool installed) {
    std::vector<std::uint32_t> seeds;
    if (const char* one = std::getenv("QPLUG_PROPERTY_SEED")) {
        seeds.push_back(static_cast<std::uint32_t>(std::stoul(one)));
    } else {
        if (const char* cases = std::getenv("QPLUG_PROPERTY_CASES")) {
            count = std::stoi(cases);
        }
        for (int k = 0; k < count; ++k) {
            seeds.push_back(first_seed + static_cast<std::uint32_t>(k));
        }
    }
    Stats stats;
    int failed = 0;
    std::size_t run = 0;
    const testing::TestResult* result =
        testing::UnitTest::GetInstance()->current_test_info()->result();
    for (const std::uint32_t seed : seeds) {
        const json j = Generator(seed, installed).scenario();
        const int before = result->total_part_count();
        ++run;
        {
            SCOPED_TRACE(fmt::format("seed {} (QPLUG_PROPERTY_SEED={} replays it), scenario:\n{}",
                                     seed, seed, j.dump(1)));
            run_scenario(j, std::to_string(seed), stats);
        }
        // Show a few failing cases, not hundreds (QPLUG_PROPERTY_ALL=1: every one).
        if (result->total_part_count() != before && ++failed >= 5 &&
            std::getenv("QPLUG_PROPERTY_ALL") == nullptr) {
            ADD_FAILURE() << "stopping after 5 failing cases";
            break;
        }
    }
    std::printf("%zu cases: %d solved, %d unsolvable (%zu installations searched)\n", run,
                stats.solved, stats.unsolvable, stats.tried);
    if (seeds.size() >= 100 && failed == 0) {
        // The generator must exercise both outcomes.
        EXPECT_GE(stats.solved, static_cast<int>(seeds.size()) / 5);
        EXPECT_GE(stats.unsolvable, static_cast<int>(seeds.size()) / 10);
    }
}

TEST(ResolveProperty, NothingInstalled) {
    run_cases(kFirstSeed, kDefaultCases, false);
}

/// Installed releases, with downgrades and removals allowed.
TEST(ResolveProperty, SomethingInstalled) {
    run_cases(kFirstSeed + 100000, kDefaultInstalledCases, true);
}

#ifdef QPLUG_PROPERTY_REPLAY_TOOL
/// The replay tool's one test: a scenario file held against the checker.
class ReplayScenarioFile : public testing::Test {
public:
    explicit ReplayScenarioFile(std::string path) : path_(std::move(path)) {}
    void TestBody() override {
        std::ifstream in(path_);
        ASSERT_TRUE(in) << "cannot read " << path_;
        Stats stats;
        run_scenario(json::parse(in), "file", stats);
        std::printf("%s: %s\n", path_.c_str(),
                    stats.solved > 0 ? "solved, the plan checked" : "unsolvable, confirmed");
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
