// Lock files: the requests and the exact installation they resolved to, so that another
// machine (or a later run) gets the same plugins and packages (docs/resolve.md, "Lock
// files").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/resolve.hpp>

namespace qplug::solver {

struct LockedPackage {
    Backend backend = Backend::legacy;
    std::string name;
    std::string display_name;
    std::string version;
    std::string repository;
    std::string download_url;
    std::string hash;
};

struct LockFile {
    static constexpr int kVersion = 1;
    std::string qgis;
    std::string python;
    std::string platform;
    std::vector<std::string> requests;
    std::vector<LockedPackage> packages;
};

Expected<LockFile> read_lock_file(const std::string& path);
/// The lock file's text (a JSON object: lock_version, generated_by, qgis, python, platform,
/// requests, packages).
std::string lock_file_json(const LockFile& lock);
/// Written beside and renamed into place: a reader never sees half a lock file.
Expected<void> write_lock_file(const std::string& path, const LockFile& lock);
/// The packages of the installation a resolution leads to (what a lock file records).
std::vector<LockedPackage> resulting_packages(const Resolution& resolution);

} // namespace qplug::solver
