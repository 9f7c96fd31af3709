// SPDX-License-Identifier: GPL-2.0-or-later
// The "installed" source on fake QGIS profiles and site-packages trees: what is listed, with
// which version, owner, path and dependencies; broken plugins; the ETag.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <grp.h>
#include <map>
#include <memory>
#include <optional>
#include <pwd.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/source.hpp>

using namespace qplug;
using namespace qplug::solver;
namespace fs = std::filesystem;

namespace {

std::string metadata(const std::string& name, const std::string& version,
                     const std::string& extra = "") {
    return "[general]\nname=" + name + "\ndescription=" + name +
           " does things\nqgisMinimumVersion=3.22\nversion=" + version + "\nauthor=Jane\n" + extra;
}

class InstalledTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qplug-installed-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        profile_ = dir_ / "QGIS3" / "profiles" / "default";
        plugins_ = profile_ / "python" / "plugins";
        auto index = Index::open(dir_ / "index.sqlite");
        ASSERT_TRUE(index) << index.error().to_string();
        index_.emplace(std::move(*index));
        fetcher_ = make_fetcher();
    }
    void TearDown() override {
        index_.reset();
        fs::remove_all(dir_);
    }

    static void write(const fs::path& path, const std::string& content) {
        fs::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
    }

    /// A plugin folder in the profile (or under `root`).
    void plugin(const std::string& folder, const std::string& meta, bool init = true,
                const fs::path& root = {}) {
        const fs::path base = (root.empty() ? plugins_ : root) / folder;
        fs::create_directories(base);
        if (!meta.empty()) {
            write(base / "metadata.txt", meta);
        }
        if (init) {
            write(base / "__init__.py", "def classFactory(iface):\n    pass\n");
        }
    }

    void add(const std::string& name, const nlohmann::json& options = nlohmann::json::object()) {
        RepositoryConfig r;
        r.name = name;
        r.kind = "installed";
        r.url = profile_.string();
        r.options = options.dump();
        auto added = index_->add_repository(r);
        ASSERT_TRUE(added) << added.error().to_string();
    }

    Expected<SyncReport> sync(const std::string& name) {
        SyncContext context;
        context.fetcher = fetcher_.get();
        context.qgis_version = "3.40.0";
        return sync_repository(*index_, SourceRegistry::builtin(), name, context);
    }

    SyncReport sync_ok(const std::string& name) {
        auto report = sync(name);
        EXPECT_TRUE(report) << report.error().to_string();
        return report ? *report : SyncReport{};
    }

    std::map<std::string, ReleaseRecord> installed() const {
        std::map<std::string, ReleaseRecord> out;
        for (auto& r : index_->installed()) {
            out.emplace(r.package, r);
        }
        return out;
    }

    static nlohmann::json metadata_of(const ReleaseRecord& r) {
        return nlohmann::json::parse(r.release.metadata_json);
    }

    static bool has_warning(const SyncReport& report, const std::string& text) {
        return std::any_of(report.warnings.begin(), report.warnings.end(),
                           [&](const std::string& w) { return w.find(text) != std::string::npos; });
    }

    fs::path dir_;
    fs::path profile_;
    fs::path plugins_;
    std::optional<Index> index_;
    std::unique_ptr<Fetcher> fetcher_;
};

} // namespace

TEST_F(InstalledTest, ProfilePluginsAreLegacyWithTheirMetadata) {
    plugin("alpha", metadata("Alpha", "1.2.0", "plugin_dependencies=Beta Plugin==2.0,Gamma\n"));
    plugin("beta", metadata("Beta Plugin", "2.0", "experimental=True\nqgisMaximumVersion=4.99\n"));
    write(plugins_ / "README.txt", "not a folder");
    fs::create_directories(plugins_ / ".git");
    fs::create_directories(plugins_ / "__pycache__");
    add("default-installed");
    const SyncReport report = sync_ok("default-installed");
    EXPECT_FALSE(report.not_modified);
    EXPECT_EQ(report.packages, 2U);
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();

    const auto all = installed();
    ASSERT_EQ(all.size(), 2U);
    const ReleaseRecord& alpha = all.at("alpha");
    EXPECT_EQ(alpha.display_name, "Alpha");
    EXPECT_EQ(alpha.release.version, "1.2.0");
    EXPECT_EQ(alpha.release.owner, Backend::legacy);
    EXPECT_EQ(alpha.release.path, (plugins_ / "alpha").string());
    EXPECT_EQ(alpha.repository, "default-installed");
    EXPECT_EQ(alpha.kind, "installed");
    const std::vector<Dependency> expected = {
        {DependencyKind::plugin, "Beta Plugin", "==2.0", "", "", false},
        {DependencyKind::plugin, "Gamma", "", "", "", false},
        {DependencyKind::qgis, "qgis", "3.22..", "", "", false},
    };
    EXPECT_EQ(alpha.release.dependencies, expected);
    EXPECT_EQ(alpha.release.modules, std::vector<std::string>{"alpha"});
    EXPECT_EQ(metadata_of(alpha)["author"], "Jane");
    EXPECT_FALSE(metadata_of(alpha).contains("broken"));

    const ReleaseRecord& beta = all.at("beta");
    EXPECT_EQ(beta.release.channel, Channel::experimental);
    EXPECT_EQ(beta.release.qgis_maximum, "4.99");
    EXPECT_EQ(beta.release.dependencies, (std::vector<Dependency>{{DependencyKind::qgis, "qgis",
                                                                   "3.22..4.99", "", "", false}}));
}

TEST_F(InstalledTest, BrokenPluginsAsQgisPluginManagerSeesThem) {
    plugin("good", metadata("Good", "1.0"));
    plugin("only_init", "");                                           // not listed: a warning
    plugin("no_init", metadata("No Init", "0.5"), false);              // "Missing __init__.py"
    plugin("dup_key", "[general]\nname=Dup\nversion=1\nname=again\n"); // configparser fails
    plugin("bom", "\xEF\xBB\xBF" + metadata("Bom", "1.0"));            // so does a BOM
    plugin("no_version", "[general]\nname=No Version\nqgisMinimumVersion=3.0\n");
    plugin("bad_percent", metadata("Bad Percent", "1.0%")); // version not readable
    fs::create_directories(plugins_ / "empty_folder");      // neither file
    add("p");
    const SyncReport report = sync_ok("p");
    const auto all = installed();
    std::vector<std::string> keys;
    for (const auto& [k, v] : all) {
        keys.push_back(k);
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"bad_percent", "bom", "dup_key", "good", "no_init",
                                              "no_version"}));
    EXPECT_TRUE(
        has_warning(report, (plugins_ / "only_init").string() + ": broken: missing metadata.txt"));
    EXPECT_TRUE(has_warning(report, "empty_folder: not a plugin"));

    // Unreadable file: nothing is read, the folder names it, no version.
    const ReleaseRecord& dup = all.at("dup_key");
    EXPECT_EQ(dup.display_name, "dup_key");
    EXPECT_EQ(dup.release.version, "");
    EXPECT_EQ(dup.release.path, (plugins_ / "dup_key").string());
    const std::string dup_broken = metadata_of(dup)["broken"];
    EXPECT_EQ(dup_broken.rfind("Error reading metadata: line 4: ", 0), 0U) << dup_broken;
    EXPECT_TRUE(has_warning(report, "dup_key: broken: Error reading metadata"));
    EXPECT_EQ(all.at("bom").release.version, "");

    const ReleaseRecord& no_init = all.at("no_init");
    EXPECT_EQ(no_init.release.version, "0.5");
    EXPECT_EQ(no_init.display_name, "No Init");
    EXPECT_EQ(metadata_of(no_init)["broken"], "Missing __init__.py");

    const ReleaseRecord& no_version = all.at("no_version");
    EXPECT_EQ(no_version.display_name, "No Version");
    EXPECT_EQ(no_version.release.version, "");
    EXPECT_EQ(metadata_of(no_version)["broken"],
              "Error reading metadata: No option 'version' in section: 'general'");
    EXPECT_NE(
        std::string(metadata_of(all.at("bad_percent"))["broken"]).find("Error reading metadata"),
        std::string::npos);
    EXPECT_FALSE(metadata_of(all.at("good")).contains("broken"));
}

TEST_F(InstalledTest, OwnersFromDistInfoAndCondaMeta) {
    plugin("legacy_one", metadata("Legacy One", "1.0"));
    // pip install --target <profile>/python/plugins: a dist-info next to the plugin.
    plugin("targeted", metadata("Targeted", "2.1"));
    write(plugins_ / "targeted-2.1.dist-info" / "RECORD",
          "targeted/__init__.py,sha256=abc,30\ntargeted/metadata.txt,,\n"
          "targeted-2.1.dist-info/RECORD,,\n");

    // A virtual environment's site-packages.
    const fs::path venv = dir_ / "venv" / "lib" / "python3.11" / "site-packages";
    plugin("pip_plugin", metadata("Pip Plugin", "0.3.1"), true, venv);
    write(venv / "qgis_pip_plugin-0.3.1.dist-info" / "METADATA",
          "Metadata-Version: 2.1\nName: qgis-pip-plugin\nVersion: 0.3.1\nSummary: x\n\n"
          "Version: not this\n");
    write(venv / "qgis_pip_plugin-0.3.1.dist-info" / "INSTALLER", "pip\n");
    write(venv / "qgis_pip_plugin-0.3.1.dist-info" / "RECORD",
          "pip_plugin/__init__.py,sha256=x,1\r\n\"pip_plugin/odd,name.py\",,\r\n"
          "../../../bin/pip-plugin,,\r\nqgis_pip_plugin-0.3.1.dist-info/RECORD,,\r\n");
    plugin("requests", "", true, venv);                           // a library: not a plugin
    plugin("meta_only", metadata("Meta Only", "1"), false, venv); // needs __init__.py here
    plugin("unowned", metadata("Unowned", "9"), true, venv);

    // A conda environment: its record lists the files; the dist-info it ships says "conda".
    const fs::path prefix = dir_ / "conda";
    const fs::path conda_sp = prefix / "lib" / "python3.12" / "site-packages";
    plugin("conda_plugin", metadata("Conda Plugin", "1.4"), true, conda_sp);
    write(prefix / "conda-meta" / "qgis-conda-plugin-1.4.0-pyhd8ed1ab_0.json",
          R"({"name": "qgis-conda-plugin", "version": "1.4.0", "build": "pyhd8ed1ab_0",
              "files": ["lib/python3.12/site-packages/conda_plugin/__init__.py",
                        "lib/python3.12/site-packages/conda_plugin/metadata.txt"]})");
    write(prefix / "conda-meta" / "python-3.12.1-h0.json",
          R"({"name": "python", "version": "3.12.1", "files": ["bin/python3.12"]})");
    write(prefix / "conda-meta" / "history", "==> 2024-01-01 <==\n");
    write(conda_sp / "qgis_conda_plugin-1.4.0.dist-info" / "INSTALLER", "conda\n");
    write(conda_sp / "qgis_conda_plugin-1.4.0.dist-info" / "RECORD",
          "conda_plugin/__init__.py,,\n");
    // conda-forge's build ran pip, the package has no conda-meta record here: INSTALLER says.
    plugin("forge_plugin", metadata("Forge Plugin", "0.9"), true, conda_sp);
    write(conda_sp / "forge_plugin-0.9.dist-info" / "INSTALLER", "conda\n");
    write(conda_sp / "forge_plugin-0.9.dist-info" / "RECORD", "forge_plugin/__init__.py,,\n");

    add("all", {{"site_packages", {venv.string(), conda_sp.string()}}});
    const SyncReport report = sync_ok("all");
    EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();
    const auto all = installed();
    std::map<std::string, std::string> owners;
    for (const auto& [k, r] : all) {
        owners[k] = std::string(backend_name(r.release.owner));
    }
    EXPECT_EQ(owners, (std::map<std::string, std::string>{{"conda_plugin", "conda"},
                                                          {"forge_plugin", "conda"},
                                                          {"legacy_one", "legacy"},
                                                          {"pip_plugin", "pip"},
                                                          {"targeted", "pip"},
                                                          {"unowned", "legacy"}}));
    const ReleaseRecord& pip = all.at("pip_plugin");
    EXPECT_EQ(pip.release.path, (venv / "pip_plugin").string());
    EXPECT_EQ(pip.release.version, "0.3.1");
    EXPECT_EQ(metadata_of(pip)["dist_name"], "qgis-pip-plugin");
    EXPECT_EQ(metadata_of(pip)["dist_version"], "0.3.1");
    // No METADATA: the dist-info folder's name says.
    EXPECT_EQ(metadata_of(all.at("targeted"))["dist_name"], "targeted");
    EXPECT_EQ(metadata_of(all.at("targeted"))["dist_version"], "2.1");
    const ReleaseRecord& conda = all.at("conda_plugin");
    EXPECT_EQ(conda.release.path, (conda_sp / "conda_plugin").string());
    EXPECT_EQ(metadata_of(conda)["conda_name"], "qgis-conda-plugin");
    EXPECT_EQ(metadata_of(conda)["conda_version"], "1.4.0");
    EXPECT_FALSE(metadata_of(all.at("unowned")).contains("dist_name"));
}

TEST_F(InstalledTest, NotModifiedUntilAMetadataFileChanges) {
    plugin("alpha", metadata("Alpha", "1.0"));
    const fs::path sp = dir_ / "env" / "lib" / "python3.11" / "site-packages";
    plugin("beta", metadata("Beta", "1.0"), true, sp);
    add("p", {{"site_packages", {sp.string()}}});
    EXPECT_FALSE(sync_ok("p").not_modified);
    const std::string etag = index_->repository("p")->etag;
    EXPECT_FALSE(etag.empty());
    EXPECT_TRUE(sync_ok("p").not_modified);
    EXPECT_TRUE(sync_ok("p").not_modified);

    // Touching a metadata.txt (same content, another time) is a change.
    const fs::path meta = plugins_ / "alpha" / "metadata.txt";
    fs::last_write_time(meta, fs::last_write_time(meta) + std::chrono::seconds(5));
    EXPECT_FALSE(sync_ok("p").not_modified);
    EXPECT_NE(index_->repository("p")->etag, etag);
    EXPECT_TRUE(sync_ok("p").not_modified);

    // So is a new version in site-packages, and a new plugin.
    write(sp / "beta" / "metadata.txt", metadata("Beta", "1.1.0"));
    EXPECT_FALSE(sync_ok("p").not_modified);
    EXPECT_EQ(installed().at("beta").release.version, "1.1.0");
    plugin("gamma", metadata("Gamma", "3"));
    EXPECT_FALSE(sync_ok("p").not_modified);
    EXPECT_EQ(installed().size(), 3U);

    // And a removed one.
    fs::remove_all(plugins_ / "gamma");
    EXPECT_FALSE(sync_ok("p").not_modified);
    EXPECT_EQ(installed().count("gamma"), 0U);
}

TEST_F(InstalledTest, MissingPluginsFolderIsAnEmptyRepository) {
    fs::create_directories(profile_); // a profile QGIS never installed a plugin into
    add("p");
    const SyncReport report = sync_ok("p");
    EXPECT_EQ(report.packages, 0U);
    EXPECT_TRUE(has_warning(report, "no plugins are installed in the profile"));
    EXPECT_TRUE(installed().empty());
    EXPECT_EQ(index_->repository("p")->last_error, "");
}

TEST_F(InstalledTest, SymbolicLinksAreFollowedOnceAndLoopsAreWarnings) {
    plugin("real", metadata("Real", "1.0"), true, dir_ / "dev");
    fs::create_directories(plugins_);
    fs::create_directory_symlink(dir_ / "dev" / "real", plugins_ / "linked"); // a dev setup
    fs::create_directory_symlink("loop", plugins_ / "loop");                  // ELOOP
    fs::create_directory_symlink("..", plugins_ / "up"); // python/: no metadata.txt there
    fs::create_directory_symlink("missing", plugins_ / "dangling");
    fs::create_directories(plugins_ / "self_meta");
    fs::create_symlink("metadata.txt", plugins_ / "self_meta" / "metadata.txt"); // ELOOP too
    add("p");
    const SyncReport report = sync_ok("p");
    const auto all = installed();
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all.at("linked").release.path, (plugins_ / "linked").string());
    EXPECT_EQ(all.at("linked").release.version, "1.0");
    EXPECT_TRUE(has_warning(report, (plugins_ / "loop").string() + " cannot be read"));
    EXPECT_TRUE(has_warning(report, (plugins_ / "self_meta").string() + " cannot be read"));
    EXPECT_TRUE(has_warning(report, "up: not a plugin"));
}

TEST_F(InstalledTest, TheSameFolderTwiceIsOnePackageWithTwoReleases) {
    plugin("dup", metadata("Dup", "1.0"));
    const fs::path sp = dir_ / "sp";
    plugin("dup", metadata("Dup", "2.0"), true, sp);
    add("p", {{"site_packages", {sp.string()}}});
    const SyncReport report = sync_ok("p");
    EXPECT_TRUE(has_warning(report, "dup is installed twice"));
    const auto releases = index_->installed();
    ASSERT_EQ(releases.size(), 2U);
    EXPECT_EQ(releases[0].package, "dup");
    EXPECT_EQ(releases[1].package, "dup");
}

namespace {

/// Runs `check` without root's right to read every folder: as root (as CI runs), in a forked
/// child that gives up its privileges for nobody's first (after `dir` is handed to nobody);
/// otherwise in this process. Returns what `check` returns, or why it could not run.
std::string run_unprivileged(const fs::path& dir, const std::function<std::string()>& check) {
    if (::geteuid() != 0) {
        return check();
    }
    const passwd* nobody = ::getpwnam("nobody");
    if (nobody == nullptr) {
        return "no user 'nobody'";
    }
    for (const auto& entry : fs::recursive_directory_iterator(dir)) {
        if (::lchown(entry.path().c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
            return "cannot chown " + entry.path().string();
        }
    }
    if (::chown(dir.c_str(), nobody->pw_uid, nobody->pw_gid) != 0) {
        return "cannot chown " + dir.string();
    }
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) {
        return "no pipe";
    }
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipe_fds[0]);
        std::string out;
        if (::setgroups(0, nullptr) != 0 || ::setgid(nobody->pw_gid) != 0 ||
            ::setuid(nobody->pw_uid) != 0 || ::setuid(0) == 0) {
            out = "cannot drop root's privileges";
        } else {
            out = check();
        }
        const char* p = out.data();
        std::size_t left = out.size();
        while (left > 0) {
            const ssize_t n = ::write(pipe_fds[1], p, left);
            if (n <= 0) {
                break;
            }
            p += n;
            left -= static_cast<std::size_t>(n);
        }
        ::_exit(0); // no gtest teardown, no atexit handlers in the child
    }
    ::close(pipe_fds[1]);
    std::string out;
    char buffer[4096];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(pipe_fds[0]);
    int status = 0;
    if (pid < 0 || ::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0) {
        return "the unprivileged child failed (status " + std::to_string(status) + "): " + out;
    }
    return out;
}

} // namespace

TEST_F(InstalledTest, UnreadableFolderIsAWarning) {
    // Root reads every folder: as root, the check runs in a child that is nobody.
    plugin("good", metadata("Good", "1.0"));
    plugin("locked", metadata("Locked", "1.0"));
    fs::permissions(plugins_ / "locked", fs::perms::none);
    const fs::path profile = profile_;
    const fs::path child_index = dir_ / "unprivileged.sqlite";
    const std::string result = run_unprivileged(dir_, [&]() -> std::string {
        if (::access((profile / "python" / "plugins" / "locked").c_str(), R_OK) == 0) {
            return "the locked folder is readable";
        }
        auto index = Index::open(child_index);
        if (!index) {
            return index.error().to_string();
        }
        RepositoryConfig r;
        r.name = "p";
        r.kind = "installed";
        r.url = profile.string();
        r.options = "{}";
        if (auto added = index->add_repository(r); !added) {
            return added.error().to_string();
        }
        const auto fetcher = make_fetcher();
        SyncContext context;
        context.fetcher = fetcher.get();
        context.qgis_version = "3.40.0";
        auto report = sync_repository(*index, SourceRegistry::builtin(), "p", context);
        if (!report) {
            return report.error().to_string();
        }
        std::string out = has_warning(*report, "locked cannot be read") ? "warned" : "no warning";
        for (const auto& rec : index->installed()) {
            out += " " + rec.package;
        }
        return out;
    });
    fs::permissions(plugins_ / "locked", fs::perms::owner_all);
    EXPECT_EQ(result, "warned good");
}

TEST_F(InstalledTest, FactoryChecksItsSettings) {
    const SourceType* type = SourceRegistry::builtin().find("installed");
    ASSERT_NE(type, nullptr);
    EXPECT_FALSE(type->backend.has_value());
    RepositoryConfig r;
    r.name = "x";
    r.kind = "installed";
    r.url = profile_.string();
    const auto error_of = [&](const std::string& options) {
        r.options = options;
        auto made = type->make(r);
        return made ? std::string() : made.error().to_string();
    };
    EXPECT_EQ(error_of("{}"), "");
    EXPECT_EQ(error_of(R"({"site_packages": []})"), "");
    EXPECT_NE(error_of(R"({"site_packages": "/usr/lib"})").find("must be a list of paths"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"site_packages": ["lib/site-packages"]})").find("is not an absolute"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"site_packages": ["/no/such/site-packages"]})").find("not a folder"),
              std::string::npos);
    EXPECT_NE(error_of(R"({"site_packages": [""]})").find("is not an absolute"), std::string::npos);
    r.url = "https://example.org/profile";
    EXPECT_NE(error_of("{}").find("absolute path of a QGIS profile"), std::string::npos);
    r.url = "relative/profile";
    EXPECT_NE(error_of("{}").find("absolute path of a QGIS profile"), std::string::npos);
    r.url = "file://" + profile_.string();
    EXPECT_EQ(error_of("{}"), "");
}
