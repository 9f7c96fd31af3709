// What the resolving commands share: the policy options, the lock file, reading requests,
// printing a plan or an explanation.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include <qplug/solver/resolve.hpp>

#include "index_access.hpp"

namespace qplug::cli {

struct ResolveOptions : IndexOptions {
    std::vector<std::string> requests;
    std::string qgis;
    std::string python = "3.11";
    std::string platform = "linux";
    bool allow_experimental = false;
    std::vector<std::string> experimental_for;
    bool allow_deprecated = false;
    bool allow_downgrade = false;
    bool allow_uninstall = false;
    std::string exclude_newer;
    std::vector<std::string> pins; ///< "target spec" or "target<spec" as requests are written
    bool proof = false;
    std::string lock_file;
    bool locked = false;
    bool frozen = false;
    bool offline = false;

    solver::Policy policy() const;
    bool is_offline() const { return offline || frozen; }
    bool is_locked() const { return locked || frozen; }
};

/// --qgis, --python, --allow-*, --exclude-newer, --pin, --proof, --lock-file, --locked ...
void add_resolve_options(CLI::App* cmd, ResolveOptions& options, bool with_lock);

/// The QGIS version to resolve for: --qgis, else $QPLUG_QGIS_VERSION, else the version of a
/// `qgis` program on PATH (`qgis --version`), else the default (docs/resolve.md).
std::string detect_qgis_version(const std::string& given, std::vector<std::string>* notes);

/// Parses requests written on the command line; an error names the request.
Expected<std::vector<solver::Request>> parse_requests(const std::vector<std::string>& texts,
                                                      solver::Request::Action action);

/// The plan as text (stdout), or the explanation (stderr); the exit code (0 solved, 1 not).
int print_resolution(const solver::Resolution& resolution, const ResolveOptions& options,
                     const std::string& qgis_version);

// --- lock files (docs/resolve.md, "Lock files") ---------------------------------------------

struct LockedPackage {
    solver::Backend backend = solver::Backend::legacy;
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
Expected<void> write_lock_file(const std::string& path, const LockFile& lock);
/// The packages of the installation a resolution leads to (what a lock file records).
std::vector<LockedPackage> resulting_packages(const solver::Resolution& resolution);

} // namespace qplug::cli
