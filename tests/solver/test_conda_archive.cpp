// Conda package archives (solver/src/conda_archive.cpp, conda_plugin.cpp): packages written here
// with libarchive's writer as conda-build lays them out (.tar.bz2; .conda: a stored ZIP of
// zstd tarballs), read back for their site-packages files and plugin module; hostile ones
// (over the limits, links, damaged) refused with a message, never a crash. A package a plan
// reads from a remote channel (resolve/conda_lazy.cpp) is read out of the download cache, where
// its file is named by its digest, and becomes a plugin release.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <archive.h>
#include <archive_entry.h>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/checksum.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>

#include "io/conda_archive.hpp"
#include "io/conda_plugin.hpp"
#include "io/zip_member.hpp"
#include "resolve/conda_lazy.hpp"

namespace {

namespace fs = std::filesystem;
using namespace qplug::solver::detail;
using qplug::solver::PluginModule;

struct Entry {
    std::string path;
    std::string content;
    enum Type { file, directory, symlink } type = file;
    unsigned mode = 0644;
};

la_ssize_t append(archive*, void* out, const void* buffer, std::size_t size) {
    static_cast<std::string*>(out)->append(static_cast<const char*>(buffer), size);
    return static_cast<la_ssize_t>(size);
}

/// A pax tarball (filter: "bzip2", "zstd" or "") or a stored ZIP (zip = true).
std::string archive_of(const std::vector<Entry>& entries, const std::string& filter,
                       bool zip = false) {
    std::string out;
    archive* a = archive_write_new();
    if (zip) {
        archive_write_set_format_zip(a);
        archive_write_set_options(a, "zip:compression=store");
    } else {
        archive_write_set_format_pax_restricted(a);
        if (filter == "bzip2") {
            archive_write_add_filter_bzip2(a);
        } else if (filter == "zstd") {
            archive_write_add_filter_zstd(a);
        }
    }
    archive_write_set_bytes_in_last_block(a, 1);
    EXPECT_EQ(archive_write_open2(a, &out, nullptr, append, nullptr, nullptr), ARCHIVE_OK);
    for (const auto& e : entries) {
        archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, e.path.c_str());
        if (e.type == Entry::directory) {
            archive_entry_set_filetype(entry, AE_IFDIR);
            archive_entry_set_perm(entry, 0755);
        } else if (e.type == Entry::symlink) {
            archive_entry_set_filetype(entry, AE_IFLNK);
            archive_entry_set_symlink(entry, e.content.c_str());
            archive_entry_set_perm(entry, 0777);
        } else {
            archive_entry_set_filetype(entry, AE_IFREG);
            archive_entry_set_perm(entry, e.mode);
            archive_entry_set_size(entry, static_cast<la_int64_t>(e.content.size()));
        }
        EXPECT_EQ(archive_write_header(a, entry), ARCHIVE_OK) << e.path;
        if (e.type == Entry::file && !e.content.empty()) {
            archive_write_data(a, e.content.data(), e.content.size());
        }
        archive_entry_free(entry);
    }
    archive_write_close(a);
    archive_write_free(a);
    return out;
}

std::string tar_bz2(const std::vector<Entry>& payload) {
    std::vector<Entry> all = {{"info/index.json", R"({"name": "qgis-d-plugin"})"}};
    all.insert(all.end(), payload.begin(), payload.end());
    return archive_of(all, "bzip2");
}

std::string dot_conda(const std::vector<Entry>& payload) {
    return archive_of({{"metadata.json", R"({"conda_pkg_format_version": 2})"},
                       {"pkg-qgis-d-plugin-1.2-pyhd8ed1ab_0.tar.zst", archive_of(payload, "zstd")},
                       {"info-qgis-d-plugin-1.2-pyhd8ed1ab_0.tar.zst",
                        archive_of({{"info/index.json", "{}"}}, "zstd")}},
                      "", true);
}

const std::string kMetadata = "[general]\nname=D Plugin\nversion=1.2\nqgisMinimumVersion=3.16\n";

std::vector<Entry> plugin_payload(const std::string& root = "site-packages/") {
    return {{root + "d_plugin", "", Entry::directory},
            {root + "d_plugin/__init__.py", "def classFactory(iface):\n    return None\n"},
            {root + "d_plugin/metadata.txt", kMetadata},
            {root + "d_plugin/tool.sh", "#!/bin/sh\n", Entry::file, 0755},
            {root + "d_plugin/__pycache__/x.cpython-311.pyc", std::string("\0\1", 2)},
            {root + "qgis_d_plugin-1.2.dist-info/METADATA", "Name: qgis-d-plugin\n"}};
}

class CondaArchive : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qplug-conda-archive-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override { fs::remove_all(dir_); }
    fs::path write(const std::string& name, const std::string& bytes) {
        std::ofstream(dir_ / name, std::ios::binary) << bytes;
        return dir_ / name;
    }
    fs::path dir_;
};

TEST_F(CondaArchive, SitePackagesPaths) {
    EXPECT_EQ(site_packages_path("site-packages/x/a.py"), "x/a.py");
    EXPECT_EQ(site_packages_path("lib/python3.11/site-packages/x/a.py"), "x/a.py");
    EXPECT_EQ(site_packages_path("Lib/site-packages/x/"), "x");
    EXPECT_EQ(site_packages_path("site-packages/"), std::nullopt);
    EXPECT_EQ(site_packages_path("lib/libgdal.so"), std::nullopt);
    EXPECT_EQ(site_packages_path("lib/python3.11/x/site-packages/a.py"), std::nullopt);
    EXPECT_EQ(site_packages_path("info/index.json"), std::nullopt);
    EXPECT_EQ(conda_archive_format("a-1-0.conda"), CondaArchiveFormat::conda);
    EXPECT_EQ(conda_archive_format("a-1-0.tar.bz2"), CondaArchiveFormat::tar_bz2);
    EXPECT_EQ(conda_archive_format("a-1-0.whl"), std::nullopt);
}

TEST_F(CondaArchive, BothFormatsHoldThePluginModule) {
    for (const auto& [name, bytes] :
         {std::pair{std::string("qgis-d-plugin-1.2-pyhd8ed1ab_0.tar.bz2"),
                    tar_bz2(plugin_payload())},
          std::pair{std::string("qgis-d-plugin-1.2-pyhd8ed1ab_0.conda"),
                    dot_conda(plugin_payload())},
          std::pair{std::string("qgis-d-plugin-1.2-py311_0.tar.bz2"),
                    tar_bz2(plugin_payload("lib/python3.11/site-packages/"))}}) {
        const fs::path file = write(name, bytes);
        auto found = read_conda_plugin(file);
        ASSERT_TRUE(found) << name << ": " << found.error().to_string();
        EXPECT_EQ(found->module.kind, PluginModule::Kind::plugin) << name << found->module.why;
        EXPECT_EQ(found->module.key, "d_plugin") << name;
        EXPECT_EQ(found->metadata_txt, kMetadata) << name;

        auto payload = read_conda_package(file, [](std::string_view) { return false; });
        ASSERT_TRUE(payload);
        EXPECT_EQ(payload->files.size(), 6u) << name;
        EXPECT_EQ(payload->files[0].type, CondaFile::Type::directory);
        EXPECT_FALSE(payload->files[1].content.has_value());
        EXPECT_TRUE(payload->files[3].executable);
    }
}

TEST_F(CondaArchive, TwoModulesAreNoPlugin) {
    auto payload = plugin_payload();
    payload.push_back({"site-packages/d_helpers/__init__.py", ""});
    auto found = read_conda_plugin(write("two-1.0-0.tar.bz2", tar_bz2(payload)));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->module.kind, PluginModule::Kind::not_plugin);
    EXPECT_NE(found->module.why.find("2 top-level modules (d_helpers, d_plugin)"),
              std::string::npos)
        << found->module.why;
    // No metadata.txt anywhere: an ordinary package.
    auto plain = read_conda_plugin(
        write("shapely-2.0.1-py311_0.tar.bz2",
              tar_bz2({{"lib/python3.11/site-packages/shapely/__init__.py", ""}})));
    ASSERT_TRUE(plain);
    EXPECT_EQ(plain->module.kind, PluginModule::Kind::none);
}

TEST_F(CondaArchive, HostileArchivesAreRefused) {
    // Not archives, damaged, truncated: an error, no crash.
    const std::string good = dot_conda(plugin_payload());
    for (const auto& [name, bytes] :
         {std::pair{std::string("garbage-1-0.conda"), std::string("not a zip")},
          std::pair{std::string("garbage-1-0.tar.bz2"), std::string("BZh9 nothing")},
          std::pair{std::string("cut-1-0.conda"), good.substr(0, good.size() / 2)},
          std::pair{std::string("cut-1-0.tar.bz2"), tar_bz2(plugin_payload()).substr(0, 100)},
          std::pair{std::string("empty-1-0.conda"),
                    archive_of({{"metadata.json", "{}"}}, "", true)}}) {
        auto read = read_conda_plugin(write(name, bytes));
        ASSERT_FALSE(read) << name;
        EXPECT_NE(read.error().message.find("not a readable conda package"), std::string::npos)
            << read.error().message;
    }
    // Over the limits: entries, bytes decompressed, bytes kept.
    CondaArchiveLimits limits;
    limits.max_entries = 5;
    auto many = read_conda_plugin(write("many-1-0.tar.bz2", tar_bz2(plugin_payload())), limits);
    ASSERT_FALSE(many);
    EXPECT_NE(many.error().message.find("over the limit of 5 entries"), std::string::npos)
        << many.error().message;
    limits = {};
    limits.max_total = 1'000'000;
    auto payload = plugin_payload();
    payload.push_back({"bin/zeros", std::string(2'000'000, '\0')});
    for (const auto& name : {"big-1-0.tar.bz2", "big-1-0.conda"}) {
        const fs::path file = write(name, std::string(name).ends_with(".conda") ? dot_conda(payload)
                                                                                : tar_bz2(payload));
        auto big = read_conda_plugin(file, limits);
        ASSERT_FALSE(big) << name;
        EXPECT_NE(big.error().message.find("bytes decompressed"), std::string::npos)
            << big.error().message;
        EXPECT_LT(fs::file_size(file), 10'000u); // (the ratio is the point)
    }
    limits = {};
    limits.max_kept = 100;
    auto kept = read_conda_package(
        write("kept-1-0.tar.bz2", tar_bz2(plugin_payload())), [](std::string_view) { return true; },
        limits);
    ASSERT_FALSE(kept);
    EXPECT_NE(kept.error().message.find("bytes of files read"), std::string::npos);
}

TEST_F(CondaArchive, PluginZipHoldsTheModuleFolderOnly) {
    for (const auto& name : {"qgis-d-plugin-1.2-0.tar.bz2", "qgis-d-plugin-1.2-0.conda"}) {
        const fs::path package =
            write(name, std::string(name).ends_with(".conda") ? dot_conda(plugin_payload())
                                                              : tar_bz2(plugin_payload()));
        const fs::path zip = dir_ / (std::string(name) + ".zip");
        auto made = write_conda_plugin_zip(package, "d_plugin", zip);
        ASSERT_TRUE(made) << made.error().to_string();
        EXPECT_EQ(made->files, 3u);
        auto entries = zip_entries(zip);
        ASSERT_TRUE(entries);
        std::erase_if(*entries, [](const std::string& e) { return e.ends_with('/'); });
        EXPECT_EQ(*entries,
                  (std::vector<std::string>{"d_plugin/__init__.py", "d_plugin/metadata.txt",
                                            "d_plugin/tool.sh"}));
        auto text =
            zip_member(zip, [](std::string_view n) { return n == "d_plugin/metadata.txt"; });
        ASSERT_TRUE(text);
        EXPECT_EQ(*text, kMetadata);
        ASSERT_EQ(made->notes.size(), 2u);
        EXPECT_NE(made->notes[0].find("1 compiled caches left out"), std::string::npos);
        EXPECT_NE(made->notes[1].find("outside the folder d_plugin/"), std::string::npos);
        // Not over an existing file; not under another key.
        EXPECT_FALSE(write_conda_plugin_zip(package, "d_plugin", zip));
        auto other = write_conda_plugin_zip(package, "e_plugin", dir_ / "other.zip");
        ASSERT_FALSE(other);
        EXPECT_NE(other.error().message.find("its plugin module is d_plugin/, not e_plugin/"),
                  std::string::npos);
    }
    auto payload = plugin_payload();
    payload.push_back({"site-packages/d_plugin/secrets", "/etc/passwd", Entry::symlink});
    auto linked = write_conda_plugin_zip(write("link-1-0.tar.bz2", tar_bz2(payload)), "d_plugin",
                                         dir_ / "link.zip");
    ASSERT_FALSE(linked);
    EXPECT_EQ(linked.error().kind, qplug::Error::Kind::refused);
    EXPECT_NE(linked.error().message.find("d_plugin/secrets is a link"), std::string::npos)
        << linked.error().message;
}

/// A release of a remote channel as the index has it after a sync: its conda dependencies,
/// its guessed module, the digest repodata.json gives.
qplug::solver::ReleaseRecord remote_release(const std::string& name, const std::string& file_name,
                                            const std::string& bytes) {
    qplug::solver::ReleaseRecord r;
    r.id = 7;
    r.repository = "remote";
    r.kind = "conda";
    r.backend = qplug::solver::Backend::conda;
    r.package = name;
    r.display_name = name;
    r.release.version = "1.2";
    r.release.file_name = file_name;
    r.release.download_url = "http://127.0.0.1:9/noarch/" + file_name; // never fetched here
    r.release.hash = "sha256:" + qplug::solver::sha256_hex(bytes);
    r.release.size = bytes.size();
    r.release.dependencies = {
        {qplug::solver::DependencyKind::conda, "qplug-conda-helper", ">=1.0", "", "", false}};
    r.release.modules = {"qgis_d_plugin"};
    return r;
}

TEST_F(CondaArchive, APackageInTheDownloadCacheIsReadForItsPlugin) {
    auto index = qplug::solver::Index::open(dir_ / "index.sqlite");
    ASSERT_TRUE(index) << index.error().to_string();
    auto fetcher = qplug::solver::make_fetcher();
    qplug::solver::DownloadCache cache(dir_ / "cache", *fetcher);
    // Kept by an earlier download: the cache's file is named by its SHA-256, not the package.
    const std::string plugin = dot_conda(plugin_payload());
    const std::string two = [] {
        auto payload = plugin_payload();
        payload.push_back({"site-packages/d_helpers/__init__.py", ""});
        return tar_bz2(payload);
    }();
    fs::create_directories(dir_ / "cache" / "sha256");
    for (const std::string* bytes : {&plugin, &two}) {
        std::ofstream(dir_ / "cache" / "sha256" / qplug::solver::sha256_hex(*bytes),
                      std::ios::binary)
            << *bytes;
    }

    std::vector<std::string> warnings;
    const auto d = remote_release("qgis-d-plugin", "qgis-d-plugin-1.2-pyhd8ed1ab_0.conda", plugin);
    auto read = read_conda_release(*index, d, cache, nullptr, warnings);
    ASSERT_TRUE(read) << read.error().to_string();
    ASSERT_TRUE(read->plugin);
    EXPECT_EQ(read->plugin->display_name, "D Plugin");
    EXPECT_EQ(read->plugin->qgis_minimum, "3.16");
    EXPECT_EQ(read->modules, std::vector<std::string>{"d_plugin"});
    // The conda depends stay; the QGIS range joins them.
    ASSERT_EQ(read->dependencies.size(), 2u);
    EXPECT_EQ(read->dependencies[0].target, "qplug-conda-helper");
    EXPECT_EQ(read->dependencies[1].kind, qplug::solver::DependencyKind::qgis);

    // Two modules: an ordinary package, with the sync's warning naming the file.
    warnings.clear();
    auto other = read_conda_release(
        *index, remote_release("qgis-two", "qgis-two-1.2-pyhd8ed1ab_0.tar.bz2", two), cache,
        nullptr, warnings);
    ASSERT_TRUE(other) << other.error().to_string();
    EXPECT_FALSE(other->plugin);
    EXPECT_EQ(other->modules, std::vector<std::string>{"qgis_d_plugin"});
    ASSERT_EQ(warnings.size(), 1u);
    EXPECT_TRUE(warnings[0].starts_with("qgis-two-1.2-pyhd8ed1ab_0.tar.bz2: not a QGIS plugin: "))
        << warnings[0];

    // Bytes whose digest is not the channel's: refused, the release named.
    auto damaged = d;
    damaged.release.download_url = "file://" + write("d.conda", plugin).string();
    damaged.release.hash = "sha256:" + qplug::solver::sha256_hex(plugin + "x");
    auto refused = read_conda_release(*index, damaged, cache, nullptr, warnings);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, qplug::Error::Kind::refused);
    EXPECT_TRUE(refused.error().message.starts_with("qgis-d-plugin 1.2: "))
        << refused.error().message;
}

} // namespace
