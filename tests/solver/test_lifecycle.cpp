// The install lifecycle through the library entry point every front end uses
// (solver::change_target): a model-based property test over two QGIS profiles sharing one
// index and a folder repository of real plugin ZIPs with plugin_dependencies and
// requirements.txt, and the findings of the lifecycle issue as single tests.
//
// The checker is independent of qplug: it reads the plugin folders, their metadata.txt,
// QGIS3.ini and the state file with plain code written here, and knows the catalog it
// generated. QPLUG_LIFECYCLE_STEPS=N runs N steps (default 120), QPLUG_LIFECYCLE_SEED=S
// another seed.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <array>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zip.h>

#include <qplug/solver/index.hpp>
#include <qplug/solver/lifecycle.hpp>
#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/solver/source.hpp>

#include "install/plugin_install_hook.hpp"

namespace {

namespace fs = std::filesystem;
using namespace qplug::solver;
using qplug::Expected;

// ---------------------------------------------------------------------------------------
// Plain helpers of the checker (no qplug code).

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// Every file and folder under `root` with its bytes: equal snapshots mean nothing changed.
std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    if (!fs::exists(root, ec)) {
        return out;
    }
    for (auto it = fs::recursive_directory_iterator(root, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        const std::string rel = fs::relative(it->path(), root).string();
        if (rel == "python/plugins/.qplug.lock") {
            continue; // the lock file holds the last holder's PID
        }
        out[rel] = it->is_regular_file() ? read_file(it->path()) : std::string("<dir>");
    }
    return out;
}

/// key=value lines of one section of an INI file we wrote ourselves (no continuation lines).
std::map<std::string, std::string> ini_section(const std::string& text, const std::string& name) {
    std::map<std::string, std::string> out;
    std::istringstream in(text);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        if (!line.empty() && line.front() == '[') {
            inside = line == "[" + name + "]";
            continue;
        }
        const auto eq = line.find('=');
        if (inside && eq != std::string::npos) {
            out[line.substr(0, eq)] = line.substr(eq + 1);
        }
    }
    return out;
}

// ---------------------------------------------------------------------------------------
// The catalog: plugins with versions, dependencies on lower-numbered plugins (no cycles) and
// requirements on the numpy of the test's Python environment.

struct Release {
    int version = 1;                       ///< "N.0"
    std::vector<std::pair<int, int>> deps; ///< (plugin, exact version or 0 for any)
    std::string requirements;              ///< requirements.txt, "" for none
    bool impossible = false;               ///< needs numpy>=99: never installable
};

struct Catalog {
    std::vector<std::vector<Release>> plugins; ///< [plugin][release]
    static std::string key(int p) { return fmt::format("plug_{}", p); }
    static std::string name(int p) { return fmt::format("Plug {}", p); }
    static std::string version(int v) { return fmt::format("{}.0", v); }
    int plugin_of_name(const std::string& n) const {
        for (std::size_t p = 0; p < plugins.size(); ++p) {
            if (name(static_cast<int>(p)) == n) {
                return static_cast<int>(p);
            }
        }
        return -1;
    }
};

Catalog make_catalog(std::mt19937& rng, bool with_numpy) {
    Catalog c;
    const int n = 8;
    for (int p = 0; p < n; ++p) {
        std::vector<Release> releases;
        const int count = 1 + static_cast<int>(rng() % 3);
        for (int v = 1; v <= count; ++v) {
            Release r;
            r.version = v;
            for (int d = 0; d < p; ++d) {
                if (rng() % 4 == 0) {
                    const int pinned = rng() % 3 == 0 ? 1 : 0; // "==1.0" sometimes
                    r.deps.emplace_back(d, pinned);
                }
            }
            if (with_numpy && rng() % 5 == 0) {
                r.requirements = "numpy>=1.0  # the environment has it\n";
            }
            releases.push_back(std::move(r));
        }
        c.plugins.push_back(std::move(releases));
    }
    if (with_numpy) {
        // One release nobody can install: it would need numpy 99 next to the host's.
        Release r;
        r.version = static_cast<int>(c.plugins[3].size()) + 1;
        r.requirements = "numpy>=99\n";
        r.impossible = true;
        c.plugins[3].push_back(r);
    }
    return c;
}

std::string metadata_txt(int p, const Release& r) {
    std::string deps;
    for (const auto& [d, pinned] : r.deps) {
        deps += (deps.empty() ? "" : ",") + Catalog::name(d) +
                (pinned != 0 ? "==" + Catalog::version(pinned) : std::string());
    }
    return fmt::format("[general]\nname={}\nversion={}\nqgisMinimumVersion=3.16\n"
                       "description=A test plugin\nabout=Made by qplug's lifecycle test\n"
                       "author=qplug\nemail=qplug@example.org\n"
                       "repository=https://example.org/r\n{}",
                       Catalog::name(p), Catalog::version(r.version),
                       deps.empty() ? "" : "plugin_dependencies=" + deps + "\n");
}

/// A real plugin ZIP, written with libzip: <key>/__init__.py, metadata.txt, requirements.txt.
void write_zip(const fs::path& path, int p, const Release& r) {
    int error = 0;
    zip_t* z = zip_open(path.c_str(), ZIP_CREATE | ZIP_TRUNCATE, &error);
    ASSERT_NE(z, nullptr);
    std::vector<std::string> keep; // libzip reads the buffers at zip_close
    const auto add = [&](const std::string& name, std::string data) {
        keep.push_back(std::move(data));
        zip_source_t* src = zip_source_buffer(z, keep.back().data(), keep.back().size(), 0);
        ASSERT_NE(src, nullptr);
        ASSERT_GE(zip_file_add(z, (Catalog::key(p) + "/" + name).c_str(), src, ZIP_FL_ENC_UTF_8),
                  0);
    };
    keep.reserve(8);
    add("__init__.py", "def classFactory(iface):\n    return None\n");
    add("metadata.txt", metadata_txt(p, r));
    add("LICENSE", "GPL-2.0-or-later\n");
    if (!r.requirements.empty()) {
        add("requirements.txt", r.requirements);
    }
    ASSERT_EQ(zip_close(z), 0);
}

/// What an installed plugin folder says, read by the checker.
struct Folder {
    std::string name;
    std::string version;
    std::vector<std::pair<std::string, std::string>> deps; ///< (name, "==v" or "")
};

std::map<std::string, Folder> installed_folders(const fs::path& plugins) {
    std::map<std::string, Folder> out;
    std::error_code ec;
    for (auto it = fs::directory_iterator(plugins, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        const std::string key = it->path().filename().string();
        if (key.front() == '.' || !it->is_directory()) {
            continue;
        }
        const auto general = ini_section(read_file(it->path() / "metadata.txt"), "general");
        Folder f;
        f.name = general.count("name") != 0 ? general.at("name") : "";
        f.version = general.count("version") != 0 ? general.at("version") : "";
        if (general.count("plugin_dependencies") != 0) {
            std::stringstream list(general.at("plugin_dependencies"));
            std::string item;
            while (std::getline(list, item, ',')) {
                const auto eq = item.find("==");
                f.deps.emplace_back(item.substr(0, eq),
                                    eq == std::string::npos ? "" : item.substr(eq + 2));
            }
        }
        out[key] = f;
    }
    return out;
}

/// Whether some installation holds plugin `p` at version `v` while keeping what a plain
/// install must keep: every installed plugin stays, at its version or newer (an install neither
/// removes nor downgrades, as libsolv without ALLOW_UNINSTALL/ALLOW_DOWNGRADE), every present
/// release's plugin dependencies are present (at the pinned version), the target's pins hold,
/// and no release needing numpy 99 is used.
/// A plain backtracking search over the small catalog, written here without qplug.
bool installable(const Catalog& c, int p, int v, const std::map<int, int>& before,
                 const std::map<int, int>& pins) {
    const int n = static_cast<int>(c.plugins.size());
    std::vector<int> chosen(static_cast<std::size_t>(n), 0); // 0: absent, else the version
    const auto release = [&](int q, int version) -> const Release* {
        for (const auto& r : c.plugins[static_cast<std::size_t>(q)]) {
            if (r.version == version) {
                return &r;
            }
        }
        return nullptr;
    };
    // Plugins depend only on lower-numbered ones: decide from the highest down, checking each
    // choice's dependencies once all of them are decided (at the end).
    std::function<bool(int)> search = [&](int q) -> bool {
        if (q < 0) {
            for (int x = 0; x < n; ++x) {
                const int xv = chosen[static_cast<std::size_t>(x)];
                if (xv == 0) {
                    continue;
                }
                for (const auto& [d, pinned] : release(x, xv)->deps) {
                    const int dv = chosen[static_cast<std::size_t>(d)];
                    if (dv == 0 || (pinned != 0 && dv != pinned)) {
                        return false;
                    }
                }
            }
            return true;
        }
        std::vector<int> options;
        if (q == p) {
            options = {v};
        } else {
            const auto b = before.find(q);
            if (b == before.end()) {
                options.push_back(0);
            }
            for (const auto& r : c.plugins[static_cast<std::size_t>(q)]) {
                if (b == before.end() || r.version >= b->second) {
                    options.push_back(r.version);
                }
            }
        }
        for (const int option : options) {
            if (option != 0) {
                const Release* r = release(q, option);
                if (r == nullptr || r->impossible) {
                    continue;
                }
                if (auto pin = pins.find(q); pin != pins.end() && pin->second != option) {
                    continue;
                }
            }
            chosen[static_cast<std::size_t>(q)] = option;
            if (search(q - 1)) {
                return true;
            }
        }
        chosen[static_cast<std::size_t>(q)] = 0;
        return false;
    };
    return search(n - 1);
}

std::string python_with_numpy() {
    // Debian's interpreter (what QGIS uses) with its numpy; else no environment.
    if (std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0) {
        return "/usr/bin/python3";
    }
    return "none";
}

// ---------------------------------------------------------------------------------------

class Lifecycle : public testing::Test {
protected:
    void SetUp() override {
        root_ = fs::temp_directory_path() /
                fmt::format("qplug-lifecycle-{}-{}", ::getpid(),
                            testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(root_);
        fs::create_directories(root_ / "repo");
        ::setenv("QPLUG_CACHE_DIR", (root_ / "cache").c_str(), 1);
        python_ = python_with_numpy();
    }
    void TearDown() override { fs::remove_all(root_); }

    void make_repository(const Catalog& catalog) {
        for (std::size_t p = 0; p < catalog.plugins.size(); ++p) {
            for (const auto& r : catalog.plugins[p]) {
                write_zip(root_ / "repo" /
                              fmt::format("{}.{}.zip", Catalog::key(static_cast<int>(p)),
                                          Catalog::version(r.version)),
                          static_cast<int>(p), r);
            }
        }
        auto index = Index::open(root_ / "index.sqlite");
        ASSERT_TRUE(index) << index.error().to_string();
        RepositoryConfig repo;
        repo.name = "folder";
        repo.kind = "folder";
        repo.url = (root_ / "repo").string();
        ASSERT_TRUE(index->add_repository(repo));
        auto fetcher = make_fetcher();
        SyncContext context;
        context.fetcher = fetcher.get();
        context.qgis_version = "3.34.0";
        auto synced = sync_repository(*index, SourceRegistry::builtin(), "folder", context);
        ASSERT_TRUE(synced) << synced.error().to_string();
    }

    Target target(const std::string& profile) const {
        TargetOptions o;
        o.profile = profile;
        o.profiles_path = (root_ / "profiles").string();
        o.python = python_;
        auto t = Target::open(o);
        EXPECT_TRUE(t) << t.error().to_string();
        return std::move(*t);
    }

    Expected<ChangeReport> change(const Target& t, const std::vector<std::string>& texts,
                                  Request::Action action, bool allow_downgrade = false) {
        auto index = Index::open(root_ / "index.sqlite");
        if (!index) {
            return std::move(index).error();
        }
        std::vector<Request> requests;
        for (const auto& text : texts) {
            auto r = parse_request(text, action);
            if (!r) {
                return std::move(r).error();
            }
            requests.push_back(*r);
        }
        if (action == Request::Action::upgrade && requests.empty()) {
            requests.push_back(Request{action, std::nullopt, "", "", "upgrade"});
        }
        ChangeOptions options;
        options.plan.policy.qgis_version = "3.34.0";
        options.plan.policy.allow_downgrade = allow_downgrade;
        return change_target(*index, t, std::move(requests), options);
    }

    fs::path root_;
    std::string python_;
};

/// The checker's view of one profile after a step.
void check_profile(const Target& t, const Catalog& catalog, const std::string& where,
                   bool after_change) {
    SCOPED_TRACE(where);
    const auto folders = installed_folders(t.plugins_dir());
    nlohmann::json state = nlohmann::json::object();
    if (fs::exists(t.state_file())) {
        state = nlohmann::json::parse(read_file(t.state_file()));
    }
    const auto marks = state.value("marks", nlohmann::json::object());
    // The folders are exactly the plugins the state knows.
    std::set<std::string> marked;
    for (const auto& [key, mark] : marks.items()) {
        if (key.rfind("legacy:", 0) == 0) {
            marked.insert(key.substr(7));
        }
    }
    std::set<std::string> present;
    for (const auto& [key, f] : folders) {
        present.insert(key);
    }
    EXPECT_EQ(present, marked) << "plugin folders and recorded marks differ";
    // Every dependency installed in the same profile, at the pinned version.
    std::set<std::string> needed;
    for (const auto& [key, f] : folders) {
        for (const auto& [name, pinned] : f.deps) {
            const int p = catalog.plugin_of_name(name);
            ASSERT_GE(p, 0) << name;
            const std::string dep_key = Catalog::key(p);
            needed.insert(dep_key);
            auto it = folders.find(dep_key);
            ASSERT_NE(it, folders.end()) << key << " needs " << name << ", not installed";
            if (!pinned.empty()) {
                EXPECT_EQ(it->second.version, pinned) << key << " needs " << name << "==" << pinned;
            }
        }
        // Never the release that needs numpy 99.
        const int p = catalog.plugin_of_name(f.name);
        ASSERT_GE(p, 0);
        for (const auto& r : catalog.plugins[static_cast<std::size_t>(p)]) {
            if (r.impossible) {
                EXPECT_NE(f.version, Catalog::version(r.version)) << key;
            }
        }
    }
    // No automatic plugin that nothing needs, after any run that changed the profile (a
    // refused run changes nothing, not even what `qplug mark` left unneeded).
    for (const auto& [key, mark] : marks.items()) {
        if (!after_change) {
            break;
        }
        if (key.rfind("legacy:", 0) == 0 && mark == "automatic") {
            EXPECT_EQ(needed.count(key.substr(7)), 1U) << key << " is automatic and unneeded";
        }
    }
}

TEST_F(Lifecycle, RandomOperationsOnTwoProfilesKeepEveryInvariant) {
    const unsigned seed =
        std::getenv("QPLUG_LIFECYCLE_SEED") != nullptr
            ? static_cast<unsigned>(std::atoi(std::getenv("QPLUG_LIFECYCLE_SEED")))
            : 20261206U;
    const int steps = std::getenv("QPLUG_LIFECYCLE_STEPS") != nullptr
                          ? std::atoi(std::getenv("QPLUG_LIFECYCLE_STEPS"))
                          : 120;
    std::mt19937 rng(seed);
    const Catalog catalog = make_catalog(rng, python_ != "none");
    make_repository(catalog);
    if (std::getenv("QPLUG_LIFECYCLE_VERBOSE") != nullptr) {
        for (std::size_t p = 0; p < catalog.plugins.size(); ++p) {
            for (const auto& r : catalog.plugins[p]) {
                std::cout << Catalog::name(static_cast<int>(p)) << " "
                          << Catalog::version(r.version)
                          << (r.impossible ? " (needs numpy 99)" : "") << ":";
                for (const auto& [d, pinned] : r.deps) {
                    std::cout << " " << Catalog::name(d)
                              << (pinned != 0 ? "==" + Catalog::version(pinned) : "");
                }
                std::cout << '\n';
            }
        }
    }
    const std::vector<Target> profiles = {target("A"), target("B")};
    int solved = 0, unsolved = 0;
    // The model of what the user disabled with `qplug disable`, per profile: QGIS starts every
    // other installed plugin; an upgrade keeps a plugin disabled; a removal forgets it.
    std::array<std::set<std::string>, 2> disabled;
    for (int step = 0; step < steps; ++step) {
        const std::size_t which = rng() % 2;
        const Target& t = profiles[which];
        const Target& other = profiles[1 - which];
        const auto other_before = snapshot(other.root());
        const auto before = snapshot(t.root());
        const auto folders_before = installed_folders(t.plugins_dir());
        std::set<std::string> requested_before;
        if (fs::exists(t.state_file())) {
            const auto state = nlohmann::json::parse(read_file(t.state_file()));
            const auto marks = state.value("marks", nlohmann::json::object());
            for (const auto& [key, mark] : marks.items()) {
                if (mark == "requested" && key.rfind("legacy:", 0) == 0) {
                    requested_before.insert(key.substr(7));
                }
            }
        }
        std::map<int, int> versions_before; // plugin -> N of "N.0"
        for (const auto& [key, f] : folders_before) {
            versions_before[catalog.plugin_of_name(f.name)] = std::stoi(f.version);
        }
        std::map<int, int> pins_before;
        {
            auto state = t.load_state();
            ASSERT_TRUE(state);
            for (const auto& [pinned, spec] : state->pins) {
                pins_before[catalog.plugin_of_name(pinned)] = std::stoi(spec.substr(2));
            }
        }
        bool plain_install = false;
        const int p = static_cast<int>(rng() % catalog.plugins.size());
        const auto& releases = catalog.plugins[static_cast<std::size_t>(p)];
        const int v = releases[rng() % releases.size()].version;
        std::string what;
        std::vector<std::string> named; // removed by name in this step
        Expected<ChangeReport> report = ChangeReport{};
        switch (rng() % 8) {
        case 0:
        case 1:
            what = "install " + Catalog::name(p);
            plain_install = true;
            report = change(t, {Catalog::name(p)}, Request::Action::install);
            break;
        case 2:
            what = fmt::format("install {}=={} (downgrades allowed)", Catalog::name(p),
                               Catalog::version(v));
            report = change(t, {Catalog::name(p) + "==" + Catalog::version(v)},
                            Request::Action::install, true);
            break;
        case 3:
        case 4: {
            if (folders_before.empty()) {
                what = "remove of nothing";
                report = change(t, {Catalog::name(p)}, Request::Action::remove);
                break;
            }
            auto it = folders_before.begin();
            std::advance(it, static_cast<long>(rng() % folders_before.size()));
            what = "remove " + it->second.name;
            named.push_back(it->first);
            report = change(t, {it->second.name}, Request::Action::remove);
            break;
        }
        case 5:
            what = "upgrade";
            report = change(t, {}, Request::Action::upgrade);
            break;
        case 6: {
            // `qplug disable` / `qplug enable` of an installed plugin.
            if (folders_before.empty()) {
                what = "enable of nothing";
                break;
            }
            auto it = folders_before.begin();
            std::advance(it, static_cast<long>(rng() % folders_before.size()));
            const bool enable = disabled[which].count(it->first) != 0;
            what = (enable ? "enable " : "disable ") + it->second.name;
            auto done = change_python_plugins(t.root(), {it->first},
                                              enable ? PythonPluginChange::enable
                                                     : PythonPluginChange::disable);
            ASSERT_TRUE(done) << done.error().to_string();
            if (enable) {
                disabled[which].erase(it->first);
            } else {
                disabled[which].insert(it->first);
            }
            break;
        }
        default: {
            // Pins and marks, as `qplug pin` and `qplug mark` record them.
            if (!folders_before.empty() && rng() % 2 == 0) {
                auto it = folders_before.begin();
                std::advance(it, static_cast<long>(rng() % folders_before.size()));
                what = "mark auto " + it->second.name;
                named.push_back(it->first); // no longer requested: may go
                auto marked = set_marks(t, {it->second.name}, Mark::automatic);
                ASSERT_TRUE(marked) << marked.error().to_string();
                // An automatic plugin nothing needs goes at the next removal run.
                report = change(t, {}, Request::Action::upgrade);
            } else {
                what = fmt::format("pin {}=={}", Catalog::name(p), Catalog::version(v));
                auto state = t.load_state();
                ASSERT_TRUE(state);
                std::erase_if(state->pins,
                              [&](const auto& pin) { return pin.first == Catalog::name(p); });
                if (rng() % 2 == 0) {
                    state->pins.emplace_back(Catalog::name(p), "==" + Catalog::version(v));
                } else {
                    what = "unpin " + Catalog::name(p);
                }
                ASSERT_TRUE(t.save_state(*state));
                report = change(t, {}, Request::Action::upgrade);
            }
            break;
        }
        }
        const std::string where =
            fmt::format("step {} in {}: {}", step, which == 0 ? "A" : "B", what);
        SCOPED_TRACE(where);
        if (!report) {
            // Only a remove of what is not installed may fail outright.
            EXPECT_EQ(report.error().kind, qplug::Error::Kind::not_found)
                << report.error().to_string();
        }
        const bool changed = report && report->plan.resolution.solved && report->confirmed;
        if (std::getenv("QPLUG_LIFECYCLE_VERBOSE") != nullptr && report) {
            std::cout << where << (changed ? ": changed\n" : ": refused\n");
            for (const auto& c : report->plan.resolution.explanation.summary) {
                std::cout << "  " << c << '\n';
            }
            for (const auto& st : report->plan.resolution.plan.steps) {
                std::cout << "  " << action_name(st.action) << " " << st.name << " " << st.version
                          << " (" << st.reason << ")\n";
            }
        }
        changed ? ++solved : ++unsolved;
        const bool settings_only = what.rfind("mark", 0) == 0 || what.rfind("pin", 0) == 0 ||
                                   what.rfind("unpin", 0) == 0 || what.rfind("enable", 0) == 0 ||
                                   what.rfind("disable", 0) == 0;
        if (!changed && !settings_only) {
            EXPECT_EQ(snapshot(t.root()), before) << "a refused request changed the profile";
        }
        EXPECT_EQ(snapshot(other.root()), other_before) << "the other profile changed";
        check_profile(t, catalog, where, changed);
        const auto folders = installed_folders(t.plugins_dir());
        for (const auto& key : requested_before) {
            if (std::find(named.begin(), named.end(), key) == named.end()) {
                EXPECT_EQ(folders.count(key), 1U) << key << " was requested and went";
            }
        }
        if (plain_install && changed && versions_before.count(p) == 0) {
            // A new plugin: the newest release the installation can take was chosen (an
            // installed one is kept as it is, as pip and dnf do; `upgrade` moves it)...
            const auto it = folders.find(Catalog::key(p));
            ASSERT_NE(it, folders.end()) << "installed nothing";
            const int got = std::stoi(it->second.version);
            for (const auto& r : catalog.plugins[static_cast<std::size_t>(p)]) {
                if (r.version > got) {
                    EXPECT_FALSE(installable(catalog, p, r.version, versions_before, pins_before))
                        << Catalog::name(p) << " " << Catalog::version(r.version)
                        << " could have been installed, " << it->second.version << " was";
                }
            }
            // ... and nothing changed that the request did not need: a plugin outside what
            // P needs (now) keeps its version, or went because it was automatic and unneeded.
            std::set<std::string> closure{Catalog::key(p)};
            for (bool grew = true; grew;) {
                grew = false;
                for (const auto& key : std::set<std::string>(closure)) {
                    if (folders.count(key) == 0) {
                        continue;
                    }
                    for (const auto& [dep, pinned] : folders.at(key).deps) {
                        grew = closure.insert(Catalog::key(catalog.plugin_of_name(dep))).second ||
                               grew;
                    }
                }
            }
            for (const auto& [key, f] : folders_before) {
                if (closure.count(key) != 0) {
                    continue;
                }
                if (folders.count(key) != 0) {
                    EXPECT_EQ(folders.at(key).version, f.version)
                        << key << " changed although " << Catalog::name(p) << " does not need it";
                } else {
                    EXPECT_EQ(requested_before.count(key), 0U) << key << " went";
                }
            }
        }
        // QGIS starts what qplug installed ([PythonPlugins] key=true) unless the user disabled
        // it (false, kept through upgrades); a removed plugin's entry is gone.
        std::erase_if(disabled[which], [&](const std::string& key) { return !folders.count(key); });
        const auto settings =
            ini_section(read_file(t.root() / "QGIS" / "QGIS3.ini"), "PythonPlugins");
        for (const auto& [key, f] : folders) {
            EXPECT_EQ(settings.count(key) != 0 ? settings.at(key) : "",
                      disabled[which].count(key) != 0 ? "false" : "true")
                << key;
        }
        for (const auto& [key, value] : settings) {
            EXPECT_EQ(folders.count(key), 1U) << key << " is enabled but not installed";
        }
        // The plan's order: a plugin after every plugin it needs that the plan installs.
        if (changed) {
            std::set<std::string> placed;
            const auto& plan = report->plan.resolution.plan.steps;
            for (const auto& s : plan) {
                if (s.action == PlanStep::Action::remove || s.action == PlanStep::Action::keep ||
                    s.backend != Backend::legacy) {
                    continue;
                }
                if (folders.count(s.name) != 0) {
                    for (const auto& [dep, pinned] : folders.at(s.name).deps) {
                        const std::string dep_key = Catalog::key(catalog.plugin_of_name(dep));
                        const bool in_plan =
                            std::any_of(plan.begin(), plan.end(), [&](const PlanStep& o) {
                                return o.name == dep_key && o.action != PlanStep::Action::remove &&
                                       o.action != PlanStep::Action::keep;
                            });
                        if (in_plan) {
                            EXPECT_EQ(placed.count(dep_key), 1U)
                                << s.name << " comes before " << dep_key << " in the plan";
                        }
                    }
                }
                placed.insert(s.name);
            }
        }
        if (HasFatalFailure() || HasFailure()) {
            break;
        }
    }
    std::cout << fmt::format("{} steps: {} changed a profile, {} were refused or unsolvable\n",
                             steps, solved, unsolved);
    EXPECT_GT(solved, steps / 5);
}

// ---------------------------------------------------------------------------------------
// The findings of the lifecycle issue, one test each, on a small fixed catalog.

/// Plugins by (number, versions, deps): App needs Mid needs Base; Solo alone; A needs
/// Lib==2.0, B needs Lib==1.0.
Catalog fixed_catalog() {
    Catalog c;
    c.plugins.resize(7);
    c.plugins[0] = {Release{1, {}, "", false}};       // Plug 0: "Base"
    c.plugins[1] = {Release{1, {{0, 0}}, "", false}}; // Plug 1 needs Plug 0
    c.plugins[2] = {Release{1, {{1, 0}}, "", false}}; // Plug 2 needs Plug 1 (the app)
    c.plugins[3] = {Release{1, {}, "", false}};       // Plug 3: solo
    c.plugins[4] = {Release{1, {}, "", false}, Release{2, {}, "", false}}; // the lib
    c.plugins[5] = {Release{1, {{4, 2}}, "", false}};                      // needs Plug 4==2.0
    c.plugins[6] = {Release{1, {{4, 1}}, "", false}};                      // needs Plug 4==1.0
    return c;
}

bool solved(const Expected<ChangeReport>& r) {
    return r && r->plan.resolution.solved && r->confirmed;
}

TEST_F(Lifecycle, TwoProfilesOnOneIndexAreIndependent) {
    const Catalog catalog = fixed_catalog();
    make_repository(catalog);
    const Target a = target("A");
    const Target b = target("B");
    ASSERT_TRUE(solved(change(a, {"Plug 2"}, Request::Action::install)));
    // B gets the whole chain: what A has does not count in B.
    auto in_b = change(b, {"Plug 2"}, Request::Action::install);
    ASSERT_TRUE(solved(in_b)) << (in_b ? "" : in_b.error().to_string());
    EXPECT_EQ(in_b->plan.resolution.plan.steps.size(), 3U);
    EXPECT_EQ(installed_folders(b.plugins_dir()).size(), 3U);
    EXPECT_EQ(in_b->plan.resolution.plan.load_order,
              (std::vector<std::string>{"plug_0", "plug_1", "plug_2"}));
    ASSERT_TRUE(solved(change(b, {"Plug 3"}, Request::Action::install)));
    // A's load order lists A's plugins only; removing in A leaves B alone.
    const auto b_before = snapshot(b.root());
    auto removed = change(a, {"Plug 2"}, Request::Action::remove);
    ASSERT_TRUE(solved(removed));
    EXPECT_TRUE(installed_folders(a.plugins_dir()).empty());
    EXPECT_EQ(snapshot(b.root()), b_before);
    // Removing in B what only A had installed: not installed there.
    auto nothing = change(b, {"Plug 5"}, Request::Action::remove);
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error().kind, qplug::Error::Kind::not_found);
}

TEST_F(Lifecycle, RemovingANeededPluginIsRefusedNamingTheDependent) {
    make_repository(fixed_catalog());
    const Target a = target("A");
    ASSERT_TRUE(solved(change(a, {"Plug 2"}, Request::Action::install)));
    const auto before = snapshot(a.root());
    auto r = change(a, {"Plug 1"}, Request::Action::remove);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_FALSE(r->plan.resolution.solved);
    const auto& e = r->plan.resolution.explanation;
    ASSERT_FALSE(e.summary.empty());
    EXPECT_NE(e.summary.front().find("Plug 2 1.0"), std::string::npos) << e.summary.front();
    EXPECT_NE(e.summary.front().find("which you asked to remove"), std::string::npos);
    EXPECT_TRUE(std::any_of(e.solutions.begin(), e.solutions.end(), [](const std::string& s) {
        return s.find("remove Plug 2 1.0") != std::string::npos;
    }));
    EXPECT_EQ(snapshot(a.root()), before);
}

TEST_F(Lifecycle, ADependencyAskedForByNameStays) {
    make_repository(fixed_catalog());
    const Target a = target("A");
    ASSERT_TRUE(solved(change(a, {"Plug 1", "Plug 0"}, Request::Action::install)));
    auto r = change(a, {"Plug 1"}, Request::Action::remove);
    ASSERT_TRUE(solved(r));
    EXPECT_EQ(r->plan.resolution.plan.steps.size(), 1U);
    EXPECT_EQ(installed_folders(a.plugins_dir()).count("plug_0"), 1U);
    // Marked automatic, it goes at the next run that changes the profile.
    ASSERT_TRUE(set_marks(a, {"Plug 0"}, Mark::automatic));
    ASSERT_TRUE(solved(change(a, {"Plug 3"}, Request::Action::install)));
    EXPECT_EQ(installed_folders(a.plugins_dir()).count("plug_0"), 0U);
}

TEST_F(Lifecycle, ConcurrentInstallsCannotMakeAStateOneRunRefuses) {
    // appa needs lib==2.0, appb needs lib==1.0: run at the same time, one must be refused.
    make_repository(fixed_catalog());
    const Target a = target("A");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const auto run_child = [&](const std::string& name, bool slow) {
        const pid_t pid = ::fork();
        if (pid != 0) {
            return pid;
        }
        if (slow) {
            // Holds the lock from before planning until well after the other run started.
            detail::set_install_hook([&](std::string_view point, std::string_view) {
                if (point == "staged") {
                    const char c = 'x';
                    (void)!::write(ready[1], &c, 1);
                    std::this_thread::sleep_for(std::chrono::milliseconds(700));
                }
                return true;
            });
        }
        auto r = change(a, {name}, Request::Action::install);
        ::_exit(!r ? 3 : solved(r) ? 0 : 1);
    };
    const pid_t first = run_child("Plug 5", true);
    char c = 0;
    ASSERT_EQ(::read(ready[0], &c, 1), 1); // the first run holds the lock and has planned
    const pid_t second = run_child("Plug 6", false);
    int s1 = 0, s2 = 0;
    ASSERT_EQ(::waitpid(first, &s1, 0), first);
    ASSERT_EQ(::waitpid(second, &s2, 0), second);
    ::close(ready[0]);
    ::close(ready[1]);
    ASSERT_TRUE(WIFEXITED(s1) && WIFEXITED(s2));
    EXPECT_EQ(WEXITSTATUS(s1), 0);
    EXPECT_EQ(WEXITSTATUS(s2), 1) << "the second run planned against the old state";
    const auto folders = installed_folders(a.plugins_dir());
    EXPECT_EQ(folders.count("plug_5"), 1U);
    EXPECT_EQ(folders.count("plug_6"), 0U);
    EXPECT_EQ(folders.at("plug_4").version, "2.0");
}

TEST_F(Lifecycle, AnyRunRecoversAnUpgradeKilledBetweenItsRenames) {
    make_repository(fixed_catalog());
    const Target a = target("A");
    ASSERT_TRUE(solved(change(a, {"Plug 4==1.0"}, Request::Action::install)));
    // Without RENAME_EXCHANGE an upgrade is two renames; killed between them, the plugin is
    // missing until a run recovers it.
    const pid_t pid = ::fork();
    if (pid == 0) {
        detail::set_rename_exchange(false);
        detail::set_install_hook([](std::string_view point, std::string_view) {
            if (point == "backed-up") {
                ::raise(SIGKILL);
            }
            return true;
        });
        auto r = change(a, {"Plug 4"}, Request::Action::upgrade);
        ::_exit(r ? 0 : 1);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status));
    ASSERT_FALSE(fs::exists(a.plugins_dir() / "plug_4")) << "the kill came too late";
    // A run with nothing to do (Plug 4 is installed): it recovers first.
    auto r = change(a, {"Plug 4"}, Request::Action::install);
    ASSERT_TRUE(solved(r)) << (r ? "" : r.error().to_string());
    ASSERT_EQ(r->recovery.areas.size(), 1U);
    EXPECT_EQ(r->recovery.areas[0].outcome, RecoveryReport::Area::Outcome::rolled_back);
    EXPECT_EQ(installed_folders(a.plugins_dir()).at("plug_4").version, "1.0");
}

} // namespace
