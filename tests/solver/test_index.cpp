// The index on its own: schema and migrations, repositories, syncs as transactions (a failed
// fill rolls back, a reader never waits and never sees half a sync), dependencies learnt later,
// the migration of dependency rows into their releases.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <qplug/solver/index.hpp>

#include "index/dependency_json.hpp"
#include "index/index_schema.hpp"

using namespace qplug;
using namespace qplug::solver;

namespace {

class IndexTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = std::filesystem::temp_directory_path() /
               ("qplug-index-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        std::filesystem::remove_all(dir_);
        path_ = dir_ / "sub" / "index.sqlite";
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }

    Index open() {
        auto index = Index::open(path_);
        EXPECT_TRUE(index) << index.error().to_string();
        return std::move(*index);
    }

    /// The rows of a query run on the index file with SQLite itself, columns joined by blanks.
    std::vector<std::string> sql_rows(const char* query) const {
        sqlite3* db = nullptr;
        EXPECT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        sqlite3_stmt* st = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db, query, -1, &st, nullptr), SQLITE_OK) << query;
        std::vector<std::string> rows;
        while (st != nullptr && sqlite3_step(st) == SQLITE_ROW) {
            std::string row;
            for (int i = 0; i < sqlite3_column_count(st); ++i) {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, i));
                row += (i > 0 ? " " : "") + std::string(text != nullptr ? text : "");
            }
            rows.push_back(std::move(row));
        }
        sqlite3_finalize(st);
        sqlite3_close(db);
        return rows;
    }

    static RepositoryConfig repo(std::string name) {
        RepositoryConfig r;
        r.name = std::move(name);
        r.kind = "legacy";
        r.backend = Backend::legacy;
        r.url = "https://example.org/plugins.xml";
        return r;
    }

    static Package plugin(std::string key, std::string name, std::vector<std::string> versions) {
        Package p;
        p.name = std::move(key);
        p.display_name = std::move(name);
        p.summary = "does " + p.display_name;
        p.keywords = "vector,raster";
        for (auto& v : versions) {
            Release r;
            r.version = v;
            r.qgis_minimum = "3.22";
            r.dependencies.push_back(
                {DependencyKind::plugin, "Other Plugin", "==1.0", "", "", false});
            r.modules.push_back(p.name);
            p.releases.push_back(std::move(r));
        }
        return p;
    }

    std::filesystem::path dir_;
    std::filesystem::path path_;
};

} // namespace

TEST_F(IndexTest, CreatesItsFolderAndSchema) {
    Index index = open();
    EXPECT_TRUE(std::filesystem::exists(path_));
    EXPECT_EQ(index.schema_version(), Index::current_schema_version());
    EXPECT_TRUE(index.repositories().empty());
}

TEST_F(IndexTest, RefusesAnIndexFromANewerQplug) {
    { open(); }
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(db, "PRAGMA user_version = 999", nullptr, nullptr, nullptr), SQLITE_OK);
    sqlite3_close(db);
    auto again = Index::open(path_);
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().to_string().find("newer qplug"), std::string::npos);
    // Readers refuse it too (they read the schema this qplug writes, or nothing).
    auto reader = Index::open(path_, Index::Mode::read_only);
    ASSERT_FALSE(reader);
    EXPECT_NE(reader.error().to_string().find("newer qplug (schema 999"), std::string::npos);
}

TEST_F(IndexTest, ADamagedPageIsAnErrorNeverAPartialResult) {
    {
        Index index = open();
        ASSERT_TRUE(index.add_repository(repo("main")));
        auto r = index.sync("main", [](SyncSink& sink) -> Expected<Index::SyncResult> {
            for (int i = 0; i < 3000; ++i) {
                if (auto a = sink.add(plugin(fmt::format("plugin{}", i),
                                             fmt::format("Plugin {}", i), {"1.0", "2.0"}));
                    !a) {
                    return std::move(a).error();
                }
            }
            return Index::SyncResult{};
        });
        ASSERT_TRUE(r) << r.error().to_string();
    } // closed: the WAL is checkpointed into the file
    // Overwrite a leaf page of the packages table in the middle.
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db,
                                 "SELECT pageno, (SELECT page_size FROM pragma_page_size) FROM "
                                 "dbstat WHERE name = 'packages' AND pagetype = 'leaf' "
                                 "ORDER BY pageno",
                                 -1, &st, nullptr),
              SQLITE_OK);
    std::vector<std::int64_t> leaves;
    std::int64_t page_size = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        leaves.push_back(sqlite3_column_int64(st, 0));
        page_size = sqlite3_column_int64(st, 1);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    ASSERT_GT(leaves.size(), 4u);
    {
        std::FILE* f = std::fopen(path_.c_str(), "r+b");
        ASSERT_NE(f, nullptr);
        std::fseek(f, static_cast<long>((leaves[leaves.size() / 2] - 1) * page_size), SEEK_SET);
        const std::string garbage(static_cast<std::size_t>(page_size), '\xff');
        std::fwrite(garbage.data(), 1, garbage.size(), f);
        std::fclose(f);
    }
    for (const auto mode : {Index::Mode::read_only, Index::Mode::read_write}) {
        auto index = Index::open(path_, mode);
        ASSERT_TRUE(index) << index.error().to_string();
        try {
            const auto found = index->search("");
            FAIL() << "search gave " << found.size() << " packages of a damaged index";
        } catch (const IndexReadError& e) {
            const std::string message = e.what();
            EXPECT_NE(message.find(path_.string()), std::string::npos) << message;
            EXPECT_NE(message.find("is damaged"), std::string::npos) << message;
            EXPECT_NE(message.find("PRAGMA integrity_check"), std::string::npos) << message;
        }
        EXPECT_THROW((void)index->available(), IndexReadError);
    }
}

TEST_F(IndexTest, RepositoriesAreConfigured) {
    Index index = open();
    auto added = index.add_repository(repo("main"));
    ASSERT_TRUE(added) << added.error().to_string();
    EXPECT_EQ(added->name, "main");
    EXPECT_FALSE(index.add_repository(repo("main"))); // names are unique
    RepositoryConfig locked = repo("locked");
    locked.is_protected = true;
    locked.priority = 5;
    ASSERT_TRUE(index.add_repository(locked));
    const auto all = index.repositories();
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "locked"); // by priority
    ASSERT_TRUE(index.set_enabled("main", false));
    EXPECT_FALSE(index.repository("main")->enabled);
    EXPECT_FALSE(index.set_enabled("nowhere", true));
    EXPECT_FALSE(index.remove_repository("locked", false));
    EXPECT_TRUE(index.remove_repository("locked", true));
    EXPECT_TRUE(index.remove_repository("main", false));
    EXPECT_TRUE(index.repositories().empty());
}

TEST_F(IndexTest, ASyncIsOneTransaction) {
    Index index = open();
    ASSERT_TRUE(index.add_repository(repo("main")));
    auto first = index.sync("main", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        if (auto r = sink.add(plugin("alpha", "Alpha", {"1.0", "2.0"})); !r) {
            return std::move(r).error();
        }
        Index::SyncResult result;
        result.etag = "\"v1\"";
        return result;
    });
    ASSERT_TRUE(first) << first.error().to_string();
    EXPECT_EQ(first->packages, 1u);
    EXPECT_EQ(first->releases, 2u);
    EXPECT_EQ(first->dependencies, 2u);
    EXPECT_EQ(index.repository("main")->etag, "\"v1\"");
    EXPECT_EQ(index.repository("main")->revision, 1);

    // A fill that fails half-way leaves the previous contents and records the error.
    auto failed = index.sync("main", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        (void)sink.add(plugin("beta", "Beta", {"1.0"}));
        return Error{Error::Kind::invalid, "", "", 0, "the repository went away", "", 0, 0};
    });
    ASSERT_FALSE(failed);
    ASSERT_EQ(index.releases_named("alpha").size(), 2u);
    EXPECT_TRUE(index.releases_named("beta").empty());
    EXPECT_NE(index.repository("main")->last_error.find("went away"), std::string::npos);
    EXPECT_EQ(index.repository("main")->revision, 1);

    // Not modified: nothing changes but the time of the sync.
    auto same = index.sync("main", [](SyncSink&) -> Expected<Index::SyncResult> {
        Index::SyncResult result;
        result.not_modified = true;
        result.etag = "\"v1\"";
        return result;
    });
    ASSERT_TRUE(same);
    EXPECT_TRUE(same->not_modified);
    EXPECT_EQ(index.releases_named("Alpha").size(), 2u);
    EXPECT_EQ(index.repository("main")->revision, 1);
    EXPECT_EQ(index.repository("main")->last_error, "");
}

TEST_F(IndexTest, ReadersSeeTheLastCommitWhileASyncRuns) {
    Index writer = open();
    ASSERT_TRUE(writer.add_repository(repo("main")));
    ASSERT_TRUE(writer.sync("main", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        if (auto r = sink.add(plugin("alpha", "Alpha", {"1.0"})); !r) {
            return std::move(r).error();
        }
        return Index::SyncResult{};
    }));
    auto reader = Index::open(path_, Index::Mode::read_only);
    ASSERT_TRUE(reader) << reader.error().to_string();
    bool checked = false;
    ASSERT_TRUE(writer.sync("main", [&](SyncSink& sink) -> Expected<Index::SyncResult> {
        if (auto r = sink.add(plugin("beta", "Beta", {"1.0", "1.1"})); !r) {
            return std::move(r).error();
        }
        // Mid-transaction: the reader does not wait and sees the previous commit.
        EXPECT_EQ(reader->releases_named("alpha").size(), 1u);
        EXPECT_TRUE(reader->releases_named("beta").empty());
        checked = true;
        return Index::SyncResult{};
    }));
    EXPECT_TRUE(checked);
    EXPECT_TRUE(reader->releases_named("alpha").empty());
    EXPECT_EQ(reader->releases_named("beta").size(), 2u);
}

TEST_F(IndexTest, SearchAndReleasesComeBackWhole) {
    Index index = open();
    ASSERT_TRUE(index.add_repository(repo("main")));
    ASSERT_TRUE(index.sync("main", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        for (const auto& p : {plugin("alpha", "Alpha Tools", {"1.10", "1.9", "2.0rc1"}),
                              plugin("beta", "Beta", {"1.0"})}) {
            if (auto r = sink.add(p); !r) {
                return std::move(r).error();
            }
        }
        return Index::SyncResult{};
    }));
    const auto found = index.search("TOOLS");
    ASSERT_EQ(found.size(), 1u);
    EXPECT_EQ(found[0].name, "alpha");
    EXPECT_EQ(found[0].versions, (std::vector<std::string>{"1.9", "1.10", "2.0rc1"}));
    EXPECT_EQ(index.search("raster").size(), 2u); // tags
    EXPECT_EQ(index.search("").size(), 2u);
    EXPECT_TRUE(index.search("100%").empty()); // LIKE wildcards are literal
    const auto releases = index.releases_named("alpha tools");
    ASSERT_EQ(releases.size(), 3u);
    EXPECT_EQ(releases[0].release.dependencies.size(), 1u);
    EXPECT_EQ(releases[0].release.dependencies[0].target, "Other Plugin");
    EXPECT_EQ(releases[0].release.modules, std::vector<std::string>{"alpha"});
    EXPECT_EQ(releases[0].release.qgis_minimum, "3.22");
    // Dependencies learnt later (a fetched ZIP) replace the recorded ones.
    ASSERT_TRUE(index.set_dependencies(
        releases[0].id, {{DependencyKind::plugin, "Gamma", "", "", "", false}}, {"alpha_mod"}));
    const auto again = index.releases_named("alpha");
    EXPECT_EQ(again[0].release.dependencies.size(), 1u);
    EXPECT_EQ(again[0].release.dependencies[0].target, "Gamma");
    EXPECT_EQ(again[0].release.modules, std::vector<std::string>{"alpha_mod"});
    EXPECT_FALSE(index.set_dependencies(999999, {}, {}));
    // A disabled repository is left out of reading.
    ASSERT_TRUE(index.set_enabled("main", false));
    EXPECT_TRUE(index.search("").empty());
    EXPECT_TRUE(index.releases_named("alpha").empty());
}

TEST(ModulesJson, SortedWithoutRepeatsAndReadBack) {
    EXPECT_EQ(modules_to_json({}), "[]");
    EXPECT_EQ(modules_to_json({"kart"}), R"(["kart"])");
    EXPECT_EQ(modules_to_json({"b", "a", "b", "a\"q"}), R"(["a","a\"q","b"])");
    EXPECT_EQ(modules_to_json({"a", "a"}), R"(["a"])");
    const std::vector<std::string> modules = {"a\u00e9", "z", "\xC3\xA9"};
    auto back = modules_from_json(modules_to_json(modules));
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, modules);
    EXPECT_FALSE(modules_from_json(R"(["a",1])"));
}

TEST(DependencyJson, RoundTripsEveryField) {
    const std::vector<Dependency> deps = {
        {DependencyKind::pip, "numpy", ">=1.21,<2", "python_version >= \"3.9\"", "plot", false},
        {DependencyKind::conda, "gdal", "3.8.*", "", "", true},
        {DependencyKind::plugin, "Other \"Plugin\"\\ \t\x01", "==1.0", "", "", false},
        {DependencyKind::qgis, "qgis", "3.22..3.99", "", "", false},
        {DependencyKind::python, "python", ">=3.9", "", "", false}};
    const std::string json = dependencies_to_json(deps);
    auto back = dependencies_from_json(json);
    ASSERT_TRUE(back) << back.error().to_string();
    EXPECT_EQ(*back, deps);
    EXPECT_EQ(dependencies_to_json({}), "[]");
    EXPECT_TRUE(dependencies_from_json("[]")->empty());
    // Escapes as SQLite's json_group_array (the migration) or any JSON writer may write them.
    auto escaped = dependencies_from_json(
        R"( [ ["pip" , "a\u00e9\ud83d\ude00\/\"" ,"\b\f\n\r\t","","",1] ] )");
    ASSERT_TRUE(escaped) << escaped.error().to_string();
    EXPECT_EQ(escaped->at(0).target, "a\xC3\xA9\xF0\x9F\x98\x80/\"");
    EXPECT_EQ(escaped->at(0).spec, "\b\f\n\r\t");
    EXPECT_TRUE(escaped->at(0).constraint);
    for (const char* damaged :
         {"{", "{}", "[[\"pip\",\"a\"]]", "[[\"nope\",\"a\",\"\",\"\",\"\",0]]",
          "[[\"pip\",1,\"\",\"\",\"\",0]]", "[[\"pip\",\"a\",\"\",\"\",\"\",0]] x",
          "[[\"pip\",\"\\u12\"]]"}) {
        EXPECT_FALSE(dependencies_from_json(damaged)) << damaged;
    }
}

// An index written by schema 2 (a row per dependency) keeps its dependencies, in order, when a
// newer qplug opens it; the dependencies view gives them back as rows.
TEST_F(IndexTest, MigratesDependencyRowsIntoTheirReleases) {
    std::filesystem::create_directories(path_.parent_path());
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        const auto steps = schema::migrations();
        std::string sql = std::string(steps[0]) + steps[1] + R"sql(
            INSERT INTO repositories (name, kind, backend, url) VALUES ('main', 'pip', 'pip', 'u');
            INSERT INTO packages (repository_id, name, display_name) VALUES (1, 'a', 'a');
            INSERT INTO releases (repository_id, package_id, version, channel)
                VALUES (1, 1, '1.0', 'stable'), (1, 1, '2.0', 'stable');
            INSERT INTO dependencies VALUES (1, 1, 'pip', 'second', '<2', '', '', 0),
                (1, 0, 'pip', 'first', '>=1', 'os_name == "nt"', 'x', 0),
                (1, 2, 'conda', 'c"q', '', '', '', 1);
            PRAGMA user_version = 2;)sql";
        ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    Index index = open();
    EXPECT_EQ(index.schema_version(), Index::current_schema_version());
    const auto releases = index.releases_named("a");
    ASSERT_EQ(releases.size(), 2u);
    EXPECT_EQ(releases[0].release.dependencies,
              (std::vector<Dependency>{
                  {DependencyKind::pip, "first", ">=1", "os_name == \"nt\"", "x", false},
                  {DependencyKind::pip, "second", "<2", "", "", false},
                  {DependencyKind::conda, "c\"q", "", "", "", true}}));
    EXPECT_TRUE(releases[1].release.dependencies.empty());
    const auto rows = sql_rows("SELECT release_id, seq, kind, target, is_constraint FROM "
                               "dependencies ORDER BY release_id, seq");
    EXPECT_EQ(rows, (std::vector<std::string>{"1 0 pip first 0", "1 1 pip second 0",
                                              "1 2 conda c\"q 1"}));
}

// Schema 6 finds a repository's releases through its packages (no index of releases by
// repository): on an index migrated from schema 5, a sync that empties one repository and
// one that rewrites another touch only their own releases.
TEST_F(IndexTest, ASchema5IndexMigratesAndItsRepositoriesSyncApart) {
    std::filesystem::create_directories(path_.parent_path());
    {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path_.c_str(), &db), SQLITE_OK);
        std::string sql;
        for (std::size_t i = 0; i < 5; ++i) {
            sql += schema::migrations()[i];
        }
        sql += R"sql(
            INSERT INTO repositories (name, kind, backend, url)
                VALUES ('one', 'legacy', 'legacy', 'u1'), ('two', 'legacy', 'legacy', 'u2');
            INSERT INTO packages (repository_id, name, display_name) VALUES (1, 'a', 'A'),
                (2, 'b', 'B');
            INSERT INTO releases (repository_id, package_id, version, channel)
                VALUES (1, 1, '1.0', 'stable'), (2, 2, '1.0', 'stable'), (2, 2, '2.0', 'stable');
            PRAGMA user_version = 5;)sql";
        ASSERT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db);
        sqlite3_close(db);
    }
    Index index = open();
    EXPECT_EQ(index.schema_version(), 6);
    auto names = [&] {
        std::vector<std::string> out;
        for (const auto& r : index.available()) {
            out.push_back(r.package + " " + r.release.version);
        }
        return out;
    };
    EXPECT_EQ(names(), (std::vector<std::string>{"a 1.0", "b 1.0", "b 2.0"}));
    // "two" keeps 2.0 (the row read as a previous release) and gets 3.0; "one" is emptied.
    ASSERT_TRUE(index.sync("two", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        Package b;
        b.name = "b";
        b.display_name = "B";
        for (const char* version : {"2.0", "3.0"}) {
            Release r;
            r.version = version;
            b.releases.push_back(r);
        }
        if (auto added = sink.add(b); !added) {
            return std::move(added).error();
        }
        return Index::SyncResult{};
    }));
    EXPECT_EQ(names(), (std::vector<std::string>{"a 1.0", "b 2.0", "b 3.0"}));
    ASSERT_TRUE(index.sync(
        "one", [](SyncSink&) -> Expected<Index::SyncResult> { return Index::SyncResult{}; }));
    EXPECT_EQ(names(), (std::vector<std::string>{"b 2.0", "b 3.0"}));
    EXPECT_EQ(sql_rows("SELECT name FROM sqlite_master WHERE type = 'index' AND name = "
                       "'releases_repository'"),
              std::vector<std::string>{});
}

TEST_F(IndexTest, ReplacingPackagesLeavesTheRestOfTheRepository) {
    // A pip index's listing, then one project read when a resolution reaches it.
    Index index = open();
    RepositoryConfig pip = repo("pypi");
    pip.kind = "pip";
    pip.backend = Backend::pip;
    pip.url = "https://pypi.example.org/simple/";
    ASSERT_TRUE(index.add_repository(pip));
    ASSERT_TRUE(index.add_repository(repo("plugins")));
    ASSERT_TRUE(index.sync("pypi", [](SyncSink& sink) -> Expected<Index::SyncResult> {
        for (const char* name : {"alpha", "beta"}) {
            Package listed;
            listed.name = name;
            if (auto r = sink.add(listed); !r) {
                return std::move(r).error();
            }
        }
        return Index::SyncResult{};
    }));
    ASSERT_TRUE(index.sync("plugins", [&](SyncSink& sink) -> Expected<Index::SyncResult> {
        if (auto r = sink.add(plugin("alpha", "Alpha", {"1.0"})); !r) {
            return std::move(r).error();
        }
        return Index::SyncResult{};
    }));
    EXPECT_EQ(index.listing_unread("alpha"), std::vector<std::string>{"pypi"});
    EXPECT_EQ(index.listing_unread("beta"), std::vector<std::string>{"pypi"});
    const std::int64_t revision = index.repository("pypi")->revision;

    Package alpha = plugin("alpha", "alpha", {"1.0", "2.0"});
    for (auto& r : alpha.releases) {
        r.dependencies = {{DependencyKind::pip, "beta", ">=1", "", "", false}};
    }
    auto report = index.replace_packages("pypi", {alpha});
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->releases, 2u);
    EXPECT_EQ(index.repository("pypi")->revision, revision + 1); // the .solv cache's key
    EXPECT_TRUE(index.listing_unread("alpha").empty());
    EXPECT_EQ(index.listing_unread("beta"), std::vector<std::string>{"pypi"});
    EXPECT_EQ(index.releases_named("alpha").size(), 3u); // two of pypi, one plugin
    // Read again: replaced, not added to.
    ASSERT_TRUE(index.replace_packages("pypi", {plugin("alpha", "alpha", {"3.0"})}));
    std::vector<std::string> versions;
    for (const auto& r : index.releases_named("alpha")) {
        versions.push_back(r.repository + " " + r.release.version);
    }
    std::sort(versions.begin(), versions.end());
    EXPECT_EQ(versions, (std::vector<std::string>{"plugins 1.0", "pypi 3.0"}));
    EXPECT_EQ(index.search("").size(), 3u); // alpha twice, beta
    EXPECT_FALSE(index.replace_packages("nowhere", {alpha}));
}
