// The target QGIS version read from `qgis --version`: its output as QGIS prints it, and a
// qgis program on PATH that answers, fails, hangs or is not there.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

#include <gtest/gtest.h>

#include <qplug/solver/qgis_program.hpp>

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using qplug::solver::installed_qgis_version;
using qplug::solver::qgis_version_from_output;

TEST(QgisProgram, ReadsTheVersionQgisPrints) {
    EXPECT_EQ(qgis_version_from_output("QGIS 3.34.5-Prizren 'Prizren' (exported)\n"), "3.34.5");
    EXPECT_EQ(qgis_version_from_output("QGIS 3.40.4-Bratislava 'Bratislava' (8ae6e4c3b1)\n"),
              "3.40.4");
    EXPECT_EQ(qgis_version_from_output("QGIS 3.99.0-Master 'Master' (abc)\r\n"), "3.99.0");
    EXPECT_EQ(qgis_version_from_output("QGIS 4.0.0\n"), "4.0.0");
}

TEST(QgisProgram, RefusesWhatIsNoQgisVersion) {
    EXPECT_FALSE(qgis_version_from_output(""));
    EXPECT_FALSE(qgis_version_from_output("qgis: cannot connect to X server\n"));
    EXPECT_FALSE(qgis_version_from_output("QGIS -Prizren\n"));
    EXPECT_FALSE(qgis_version_from_output("QGIS next-release\n"));
}

/// PATH holds only a folder with the given `qgis` script for the life of the object.
class FakeQgisOnPath {
public:
    explicit FakeQgisOnPath(const std::string& script) {
        dir_ = fs::temp_directory_path() / ("qplug-test-qgis-" + std::to_string(::getpid()));
        fs::create_directories(dir_);
        if (!script.empty()) {
            const fs::path program = dir_ / "qgis";
            std::ofstream(program) << "#!/bin/sh\n" << script << '\n';
            fs::permissions(program, fs::perms::owner_all, fs::perm_options::add);
        }
        if (const char* old = std::getenv("PATH")) {
            old_path_ = old;
        }
        ::setenv("PATH", dir_.c_str(), 1);
    }
    ~FakeQgisOnPath() {
        ::setenv("PATH", old_path_.c_str(), 1);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    FakeQgisOnPath(const FakeQgisOnPath&) = delete;
    FakeQgisOnPath& operator=(const FakeQgisOnPath&) = delete;

private:
    fs::path dir_;
    std::string old_path_;
};

TEST(QgisProgram, AsksTheQgisOnPath) {
    const FakeQgisOnPath fake("echo \"QGIS 3.38.3-Grenoble 'Grenoble' (exported)\"");
    EXPECT_EQ(installed_qgis_version(), "3.38.3");
}

TEST(QgisProgram, NoQgisAFailingOneOrAHangingOneGiveNothing) {
    {
        const FakeQgisOnPath none("");
        EXPECT_FALSE(installed_qgis_version());
    }
    {
        const FakeQgisOnPath failing("echo 'QGIS 3.38.3'; exit 3");
        EXPECT_FALSE(installed_qgis_version());
    }
    {
        // /bin/sleep by its full path: PATH holds only the fake's folder.
        const FakeQgisOnPath hanging("/bin/sleep 30");
        const auto start = std::chrono::steady_clock::now();
        EXPECT_FALSE(installed_qgis_version(300ms));
        EXPECT_LT(std::chrono::steady_clock::now() - start, 20s); // killed, not waited for
    }
}

} // namespace
