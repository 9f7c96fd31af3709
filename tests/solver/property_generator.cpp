// SPDX-License-Identifier: GPL-2.0-or-later
#include "property_generator.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include <qplug/solver/records.hpp>

namespace qplug::test::property {

using nlohmann::json;
using solver::Backend;

std::string_view kind_name(Kind kind) {
    switch (kind) {
    case Kind::install_fresh:
        return "install into an empty target";
    case Kind::install:
        return "install";
    case Kind::upgrade_all:
        return "upgrade everything";
    case Kind::upgrade:
        return "upgrade by name";
    case Kind::remove:
        return "remove";
    case Kind::pin:
        return "pin";
    case Kind::downgrade:
        return "downgrade";
    }
    return "?";
}

namespace {

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

/// The fixed version sets (property_reference.cpp orders the plugin and conda ones).
const std::vector<std::string>& versions_of(Backend backend) {
    static const std::vector<std::string> legacy{"0.9", "1.0", "1.1", "1.2.0", "2.0", "2.1"};
    static const std::vector<std::string> pip{"0.9", "1.0", "1.1", "1.5", "2.0", "2.1b1", "3.0rc1"};
    static const std::vector<std::string> conda{"0.9", "1.0", "1.1", "1.5", "2.0", "2.1"};
    return backend == Backend::legacy ? legacy : backend == Backend::pip ? pip : conda;
}

bool prerelease(const std::string& v) {
    return v.find_first_of("abr") != std::string::npos;
}

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

class Generator {
public:
    Generator(std::uint32_t seed, Kind kind) : random_(seed), seed_(seed), kind_(kind) {}

    json scenario() {
        json s;
        s["title"] = fmt::format("property test ({}), seed {}", kind_name(kind_), seed_);
        s["qgis"] = random_.pick<std::string>({"3.34.5", "3.40.0", "3.44.1"});
        s["python"] = random_.pick<std::string>({"3.11", "3.12.3", "3.9"});
        make_packages();
        // What is installed first: an installed release of a version the index has is that
        // very release (the same metadata), as when it came from there.
        json policy = json::object();
        const json installed = kind_ == Kind::install_fresh ? json::array() : installed_state();
        json legacy = json::array(), pip = json::array(), conda = json::array();
        for (std::size_t i = 0; i < packages_.size(); ++i) {
            const GenPackage& p = packages_[i];
            for (const auto& v : p.versions) {
                auto same = published_.find({i, v});
                json r = same != published_.end() ? same->second : release(i, v);
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
        s["installed"] = installed;
        if (kind_ != Kind::install_fresh) {
            policy["allow_downgrade"] = random_.chance(kind_ == Kind::downgrade ? 0.8 : 0.5);
            policy["allow_uninstall"] = random_.chance(0.5);
        }
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
        json pins = json::array();
        if (kind_ == Kind::pin) {
            const int count = random_.between(1, 2);
            for (int k = 0; k < count; ++k) {
                pins.push_back(pin_installed());
            }
        } else if (random_.chance(0.3)) {
            pins.push_back(pin(random_.pick(packages_)));
        }
        if (!pins.empty()) {
            policy["pins"] = pins;
        }
        s["policy"] = policy;
        s["requests"] = requests();
        s["expect"] = json::object();
        return s;
    }

private:
    // ---- packages and releases ---------------------------------------------------------------

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
            // One package per backend and name.
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

    std::optional<std::size_t> find(Backend backend) const {
        std::optional<std::size_t> found;
        for (std::size_t i = 0; i < packages_.size(); ++i) {
            if (packages_[i].backend == backend) {
                found = i;
            }
        }
        return found;
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
                        // Markers that combine extras (pip 23 reads each extra's own).
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

    // ---- the installed state -----------------------------------------------------------------

    struct Installed {
        std::size_t package = 0;
        std::string version;
        bool automatic = false;
        bool external = false;
        std::vector<std::size_t> needs; ///< indices into installed_
    };

    /// A requirement of an installed release on another installed package that its version
    /// meets.
    std::string fitting_requirement(const Installed& target) {
        const GenPackage& q = packages_[target.package];
        const std::string& v = target.version;
        switch (q.backend) {
        case Backend::legacy:
            return random_.chance(0.6) ? q.name : q.name + "==" + v;
        case Backend::pip: {
            const std::string name = random_.chance(0.7) ? q.name : q.key;
            // An empty spec admits no pre-release: name it.
            const int choice = random_.between(prerelease(v) ? 1 : 0, 2);
            return choice == 0 ? name : choice == 1 ? name + ">=" + v : name + "==" + v;
        }
        case Backend::conda:
            return random_.pick<std::string>({q.key, q.key + " >=" + v, q.key + " " + v + ".*"});
        }
        return q.key;
    }

    /// What is installed: packages the user asked for, the automatic packages they need
    /// (requirements that fit), now and then an automatic package nothing needs (marked so
    /// by hand), a package of the environment's own, or a release as the index has it (its
    /// requirements may be unmet: broken before the request).
    json installed_state() {
        std::vector<std::size_t> order(packages_.size());
        for (std::size_t i = 0; i < order.size(); ++i) {
            order[i] = i;
        }
        std::shuffle(order.begin(), order.end(), std::mt19937(seed_ ^ 0x5eedU));
        const auto count = static_cast<std::size_t>(
            random_.between(1, static_cast<int>(std::min<std::size_t>(4, packages_.size()))));
        // The later ones may need the earlier ones (of their backend): a DAG.
        for (std::size_t k = 0; k < count; ++k) {
            Installed item;
            item.package = order[k];
            const GenPackage& p = packages_[item.package];
            item.version = random_.chance(0.75) ? random_.pick(p.versions)
                                                : random_.pick(versions_of(p.backend));
            for (std::size_t j = 0; j < installed_.size(); ++j) {
                if (packages_[installed_[j].package].backend == p.backend && random_.chance(0.6)) {
                    item.needs.push_back(j);
                }
            }
            installed_.push_back(std::move(item));
        }
        std::vector<bool> needed(installed_.size(), false);
        for (const auto& item : installed_) {
            for (const std::size_t j : item.needs) {
                needed[j] = true;
            }
        }
        json out = json::array();
        for (std::size_t k = 0; k < installed_.size(); ++k) {
            Installed& item = installed_[k];
            const GenPackage& p = packages_[item.package];
            item.automatic = random_.chance(needed[k] ? 0.7 : 0.12);
            item.external = !item.automatic && p.backend != Backend::legacy && random_.chance(0.08);
            json r = release(item.package, item.version);
            if (random_.chance(0.8)) {
                // Consistent: its requirements are the installed packages it needs.
                switch (p.backend) {
                case Backend::legacy: {
                    json& m = r["metadata"];
                    m.erase("qgisMaximumVersion");
                    m["qgisMinimumVersion"] = "3.0";
                    std::vector<std::string> deps;
                    for (const std::size_t j : item.needs) {
                        deps.push_back(fitting_requirement(installed_[j]));
                    }
                    if (deps.empty()) {
                        m.erase("plugin_dependencies");
                    } else {
                        m["plugin_dependencies"] = fmt::format("{}", fmt::join(deps, ","));
                    }
                    break;
                }
                case Backend::pip: {
                    json deps = json::array();
                    for (const std::size_t j : item.needs) {
                        deps.push_back(fitting_requirement(installed_[j]));
                    }
                    r["requires_dist"] = deps;
                    r["requires_python"] = "";
                    break;
                }
                case Backend::conda: {
                    json deps = json::array();
                    for (const std::size_t j : item.needs) {
                        deps.push_back(fitting_requirement(installed_[j]));
                    }
                    r["depends"] = deps;
                    r.erase("constrains");
                    break;
                }
                }
            } else {
                item.needs.clear(); // as the index has it: who knows
            }
            published_.emplace(std::make_pair(item.package, item.version), r);
            r["backend"] = std::string(solver::backend_name(p.backend));
            if (item.automatic) {
                r["auto"] = true;
            }
            if (item.external) {
                r["external"] = true;
            }
            out.push_back(std::move(r));
        }
        return out;
    }

    // ---- requests and pins -------------------------------------------------------------------

    /// A package's name as a request writes it, sometimes with its backend.
    std::string name_text(const GenPackage& p) {
        std::string text;
        if (random_.chance(0.2)) {
            text = std::string(solver::backend_name(p.backend)) + ":";
        }
        switch (p.backend) {
        case Backend::legacy: {
            std::string name = random_.chance(0.6) ? p.name : p.key;
            if (random_.chance(0.07)) {
                // Another case: only the case-insensitive fallback finds it.
                std::transform(name.begin(), name.end(), name.begin(), [](char c) {
                    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                });
            }
            return text + name;
        }
        case Backend::pip:
            return text + (random_.chance(0.5) ? p.name : p.key);
        case Backend::conda:
            return text + p.key;
        }
        return text + p.key;
    }

    std::string request_text(const GenPackage& p) {
        std::string text = name_text(p);
        if (p.backend == Backend::pip && random_.chance(0.15)) {
            // Extras of the request's own (PEP 685 names: "Slow" is "slow").
            if (text.rfind("pip:", 0) != 0) {
                text = "pip:" + text;
            }
            text += random_.pick<std::string>({"[fast]", "[fast,slow]", "[Slow]"});
        }
        if (!random_.chance(0.35)) {
            return text;
        }
        switch (p.backend) {
        case Backend::legacy:
            return text + random_.pick<std::string>({"==", ">="}) + some_version(p);
        case Backend::pip: {
            const std::string spec = pip_spec(p);
            if ((spec.rfind("~=", 0) == 0 || prerelease(spec)) && text.rfind("pip:", 0) != 0) {
                text = "pip:" + text; // "~=" and pre-releases are pip's
            }
            return text + spec;
        }
        case Backend::conda: {
            const std::string spec = conda_spec(p);
            if (spec.size() > 1 && spec[1] >= '0' && spec[1] <= '9' &&
                text.rfind("conda:", 0) != 0) {
                text = "conda:" + text; // "name 1.2.*" is a conda request only
            }
            return text + spec;
        }
        }
        return text;
    }

    /// An installed package a request may name (not the environment's own).
    std::optional<std::size_t> some_installed(bool prefer_needed) {
        std::vector<std::size_t> all, needed;
        for (std::size_t k = 0; k < installed_.size(); ++k) {
            if (installed_[k].external) {
                continue;
            }
            all.push_back(k);
            for (const auto& other : installed_) {
                if (std::find(other.needs.begin(), other.needs.end(), k) != other.needs.end()) {
                    needed.push_back(k);
                    break;
                }
            }
        }
        if (prefer_needed && !needed.empty()) {
            return random_.pick(needed);
        }
        if (all.empty()) {
            return std::nullopt;
        }
        return random_.pick(all);
    }

    json pin(const GenPackage& p) {
        const std::string name =
            p.backend != Backend::conda && random_.chance(0.4) ? p.name : p.key;
        const std::string target =
            random_.chance(0.4) ? std::string(solver::backend_name(p.backend)) + ":" + name : name;
        return json::array(
            {target, random_.pick<std::string>({"<2.0", ">=1.0", "==1.0", "!=1.1", "<1.5"})});
    }

    /// A pin on an installed package, mostly one that its installed version breaks.
    json pin_installed() {
        if (installed_.empty()) {
            return pin(random_.pick(packages_));
        }
        const Installed& item = installed_[random_.below(installed_.size())];
        const GenPackage& package = packages_[item.package];
        json p = pin(package);
        if (random_.chance(0.6)) {
            p[1] = random_.pick<std::string>({"!=", "<"}) + item.version;
            if (prerelease(item.version)) {
                // A pip pre-release: no other backend's version.
                p[0] = "pip:" + package.key;
            }
        }
        return p;
    }

    json requests() {
        json out = json::array();
        switch (kind_) {
        case Kind::install_fresh:
        case Kind::install: {
            const int count = random_.between(1, 2);
            for (int k = 0; k < count; ++k) {
                out.push_back("install " + request_text(random_.pick(packages_)));
            }
            break;
        }
        case Kind::upgrade_all:
            out.push_back("upgrade");
            break;
        case Kind::upgrade: {
            const auto k = random_.chance(0.85) ? some_installed(false) : std::nullopt;
            out.push_back("upgrade " + name_text(k ? packages_[installed_[*k].package]
                                                   : random_.pick(packages_)));
            break;
        }
        case Kind::remove: {
            const auto k = some_installed(random_.chance(0.6));
            if (k) {
                out.push_back("remove " + name_text(packages_[installed_[*k].package]));
            }
            if (!k || random_.chance(0.2)) {
                // Something else besides (not of the removed package's name).
                const std::size_t other = random_.below(packages_.size());
                if (!k ||
                    pep503(packages_[other].key) != pep503(packages_[installed_[*k].package].key)) {
                    out.push_back("install " + request_text(packages_[other]));
                }
            }
            break;
        }
        case Kind::pin:
            if (random_.chance(0.3)) {
                out.push_back("upgrade");
            } else if (random_.chance(0.5)) {
                out.push_back("install " + request_text(random_.pick(packages_)));
            }
            break;
        case Kind::downgrade: {
            // An installed package and an older release of it.
            std::vector<std::pair<std::size_t, std::string>> older;
            for (const auto& item : installed_) {
                const GenPackage& p = packages_[item.package];
                const auto& order = versions_of(p.backend);
                const auto at = std::find(order.begin(), order.end(), item.version);
                for (const auto& v : p.versions) {
                    if (!item.external && std::find(order.begin(), at, v) != at) {
                        older.emplace_back(item.package, v);
                    }
                }
            }
            if (older.empty()) {
                out.push_back("install " + request_text(random_.pick(packages_)));
                break;
            }
            const auto [package, v] = random_.pick(older);
            const GenPackage& p = packages_[package];
            std::string text = name_text(p);
            if (prerelease(v) && text.rfind("pip:", 0) != 0) {
                text = "pip:" + text; // a pre-release is pip's
            }
            if (p.backend == Backend::conda && text.rfind("conda:", 0) == 0) {
                text += " ";
            }
            out.push_back("install " + text + "==" + v);
            break;
        }
        }
        return out;
    }

    Random random_;
    std::uint32_t seed_;
    Kind kind_;
    std::vector<GenPackage> packages_;
    std::vector<Installed> installed_;
    /// The installed releases as the index publishes them: (package, version) -> release.
    std::map<std::pair<std::size_t, std::string>, json> published_;
};

} // namespace

json generate_scenario(std::uint32_t seed, Kind kind) {
    return Generator(seed, kind).scenario();
}

} // namespace qplug::test::property
