// A plugins.xml sync as QGIS merges the entries: a plugin's versions need not follow each
// other, a version listed twice is taken from its last listing, disabled entries and entries
// without a file are left out, and the counts, warnings and progress say so. (The sync reads
// the document on a second thread while it writes: sources/legacy.cpp.)
// SPDX-License-Identifier: GPL-2.0-or-later
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <unistd.h>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/cancel.hpp>
#include <qplug/solver/fetch.hpp>
#include <qplug/solver/index.hpp>
#include <qplug/solver/source.hpp>
#include <qplug/solver/source_kinds.hpp>

using namespace qplug;
using namespace qplug::solver;
namespace fs = std::filesystem;

namespace {

constexpr const char* kDocument = R"(<?xml version="1.0"?>
<plugins>
<pyqgis_plugin name="Alpha" version="1.0">
  <description>first</description><about>as first listed</about>
  <file_name>alpha.1.0.zip</file_name><qgis_minimum_version>3.0</qgis_minimum_version>
</pyqgis_plugin>
<pyqgis_plugin name="Beta" version="1.0">
  <description>beta</description>
  <file_name>beta.1.0.zip</file_name><qgis_minimum_version>3.0</qgis_minimum_version>
</pyqgis_plugin>
<pyqgis_plugin name="Alpha" version="2.0">
  <description></description><tags>two</tags>
  <file_name>alpha.2.0.zip</file_name><qgis_minimum_version>3.0</qgis_minimum_version>
</pyqgis_plugin>
<pyqgis_plugin name="Gamma" version="1.0">
  <disabled>true</disabled><file_name>gamma.1.0.zip</file_name>
</pyqgis_plugin>
<pyqgis_plugin name="Alpha" version="1.0">
  <about>as listed again</about>
  <file_name>alpha.1.0.zip</file_name><qgis_minimum_version>3.2</qgis_minimum_version>
</pyqgis_plugin>
<pyqgis_plugin name="Nowhere" version="1.0"></pyqgis_plugin>
</plugins>
)";

class LegacySyncTest : public ::testing::Test {
protected:
    void SetUp() override {
        dir_ = fs::temp_directory_path() /
               ("qplug-legacy-sync-" + std::to_string(::getpid()) + "-" +
                ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(dir_ / "plugins.xml") << kDocument;
        auto index = Index::open(dir_ / "index.sqlite");
        ASSERT_TRUE(index) << index.error().to_string();
        index_.emplace(std::move(*index));
        RepositoryConfig r;
        r.name = "repo";
        r.kind = "legacy";
        r.url = (dir_ / "plugins.xml").string();
        ASSERT_TRUE(index_->add_repository(r));
    }
    void TearDown() override {
        index_.reset();
        fs::remove_all(dir_);
    }

    fs::path dir_;
    std::optional<Index> index_;
};

bool has_warning(const SyncReport& report, const std::string& text) {
    return std::any_of(report.warnings.begin(), report.warnings.end(),
                       [&](const std::string& w) { return w.find(text) != std::string::npos; });
}

TEST_F(LegacySyncTest, VersionsOfAPluginMergeWhereverTheyAreListed) {
    const auto fetcher = make_fetcher();
    SyncContext context;
    context.fetcher = fetcher.get();
    context.qgis_version = "3.40.0";
    std::vector<std::pair<std::uint64_t, std::uint64_t>> stored;
    context.stored = [&](std::uint64_t done, std::uint64_t total) {
        stored.emplace_back(done, total);
    };
    auto report = sync_repository(*index_, SourceRegistry::builtin(), "repo", context);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->packages, 2U);
    EXPECT_EQ(report->releases, 3U); // alpha 1.0 once, beta 1.0, alpha 2.0
    EXPECT_TRUE(has_warning(*report, "alpha: 1 release(s) listed more than once"));
    EXPECT_TRUE(has_warning(*report, "1 disabled plugin version(s) left out"));
    EXPECT_TRUE(has_warning(*report, "Nowhere 1.0 has neither file_name nor download_url"));
    ASSERT_FALSE(stored.empty());
    EXPECT_EQ(stored.back(), std::make_pair(std::uint64_t{2}, std::uint64_t{2}));

    std::vector<std::string> alpha;
    for (const ReleaseRecord& r : index_->available()) {
        if (r.package == "alpha") {
            alpha.push_back(r.release.version);
            // The later non-empty names and summary of the plugin's versions.
            EXPECT_EQ(r.display_name, "Alpha");
            EXPECT_EQ(r.summary, "first");
            if (r.release.version == "1.0") {
                EXPECT_EQ(r.release.qgis_minimum, "3.2"); // its last listing
                EXPECT_NE(r.release.metadata_json.find("as listed again"), std::string::npos);
            }
        }
    }
    // The relisted 1.0 is written where its last listing is, after 2.0.
    EXPECT_EQ(alpha, (std::vector<std::string>{"2.0", "1.0"}));
}

TEST_F(LegacySyncTest, ACancelledSyncStopsTheReaderAndLeavesTheIndexAsItWas) {
    const auto fetcher = make_fetcher();
    Cancellation cancel;
    SyncContext context;
    context.fetcher = fetcher.get();
    context.qgis_version = "3.40.0";
    context.cancel = &cancel;
    // Raised once the first package is stored: the writer stops while the reader may still
    // be walking the document.
    context.stored = [&](std::uint64_t, std::uint64_t) { cancel.request(); };
    // More plugins than the queue between the threads holds: the reader is waiting for room
    // when the writer stops, and must be released.
    std::string many = "<plugins>\n";
    for (int i = 0; i < 3000; ++i) {
        many += "<pyqgis_plugin name=\"P" + std::to_string(i) + "\" version=\"1.0\"><file_name>p" +
                std::to_string(i) + ".zip</file_name></pyqgis_plugin>\n";
    }
    std::ofstream(dir_ / "plugins.xml") << many << "</plugins>\n";
    auto report = sync_repository(*index_, SourceRegistry::builtin(), "repo", context);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().kind, Error::Kind::cancelled);
    EXPECT_TRUE(index_->available().empty());
}

} // namespace
