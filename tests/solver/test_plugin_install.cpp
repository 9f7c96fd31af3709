// SPDX-License-Identifier: GPL-2.0-or-later
// The legacy installer on real plugin ZIPs built here from real metadata.txt files: installs,
// upgrades, removals; every kind of failure (download, size, hash, package check, a rename,
// a kill -9) leaves the plugins folder byte-identical or, after the commit, as planned; the
// journal's recovery; the profile lock; ZIP entries that try to leave the folder.
#include <array>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/checksum.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/plugin_install.hpp>

#include "install/plugin_install_hook.hpp"
#include "io/zip_extract.hpp"

using namespace qplug;
using namespace qplug::solver;
namespace fs = std::filesystem;

namespace {

// ---- a minimal ZIP writer (stored entries), so that tests can build any archive, even the
// malicious ones no ZIP tool writes ---------------------------------------------------------

std::uint32_t crc32(std::string_view data) {
    static const auto table = [] {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i) {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k) {
                c = (c & 1u) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (char ch : data) {
        c = table[(c ^ static_cast<unsigned char>(ch)) & 0xFFu] ^ (c >> 8);
    }
    return c ^ 0xFFFFFFFFu;
}

struct ZipEntry {
    std::string name;
    std::string data;
    std::uint32_t unix_mode = 0; ///< 0: no Unix attributes
};

void put16(std::string& out, std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xFFu));
    out.push_back(static_cast<char>((v >> 8) & 0xFFu));
}
void put32(std::string& out, std::uint32_t v) {
    put16(out, v & 0xFFFFu);
    put16(out, v >> 16);
}

std::string make_zip(const std::vector<ZipEntry>& entries) {
    std::string out;
    std::string central;
    for (const auto& e : entries) {
        const auto offset = static_cast<std::uint32_t>(out.size());
        const std::uint32_t crc = crc32(e.data);
        const auto size = static_cast<std::uint32_t>(e.data.size());
        const auto name_size = static_cast<std::uint32_t>(e.name.size());
        put32(out, 0x04034b50u);
        put16(out, 20);   // version needed
        put16(out, 0);    // flags
        put16(out, 0);    // stored
        put16(out, 0);    // time
        put16(out, 0x21); // date (1980-01-01)
        put32(out, crc);
        put32(out, size);
        put32(out, size);
        put16(out, name_size);
        put16(out, 0);
        out += e.name;
        out += e.data;

        put32(central, 0x02014b50u);
        put16(central, e.unix_mode != 0 ? (3u << 8) | 20u : 20u); // made by (3 = Unix)
        put16(central, 20);
        put16(central, 0);
        put16(central, 0);
        put16(central, 0);
        put16(central, 0x21);
        put32(central, crc);
        put32(central, size);
        put32(central, size);
        put16(central, name_size);
        put16(central, 0); // extra
        put16(central, 0); // comment
        put16(central, 0); // disk
        put16(central, 0); // internal attributes
        put32(central, e.unix_mode << 16);
        put32(central, offset);
        central += e.name;
    }
    const auto central_offset = static_cast<std::uint32_t>(out.size());
    out += central;
    put32(out, 0x06054b50u);
    put16(out, 0);
    put16(out, 0);
    put16(out, static_cast<std::uint32_t>(entries.size()));
    put16(out, static_cast<std::uint32_t>(entries.size()));
    put32(out, static_cast<std::uint32_t>(central.size()));
    put32(out, central_offset);
    put16(out, 0);
    return out;
}

std::string read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_file(const fs::path& path, const std::string& content) {
    fs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << content;
}

/// A real metadata.txt from tests/data/metadata.
std::string real_metadata(const std::string& name) {
    const std::string text = read_file(fs::path(QPLUG_TEST_DATA) / "metadata" / name);
    EXPECT_FALSE(text.empty()) << name;
    return text;
}

/// The entries of a plugin folder: metadata.txt, __init__.py, LICENSE, a module, an icon.
std::vector<ZipEntry> plugin_entries(const std::string& folder, const std::string& metadata_file,
                                     const std::string& marker = "") {
    return {
        {folder + "/", "", 0040755},
        {folder + "/metadata.txt", real_metadata(metadata_file), 0100644},
        {folder + "/__init__.py",
         "def classFactory(iface):\n    from .plugin import Plugin\n    return Plugin(iface)\n",
         0100644},
        {folder + "/plugin.py", "class Plugin:\n    pass\n# " + marker + "\n", 0100644},
        {folder + "/LICENSE", "GPL-2.0-or-later\n", 0100644},
        {folder + "/sub/", "", 0040755},
        {folder + "/sub/data.txt", "data of " + folder + " " + marker + "\n", 0100644},
    };
}

/// A recursive listing with types, modes and contents (or link targets) of everything below
/// `root`, the lock file aside: two equal snapshots mean byte-identical folders.
std::map<std::string, std::string> snapshot(const fs::path& root) {
    std::map<std::string, std::string> out;
    std::error_code ec;
    if (!fs::exists(root, ec)) {
        return out;
    }
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
         ++it) {
        const std::string rel = fs::relative(it->path(), root).generic_string();
        if (rel == ProfileLock::kFileName) {
            continue;
        }
        struct stat st {};
        ::lstat(it->path().c_str(), &st);
        std::string value = std::to_string(st.st_mode);
        if (S_ISLNK(st.st_mode)) {
            value += " -> " + fs::read_symlink(it->path()).string();
        } else if (S_ISREG(st.st_mode)) {
            value += " " + read_file(it->path());
        }
        out[rel] = value;
    }
    return out;
}

std::string describe(const std::map<std::string, std::string>& a) {
    std::string s;
    for (const auto& [k, v] : a) {
        s += k + " [" + v.substr(0, v.find(' ')) + "]\n";
    }
    return s;
}

bool has_temp_area(const fs::path& plugins) {
    std::error_code ec;
    for (auto it = fs::directory_iterator(plugins, ec); !ec && it != fs::directory_iterator();
         it.increment(ec)) {
        if (it->path().filename().string().rfind(".qplug-tmp-", 0) == 0) {
            return true;
        }
    }
    return false;
}

/// Resets the hook when a test ends, whatever happens.
struct HookGuard {
    explicit HookGuard(detail::InstallHook hook) { detail::set_install_hook(std::move(hook)); }
    HookGuard(const HookGuard&) = delete;
    HookGuard& operator=(const HookGuard&) = delete;
    ~HookGuard() { detail::set_install_hook({}); }
};

class PluginInstall : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qplug-install-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        plugins_ = dir_ / "profile" / "python" / "plugins";
        repo_ = dir_ / "repo";
        fs::create_directories(plugins_);
        fs::create_directories(repo_);
        fetcher_ = make_fetcher();
    }
    void TearDown() override {
        detail::set_install_hook({});
        std::error_code ec;
        // Read-only folders some tests create must not stop the clean-up.
        for (auto it = fs::recursive_directory_iterator(dir_, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (it->is_directory() && !it->is_symlink()) {
                fs::permissions(it->path(), fs::perms::owner_all, fs::perm_options::add, ec);
            }
        }
        fs::remove_all(dir_, ec);
    }

    /// Publishes a ZIP in the "repository" and returns the step that installs it.
    InstallStep publish(const std::string& key, const std::string& version,
                        const std::vector<ZipEntry>& entries,
                        InstallStep::Action action = InstallStep::install) {
        const std::string bytes = make_zip(entries);
        const std::string file_name = key + "." + version + ".zip";
        write_file(repo_ / file_name, bytes);
        InstallStep s;
        s.action = action;
        s.key = key;
        s.version = version;
        s.file_name = file_name;
        s.download_url = "file://" + (repo_ / file_name).string();
        s.size = bytes.size();
        s.hash = "sha256:" + sha256_hex(bytes);
        return s;
    }

    static InstallStep removal(const std::string& key) {
        InstallStep s;
        s.action = InstallStep::remove;
        s.key = key;
        return s;
    }

    Expected<InstallReport> apply(const std::vector<InstallStep>& steps,
                                  InstallOptions options = {}) {
        options.lock_wait = std::chrono::milliseconds(0);
        return apply_plugin_steps(plugins_, steps, *fetcher_, options);
    }

    /// Two plugins already installed (one of them with a file of the user's own).
    void install_baseline() {
        auto r =
            apply({publish("verbeterdekaart", "1.0",
                           plugin_entries("verbeterdekaart",
                                          "32BT__QGIS-32BT-verbeterdekaart__a5ad297__"
                                          "metadata.txt",
                                          "old")),
                   publish("proxySetter", "0.0",
                           plugin_entries("proxySetter", "1cgeo__proxySetter__metadata.txt"))});
        ASSERT_TRUE(r) << r.error().to_string();
        write_file(plugins_ / "verbeterdekaart" / "user-settings.ini", "[x]\ny=1\n");
        ::chmod((plugins_ / "verbeterdekaart" / "sub").c_str(), 0555); // read-only, as some are
    }

    fs::path dir_, plugins_, repo_;
    std::unique_ptr<Fetcher> fetcher_;
};

// ---- the successful paths -----------------------------------------------------------------

TEST_F(PluginInstall, FreshInstall) {
    auto step = publish("radialMenu", "0.0.1",
                        plugin_entries("radialMenu", "1cgeo__radialMenu__metadata.txt"));
    std::vector<std::pair<std::uint64_t, std::uint64_t>> progress;
    InstallOptions options;
    options.progress = [&](std::size_t index, std::uint64_t done, std::uint64_t total) {
        EXPECT_EQ(index, 0u);
        progress.emplace_back(done, total);
    };
    auto r = apply({step}, options);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->steps.size(), 1u);
    const StepReport& s = r->steps[0];
    EXPECT_TRUE(s.applied);
    EXPECT_FALSE(s.replaced);
    EXPECT_EQ(s.package_version, "0.0.1");
    EXPECT_EQ(s.path, (plugins_ / "radialMenu").string());
    EXPECT_EQ(s.files, 5u);
    EXPECT_EQ(s.download_size, *step.size);
    EXPECT_EQ("sha256:" + s.sha256, step.hash);
    EXPECT_FALSE(progress.empty());
    EXPECT_EQ(read_file(plugins_ / "radialMenu" / "metadata.txt"),
              real_metadata("1cgeo__radialMenu__metadata.txt"));
    EXPECT_TRUE(fs::is_regular_file(plugins_ / "radialMenu" / "sub" / "data.txt"));
    EXPECT_FALSE(has_temp_area(plugins_));
    EXPECT_TRUE(r->recovery.areas.empty());
}

TEST_F(PluginInstall, UpgradeReplacesTheWholeFolder) {
    install_baseline();
    auto step = publish(
        "verbeterdekaart", "2.3",
        plugin_entries("verbeterdekaart", "32BT__QGIS-32BT-verbeterdekaart__metadata.txt", "new"),
        InstallStep::upgrade);
    auto r = apply({step});
    ASSERT_TRUE(r) << r.error().to_string();
    const StepReport& s = r->steps.at(0);
    EXPECT_TRUE(s.replaced);
    EXPECT_EQ(s.previous_version, "1.0");
    EXPECT_EQ(s.package_version, "2.3");
    // The old folder is gone as a whole (read-only subfolder included), the new one in place.
    EXPECT_FALSE(fs::exists(plugins_ / "verbeterdekaart" / "user-settings.ini"));
    EXPECT_EQ(read_file(plugins_ / "verbeterdekaart" / "sub" / "data.txt"),
              "data of verbeterdekaart new\n");
    EXPECT_EQ(read_file(plugins_ / "verbeterdekaart" / "metadata.txt"),
              real_metadata("32BT__QGIS-32BT-verbeterdekaart__metadata.txt"));
    EXPECT_TRUE(fs::exists(plugins_ / "proxySetter" / "__init__.py"));
    EXPECT_FALSE(has_temp_area(plugins_));
}

TEST_F(PluginInstall, Remove) {
    install_baseline();
    auto r = apply({removal("verbeterdekaart")});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->steps.at(0).replaced);
    EXPECT_EQ(r->steps.at(0).previous_version, "1.0");
    EXPECT_FALSE(fs::exists(plugins_ / "verbeterdekaart"));
    EXPECT_TRUE(fs::exists(plugins_ / "proxySetter"));
    EXPECT_FALSE(has_temp_area(plugins_));

    // Removing what is not there is a stale plan: refused, nothing changed.
    const auto before = snapshot(plugins_);
    auto again = apply({removal("verbeterdekaart")});
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().message.find("does not exist"), std::string::npos);
    EXPECT_EQ(snapshot(plugins_), before);
}

TEST_F(PluginInstall, RemovesALinkNotItsTarget) {
    // Developers link their working copy into the plugins folder: removing the plugin removes
    // the link, never the working copy.
    const fs::path work = dir_ / "work" / "myplugin";
    write_file(work / "__init__.py", "x = 1\n");
    fs::create_directory_symlink(work, plugins_ / "myplugin");
    auto r = apply({removal("myplugin")});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_FALSE(fs::exists(fs::symlink_status(plugins_ / "myplugin")));
    EXPECT_EQ(read_file(work / "__init__.py"), "x = 1\n");
}

TEST_F(PluginInstall, FolderNamedOtherwiseIsInstalledUnderTheKey) {
    auto step = publish("radialMenu", "0.0.1",
                        plugin_entries("radial_menu", "1cgeo__radialMenu__metadata.txt"));
    auto r = apply({step});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(fs::exists(plugins_ / "radialMenu" / "metadata.txt"));
    EXPECT_FALSE(fs::exists(plugins_ / "radial_menu"));
    bool noted = false;
    for (const auto& n : r->steps.at(0).notes) {
        noted = noted || n.find("radial_menu/") != std::string::npos;
    }
    EXPECT_TRUE(noted);
}

TEST_F(PluginInstall, DryRunChangesNothing) {
    install_baseline();
    const auto before = snapshot(plugins_);
    InstallOptions options;
    options.dry_run = true;
    auto r = apply(
        {publish("verbeterdekaart", "2.3",
                 plugin_entries("verbeterdekaart", "32BT__QGIS-32BT-verbeterdekaart__metadata.txt"),
                 InstallStep::upgrade),
         publish("radialMenu", "0.0.1",
                 plugin_entries("radialMenu", "1cgeo__radialMenu__metadata.txt")),
         removal("proxySetter")},
        options);
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_TRUE(r->dry_run);
    ASSERT_EQ(r->steps.size(), 3u);
    for (const auto& s : r->steps) {
        EXPECT_FALSE(s.applied) << s.key;
    }
    EXPECT_EQ(r->steps[0].package_version, "2.3");
    EXPECT_EQ(r->steps[1].files, 5u);
    EXPECT_EQ(snapshot(plugins_), before) << describe(snapshot(plugins_));
    EXPECT_FALSE(has_temp_area(plugins_));
}

// ---- refusals: each leaves the folder byte-identical ----------------------------------------

class PluginInstallRefusal : public PluginInstall {
protected:
    void expect_refused(const std::vector<InstallStep>& steps, const std::string& expected) {
        install_baseline();
        const auto before = snapshot(plugins_);
        ASSERT_FALSE(before.empty());
        auto r = apply(steps);
        ASSERT_FALSE(r) << "applied, but should fail with: " << expected;
        EXPECT_NE(r.error().message.find(expected), std::string::npos) << r.error().message;
        EXPECT_EQ(snapshot(plugins_), before) << describe(snapshot(plugins_));
        EXPECT_FALSE(has_temp_area(plugins_));
    }
    InstallStep upgrade(std::vector<ZipEntry> entries = {}) {
        if (entries.empty()) {
            entries = plugin_entries("verbeterdekaart",
                                     "32BT__QGIS-32BT-verbeterdekaart__metadata.txt", "new");
        }
        return publish("verbeterdekaart", "2.3", entries, InstallStep::upgrade);
    }
};

TEST_F(PluginInstallRefusal, HashMismatch) {
    auto step = upgrade();
    step.hash = "sha256:" + std::string(64, '0');
    expect_refused({step}, "the repository says 0000");
}

TEST_F(PluginInstallRefusal, Md5Mismatch) {
    auto step = upgrade();
    step.hash = "md5:" + std::string(32, 'a');
    expect_refused({step}, "has md5");
}

TEST_F(PluginInstallRefusal, UnknownChecksumAlgorithm) {
    auto step = upgrade();
    step.hash = "crc32:1234";
    expect_refused({step}, "unsupported checksum");
}

TEST_F(PluginInstallRefusal, SizeMismatch) {
    auto step = upgrade();
    *step.size += 1;
    expect_refused({step}, "bytes, the repository says");
}

TEST_F(PluginInstallRefusal, PackageCheckPyc) {
    auto entries =
        plugin_entries("verbeterdekaart", "32BT__QGIS-32BT-verbeterdekaart__metadata.txt");
    entries.push_back({"verbeterdekaart/plugin.cpython-311.pyc", "\x42\x0d\x0d\x0a", 0100644});
    expect_refused({upgrade(entries)}, "PKG-PYC");
}

TEST_F(PluginInstallRefusal, PackageCheckMissingInit) {
    auto entries =
        plugin_entries("verbeterdekaart", "32BT__QGIS-32BT-verbeterdekaart__metadata.txt");
    entries.erase(entries.begin() + 2); // __init__.py
    expect_refused({upgrade(entries)}, "PKG-NO-INIT");
}

TEST_F(PluginInstallRefusal, PathTraversalEntry) {
    auto entries =
        plugin_entries("verbeterdekaart", "32BT__QGIS-32BT-verbeterdekaart__metadata.txt");
    entries.push_back({"verbeterdekaart/../../../evil.txt", "pwned\n", 0100644});
    expect_refused({upgrade(entries)}, "PKG-PATH-TRAVERSAL");
    EXPECT_FALSE(fs::exists(dir_ / "evil.txt"));
    EXPECT_FALSE(fs::exists(dir_ / "profile" / "evil.txt"));
}

TEST_F(PluginInstallRefusal, NotAZip) {
    auto step = upgrade();
    write_file(repo_ / step.file_name, "<html>not found</html>");
    step.size.reset();
    step.hash.clear();
    expect_refused({step}, "PKG-NOT-ZIP");
}

TEST_F(PluginInstallRefusal, SecondDownloadMissingRollsBackTheFirst) {
    auto first = upgrade();
    auto second = publish("radialMenu", "0.0.1",
                          plugin_entries("radialMenu", "1cgeo__radialMenu__metadata.txt"));
    second.download_url = "file://" + (repo_ / "missing.zip").string();
    expect_refused({removal("proxySetter"), first, second}, "download of radialMenu.0.0.1.zip");
}

TEST_F(PluginInstallRefusal, PlanWithABadKey) {
    auto step = upgrade();
    step.key = "../escape";
    expect_refused({step}, "cannot be a plugin folder");
}

/// QGIS never lists a folder named __pycache__ as a plugin, so qplug could not see it again
/// (nor remove it): such a key is refused before anything happens.
TEST_F(PluginInstallRefusal, PycacheIsNoPluginKey) {
    auto step = upgrade();
    step.key = "__pycache__";
    step.action = InstallStep::install;
    expect_refused({step}, "QGIS never lists a folder of that name");
}

TEST_F(PluginInstallRefusal, LockHeldElsewhere) {
    install_baseline();
    auto held = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
    ASSERT_TRUE(held) << held.error().to_string();
    const auto before = snapshot(plugins_);
    auto r = apply({upgrade()});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("PID " + std::to_string(::getpid())), std::string::npos)
        << r.error().message;
    EXPECT_EQ(snapshot(plugins_), before);
    // With the lock passed, it works.
    auto with_lock = apply_plugin_steps(*held, {upgrade()}, *fetcher_);
    ASSERT_TRUE(with_lock) << with_lock.error().to_string();
}

// ---- a failure at every point of the swap is rolled back ------------------------------------

class PluginInstallSwap : public PluginInstall {
protected:
    /// Upgrade one, install one, remove one: every kind of rename.
    std::vector<InstallStep> plan() {
        return {publish("verbeterdekaart", "2.3",
                        plugin_entries("verbeterdekaart",
                                       "32BT__QGIS-32BT-verbeterdekaart__metadata.txt", "new"),
                        InstallStep::upgrade),
                publish("radialMenu", "0.0.1",
                        plugin_entries("radialMenu", "1cgeo__radialMenu__metadata.txt")),
                removal("proxySetter")};
    }
    /// The points the hook sees in a successful run of the plan (on a copy of the baseline).
    std::vector<std::string> points() {
        std::vector<std::string> seen;
        {
            HookGuard guard([&](std::string_view point, std::string_view key) {
                seen.push_back(std::string(point) + ":" + std::string(key));
                return true;
            });
            const fs::path saved = plugins_;
            plugins_ = dir_ / "probe" / "plugins";
            install_baseline();
            seen.clear();
            auto r = apply(plan());
            EXPECT_TRUE(r) << r.error().to_string();
            expected_after_ = snapshot(plugins_);
            plugins_ = saved;
        }
        return seen;
    }
    std::map<std::string, std::string> expected_after_;
};

TEST_F(PluginInstallSwap, FailureAtEveryPointRollsBack) {
    const auto all = points();
    ASSERT_GE(all.size(), 9u);
    // The upgrade swaps the folders in one step: the plugin is never missing.
    EXPECT_NE(std::find(all.begin(), all.end(), "swap:verbeterdekaart"), all.end());
    install_baseline();
    const auto before = snapshot(plugins_);
    for (std::size_t fail_at = 0; fail_at < all.size(); ++fail_at) {
        SCOPED_TRACE("failing at " + all[fail_at]);
        std::size_t calls = 0;
        HookGuard guard([&](std::string_view, std::string_view) { return calls++ != fail_at; });
        auto r = apply(plan());
        if (all[fail_at] == "committed:") {
            ASSERT_TRUE(r) << r.error().to_string();
            detail::set_install_hook({});
            auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
            ASSERT_TRUE(rec) << rec.error().to_string();
            EXPECT_EQ(snapshot(plugins_), expected_after_);
            continue;
        }
        ASSERT_FALSE(r) << "did not fail";
        EXPECT_EQ(snapshot(plugins_), before) << describe(snapshot(plugins_));
        EXPECT_FALSE(has_temp_area(plugins_));
    }
}

/// The same where the file system cannot exchange two folders: backup, then put.
TEST_F(PluginInstallSwap, WithoutExchangeFailureAtEveryPointRollsBack) {
    detail::set_rename_exchange(false);
    struct Restore {
        ~Restore() { detail::set_rename_exchange(true); }
    } restore;
    const auto all = points();
    ASSERT_GE(all.size(), 10u);
    EXPECT_NE(std::find(all.begin(), all.end(), "backup:verbeterdekaart"), all.end());
    install_baseline();
    const auto before = snapshot(plugins_);
    for (std::size_t fail_at = 0; fail_at < all.size(); ++fail_at) {
        SCOPED_TRACE("failing at " + all[fail_at]);
        std::size_t calls = 0;
        HookGuard guard([&](std::string_view, std::string_view) { return calls++ != fail_at; });
        auto r = apply(plan());
        if (all[fail_at] == "committed:") {
            // After the commit a failure only skips the clean-up: the plan is applied, and
            // the next run deletes the leftovers.
            ASSERT_TRUE(r) << r.error().to_string();
            EXPECT_TRUE(has_temp_area(plugins_));
            detail::set_install_hook({});
            auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
            ASSERT_TRUE(rec) << rec.error().to_string();
            ASSERT_EQ(rec->areas.size(), 1u);
            EXPECT_EQ(rec->areas[0].outcome, RecoveryReport::Area::Outcome::finished);
            EXPECT_EQ(snapshot(plugins_), expected_after_);
            continue;
        }
        ASSERT_FALSE(r) << "did not fail";
        EXPECT_NE(r.error().message.find("injected failure"), std::string::npos)
            << r.error().message;
        EXPECT_EQ(snapshot(plugins_), before) << describe(snapshot(plugins_));
        EXPECT_FALSE(has_temp_area(plugins_));
    }
}

// ---- crashes: a journal left behind, a child that dies, a child killed with SIGKILL ---------

class PluginInstallCrash : public PluginInstallSwap {
protected:
    /// Runs the plan in a child that stops at hook call `stop_at` (telling us through a pipe)
    /// and kills it there with SIGKILL, or (with `exit_instead`) lets it _exit() itself.
    void run_child_until(std::size_t stop_at, bool exit_instead) {
        int pipe_fds[2];
        ASSERT_EQ(::pipe(pipe_fds), 0);
        const auto steps = plan();
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            ::close(pipe_fds[0]);
            std::size_t calls = 0;
            detail::set_install_hook([&](std::string_view, std::string_view) {
                if (calls++ == stop_at) {
                    if (exit_instead) {
                        ::_exit(42);
                    }
                    const char c = 'x';
                    if (::write(pipe_fds[1], &c, 1) != 1) {
                        ::_exit(3);
                    }
                    while (true) {
                        ::pause();
                    }
                }
                return true;
            });
            auto fetcher = make_fetcher();
            InstallOptions options;
            options.lock_wait = std::chrono::seconds(5);
            auto r = apply_plugin_steps(plugins_, steps, *fetcher, options);
            ::_exit(r ? 0 : 1);
        }
        ::close(pipe_fds[1]);
        if (!exit_instead) {
            char c = 0;
            ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1);
            ASSERT_EQ(::kill(pid, SIGKILL), 0);
        }
        ::close(pipe_fds[0]);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        if (exit_instead) {
            ASSERT_TRUE(WIFEXITED(status));
            EXPECT_EQ(WEXITSTATUS(status), 42);
        } else {
            ASSERT_TRUE(WIFSIGNALED(status));
        }
    }
};

TEST_F(PluginInstallCrash, ChildExitingAtEveryPointIsRecovered) {
    const auto all = points();
    install_baseline();
    const auto before = snapshot(plugins_);
    bool committed = false;
    for (std::size_t stop_at = 0; stop_at < all.size(); ++stop_at) {
        SCOPED_TRACE("child _exit()s at " + all[stop_at]);
        ASSERT_NO_FATAL_FAILURE(run_child_until(stop_at, true));
        committed = committed || all[stop_at] == "committed:";
        auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
        ASSERT_TRUE(rec) << rec.error().to_string();
        EXPECT_FALSE(has_temp_area(plugins_));
        if (committed) {
            EXPECT_EQ(snapshot(plugins_), expected_after_) << describe(snapshot(plugins_));
            break; // the folder is in its new state now; the points after need the old one
        }
        EXPECT_EQ(snapshot(plugins_), before) << describe(snapshot(plugins_));
        EXPECT_EQ(rec->areas.size(), 1u);
    }
    EXPECT_TRUE(committed);
}

TEST_F(PluginInstallCrash, KillDuringApplyLeavesOldOrNew) {
    const auto all = points();
    for (std::size_t stop_at = 0; stop_at < all.size(); ++stop_at) {
        SCOPED_TRACE("SIGKILL at " + all[stop_at]);
        TearDown();
        SetUp();
        install_baseline();
        const auto before = snapshot(plugins_);
        ASSERT_NO_FATAL_FAILURE(run_child_until(stop_at, false));
        EXPECT_TRUE(has_temp_area(plugins_));
        auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
        ASSERT_TRUE(rec) << rec.error().to_string();
        ASSERT_EQ(rec->areas.size(), 1u);
        EXPECT_FALSE(has_temp_area(plugins_));
        const auto after = snapshot(plugins_);
        const bool past_commit = all[stop_at] == "committed:";
        EXPECT_EQ(after, past_commit ? expected_after_ : before) << describe(after);
        // Before the journal exists the area is simply deleted; then rolled back until the
        // commit; finished after it.
        const auto expected = past_commit ? RecoveryReport::Area::Outcome::finished
                              : all[stop_at] == "staged:"
                                  ? RecoveryReport::Area::Outcome::removed
                                  : RecoveryReport::Area::Outcome::rolled_back;
        EXPECT_EQ(rec->areas[0].outcome, expected);
    }
}

/// With renameat2(RENAME_EXCHANGE), an upgraded plugin is there at every moment: a kill -9
/// anywhere leaves a complete folder (the old or the new), even before any recovery.
TEST_F(PluginInstallCrash, UpgradedPluginNeverMissingAfterKill) {
    const auto all = points();
    for (std::size_t stop_at = 0; stop_at < all.size(); ++stop_at) {
        SCOPED_TRACE("SIGKILL at " + all[stop_at]);
        TearDown();
        SetUp();
        install_baseline();
        ASSERT_NO_FATAL_FAILURE(run_child_until(stop_at, false));
        EXPECT_TRUE(fs::is_regular_file(plugins_ / "verbeterdekaart" / "metadata.txt"))
            << "the plugin being upgraded is missing";
        EXPECT_TRUE(fs::is_regular_file(plugins_ / "verbeterdekaart" / "__init__.py"));
    }
}

TEST_F(PluginInstallCrash, KillAtRandomMomentsLeavesOldOrNew) {
    (void)points();
    for (int round = 0; round < 12; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        TearDown();
        SetUp();
        install_baseline();
        const auto before = snapshot(plugins_);
        const auto steps = plan();
        const pid_t pid = ::fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            auto fetcher = make_fetcher();
            auto r = apply_plugin_steps(plugins_, steps, *fetcher, InstallOptions{});
            ::_exit(r ? 0 : 1);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(round * 400));
        ::kill(pid, SIGKILL);
        int status = 0;
        ASSERT_EQ(::waitpid(pid, &status, 0), pid);
        auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
        ASSERT_TRUE(rec) << rec.error().to_string();
        EXPECT_FALSE(has_temp_area(plugins_));
        const auto after = snapshot(plugins_);
        EXPECT_TRUE(after == before || after == expected_after_) << describe(after);
    }
}

/// The state a process killed in the middle of the swap leaves, written by hand.
class PluginInstallJournal : public PluginInstall {
protected:
    void SetUp() override {
        PluginInstall::SetUp();
        install_baseline();
        before_ = snapshot(plugins_);
        area_ = plugins_ / ".qplug-tmp-AbC123";
        fs::create_directory(area_);
        // The new version, staged.
        write_file(area_ / "n0" / "metadata.txt",
                   real_metadata("32BT__QGIS-32BT-verbeterdekaart__metadata.txt"));
        write_file(area_ / "n0" / "__init__.py", "\n");
    }
    std::string id(const fs::path& p) {
        struct stat st {};
        EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
        return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
    }
    /// The journal and renames of "backup, put" for verbeterdekaart, up to `how_far` renames.
    void swap(int how_far, const std::string& tail) {
        std::string journal = "qplug-install-journal 1\npid 999999\n";
        journal += "backup " + id(plugins_ / "verbeterdekaart") + " o0 verbeterdekaart\n";
        if (how_far >= 1) {
            fs::rename(plugins_ / "verbeterdekaart", area_ / "o0");
            journal += "put " + id(area_ / "n0") + " n0 verbeterdekaart\n";
        }
        if (how_far >= 2) {
            fs::rename(area_ / "n0", plugins_ / "verbeterdekaart");
        }
        write_file(area_ / "journal", journal + tail);
    }
    fs::path area_;
    std::map<std::string, std::string> before_;
};

TEST_F(PluginInstallJournal, UncommittedSwapIsRolledBack) {
    for (int how_far = 0; how_far <= 2; ++how_far) {
        SCOPED_TRACE(how_far);
        if (how_far > 0) {
            TearDown();
            SetUp();
        }
        swap(how_far, "");
        auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
        ASSERT_TRUE(rec) << rec.error().to_string();
        ASSERT_EQ(rec->areas.size(), 1u);
        EXPECT_EQ(rec->areas[0].outcome, RecoveryReport::Area::Outcome::rolled_back);
        EXPECT_EQ(rec->areas[0].path, area_.string());
        if (how_far >= 1) {
            EXPECT_EQ(rec->areas[0].keys, std::vector<std::string>{"verbeterdekaart"});
        }
        EXPECT_EQ(snapshot(plugins_), before_) << describe(snapshot(plugins_));
        EXPECT_FALSE(fs::exists(area_));
    }
}

TEST_F(PluginInstallJournal, PartialLastLineIsIgnored) {
    swap(1, "put 1:2 n0 verbeterd"); // killed while announcing the second rename
    auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
    ASSERT_TRUE(rec) << rec.error().to_string();
    EXPECT_EQ(snapshot(plugins_), before_);
}

TEST_F(PluginInstallJournal, CommittedSwapIsFinished) {
    swap(2, "commit\n");
    const auto committed = snapshot(plugins_);
    auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
    ASSERT_TRUE(rec) << rec.error().to_string();
    ASSERT_EQ(rec->areas.size(), 1u);
    EXPECT_EQ(rec->areas[0].outcome, RecoveryReport::Area::Outcome::finished);
    EXPECT_FALSE(fs::exists(area_));
    auto after = snapshot(plugins_);
    EXPECT_EQ(read_file(plugins_ / "verbeterdekaart" / "metadata.txt"),
              real_metadata("32BT__QGIS-32BT-verbeterdekaart__metadata.txt"));
    EXPECT_FALSE(fs::exists(plugins_ / "verbeterdekaart" / "user-settings.ini"));
    EXPECT_EQ(after.count("proxySetter/__init__.py"), 1u);
    (void)committed;
}

TEST_F(PluginInstallJournal, NoJournalMeansNothingChanged) {
    auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
    ASSERT_TRUE(rec) << rec.error().to_string();
    ASSERT_EQ(rec->areas.size(), 1u);
    EXPECT_EQ(rec->areas[0].outcome, RecoveryReport::Area::Outcome::removed);
    EXPECT_EQ(snapshot(plugins_), before_);
    EXPECT_FALSE(fs::exists(area_));
}

TEST_F(PluginInstallJournal, UnexplainedStateIsLeftAlone) {
    swap(1, "");
    // Something else deleted the backup: the journal cannot explain the folder any more.
    fs::permissions(area_ / "o0" / "sub", fs::perms::owner_all, fs::perm_options::add);
    fs::remove_all(area_ / "o0");
    auto rec = recover_interrupted(plugins_, std::chrono::milliseconds(0));
    ASSERT_FALSE(rec);
    EXPECT_NE(rec.error().message.find("cannot recover"), std::string::npos) << rec.error().message;
    EXPECT_TRUE(fs::exists(area_ / "journal"));
    // ... and every apply refuses until a human has looked.
    auto r = apply({removal("proxySetter")});
    ASSERT_FALSE(r);
    EXPECT_TRUE(fs::exists(plugins_ / "proxySetter"));
}

TEST_F(PluginInstallJournal, ApplyRecoversFirst) {
    swap(2, "");
    auto r = apply({removal("proxySetter")});
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->recovery.areas.size(), 1u);
    EXPECT_EQ(r->recovery.areas[0].outcome, RecoveryReport::Area::Outcome::rolled_back);
    EXPECT_EQ(read_file(plugins_ / "verbeterdekaart" / "user-settings.ini"), "[x]\ny=1\n");
    EXPECT_FALSE(fs::exists(plugins_ / "proxySetter"));
}

TEST_F(PluginInstallJournal, DryRunReportsButDoesNotRecover) {
    swap(2, "");
    const auto interrupted = snapshot(plugins_);
    InstallOptions options;
    options.dry_run = true;
    auto r = apply({removal("proxySetter")}, options);
    ASSERT_TRUE(r) << r.error().to_string();
    ASSERT_EQ(r->recovery.areas.size(), 1u);
    EXPECT_EQ(r->recovery.areas[0].outcome, RecoveryReport::Area::Outcome::rolled_back);
    EXPECT_EQ(r->recovery.areas[0].keys, std::vector<std::string>{"verbeterdekaart"});
    EXPECT_EQ(snapshot(plugins_), interrupted);
}

// ---- the lock -------------------------------------------------------------------------------

class ProfileLockTest : public PluginInstall {};

TEST_F(ProfileLockTest, SecondAcquireFailsNamingThePid) {
    auto first = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
    ASSERT_TRUE(first) << first.error().to_string();
    auto second = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
    ASSERT_FALSE(second);
    EXPECT_NE(second.error().message.find("PID " + std::to_string(::getpid())), std::string::npos)
        << second.error().message;
    first->release();
    auto third = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
    EXPECT_TRUE(third) << third.error().to_string();
}

TEST_F(ProfileLockTest, HeldByAnotherProcessUntilItDies) {
    int pipe_fds[2];
    ASSERT_EQ(::pipe(pipe_fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        ::close(pipe_fds[0]);
        auto lock = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
        const char c = lock ? 'y' : 'n';
        if (::write(pipe_fds[1], &c, 1) != 1) {
            ::_exit(3);
        }
        while (true) {
            ::pause();
        }
    }
    ::close(pipe_fds[1]);
    char c = 0;
    ASSERT_EQ(::read(pipe_fds[0], &c, 1), 1);
    ::close(pipe_fds[0]);
    ASSERT_EQ(c, 'y');
    auto waiting = ProfileLock::acquire(plugins_, std::chrono::milliseconds(50));
    ASSERT_FALSE(waiting);
    EXPECT_NE(waiting.error().message.find("PID " + std::to_string(pid)), std::string::npos)
        << waiting.error().message;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    auto after = ProfileLock::acquire(plugins_, std::chrono::milliseconds(0));
    EXPECT_TRUE(after) << after.error().to_string();
}

// ---- extraction never writes outside its folder ---------------------------------------------

class ZipExtractTest : public PluginInstall {
protected:
    Expected<detail::Extracted> extract(const std::vector<ZipEntry>& entries) {
        write_file(dir_ / "x.zip", make_zip(entries));
        fs::create_directories(dir_ / "out" / "dest");
        return detail::extract_folder(dir_ / "x.zip", "plug", dir_ / "out" / "dest");
    }
};

TEST_F(ZipExtractTest, PathTraversalNeverWritesOutside) {
    const std::string absolute = (dir_ / "abs-evil.txt").string();
    const std::vector<std::vector<ZipEntry>> evil = {
        {{"plug/a.py", "a"}, {"plug/../evil.txt", "x"}},
        {{"plug/a.py", "a"}, {"plug/../../evil.txt", "x"}},
        {{"plug/a.py", "a"}, {"../evil.txt", "x"}},
        {{"plug/a.py", "a"}, {absolute, "x"}},
        {{"plug/a.py", "a"}, {"plug\\..\\evil.txt", "x"}},
        {{"plug/a.py", "a"}, {"C:/evil.txt", "x"}},
        {{"plug/a.py", "a"}, {"plug/./a.py", "x"}},
        {{"plug/link", "../../..", 0120777}, {"plug/link/evil.txt", "x"}},
    };
    for (const auto& entries : evil) {
        SCOPED_TRACE(entries.back().name);
        auto r = extract(entries);
        EXPECT_FALSE(r);
        EXPECT_FALSE(fs::exists(dir_ / "out" / "evil.txt"));
        EXPECT_FALSE(fs::exists(dir_ / "evil.txt"));
        EXPECT_FALSE(fs::exists(absolute));
        // Nothing was written at all: every entry is checked first.
        EXPECT_FALSE(fs::exists(dir_ / "out" / "dest" / "plug"));
        fs::remove_all(dir_ / "out");
    }
}

TEST_F(ZipExtractTest, OtherFoldersAreSkipped) {
    auto r = extract({{"plug/a.py", "a"}, {"other/b.py", "b"}, {"plug/sub/c.py", "c", 0100755}});
    ASSERT_TRUE(r) << r.error().to_string();
    EXPECT_EQ(r->files, 2u);
    EXPECT_EQ(r->skipped, std::vector<std::string>{"other/b.py"});
    EXPECT_EQ(read_file(dir_ / "out" / "dest" / "plug" / "sub" / "c.py"), "c");
    EXPECT_FALSE(fs::exists(dir_ / "out" / "dest" / "other"));
}

} // namespace
