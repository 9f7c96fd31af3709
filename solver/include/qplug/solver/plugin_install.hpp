// Installing, replacing and removing QGIS plugin folders (the "legacy" backend) so that a
// failure at any point leaves the plugins folder exactly as it was, and concurrent qplug runs
// on one profile wait for each other (docs/install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/meta/diagnostic.hpp>
#include <qplug/solver/download_cache.hpp>
#include <qplug/solver/fetch.hpp>

namespace qplug::solver {

/// An exclusive advisory lock (flock) on `<plugins folder>/.qplug.lock`, held as long as the
/// object lives. flock locks belong to the open file, so a second ProfileLock waits even in
/// the same process. The holder's PID is written into the file so that a waiter can name it.
class ProfileLock {
public:
    /// Creates the plugins folder and the lock file when needed, then waits up to `wait` for
    /// the lock (0: one try). Fails naming the holder's PID when it is recorded.
    static Expected<ProfileLock> acquire(const std::filesystem::path& plugins_dir,
                                         std::chrono::milliseconds wait);

    ProfileLock(ProfileLock&& other) noexcept;
    ProfileLock& operator=(ProfileLock&& other) noexcept;
    ProfileLock(const ProfileLock&) = delete;
    ProfileLock& operator=(const ProfileLock&) = delete;
    ~ProfileLock();

    const std::filesystem::path& plugins_dir() const { return plugins_dir_; }
    /// Releases the lock early (the destructor does it otherwise).
    void release() noexcept;

    static constexpr const char* kFileName = ".qplug.lock";

private:
    ProfileLock(std::filesystem::path plugins_dir, int fd)
        : plugins_dir_(std::move(plugins_dir)), fd_(fd) {}
    std::filesystem::path plugins_dir_;
    int fd_ = -1;
};

/// One change to the plugins folder, as the resolver plans it.
struct InstallStep {
    enum Action { install, upgrade, downgrade, remove };
    Action action = install;
    std::string key;                   ///< the plugin folder (plugins.xml's key, QGIS's plugin id)
    std::string version;               ///< the version being installed (or removed), for reports
    std::string download_url;          ///< http(s), file: URL or path; unused for remove
    std::string file_name;             ///< as published; names the download in messages
    std::optional<std::uint64_t> size; ///< checked when known
    std::string hash;                  ///< "sha256:<hex>", "md5:<hex>" or "" (unknown)
    /// "user:password" for the download ("" for none; a URL's own userinfo also works).
    std::string credentials;
    /// The package is a wheel holding the plugin (its one module is the plugin folder; its
    /// .dist-info is left out): docs/install.md, "Plugins from wheels".
    bool wheel = false;
    /// The package is a conda package (.conda, .tar.bz2) holding the plugin: its module folder
    /// under site-packages is packed as a plugin ZIP, then checked and extracted as one
    /// (docs/install.md, "Plugins from conda packages").
    bool conda = false;
};

std::string_view action_name(InstallStep::Action action);

struct InstallOptions {
    /// Download, verify, check and extract into the temporary area, report, and change
    /// nothing (the lock file aside); an interrupted earlier run is reported, not recovered.
    bool dry_run = false;
    /// How long to wait for another qplug run on the same profile.
    std::chrono::milliseconds lock_wait = std::chrono::seconds(30);
    /// Where downloads are found and kept (a resolution that read a ZIP already fetched it);
    /// nullptr: fetched for this run only.
    DownloadCache* downloads = nullptr;
    /// Download progress: (step index, bytes so far, total or 0 when unknown).
    std::function<void(std::size_t step, std::uint64_t done, std::uint64_t total)> progress;
    /// Checked during downloads, after each staged step and once more before the swap (the
    /// commit point): when raised, the run stops with a `cancelled` error and the plugins
    /// folder is as it was. Once the swap has begun the run completes.
    const Cancellation* cancel = nullptr;
};

/// What happened to one step (or would happen, in a dry run).
struct StepReport {
    InstallStep::Action action = InstallStep::install;
    std::string key;
    std::string version;          ///< as planned
    std::string package_version;  ///< what the package's metadata.txt says ("" for remove)
    std::string previous_version; ///< of the folder replaced or removed ("" when none/unread)
    bool replaced = false;        ///< an existing folder was replaced or removed
    bool applied = false;         ///< false in a dry run
    std::string path;             ///< the plugin folder
    std::uint64_t download_size = 0;
    std::string sha256;             ///< of the download ("" for remove)
    std::size_t files = 0;          ///< files extracted
    meta::Diagnostics warnings;     ///< findings of the package checks below error
    std::vector<std::string> notes; ///< entries left out, a version the index did not say ...
};

/// What recovering interrupted runs did.
struct RecoveryReport {
    struct Area {
        enum class Outcome {
            removed,     ///< no journal: the run died before changing anything
            rolled_back, ///< the plugins folder was put back as it was before that run
            finished,    ///< that run had committed: only its backups were left to delete
        };
        std::string path; ///< the temporary folder found
        Outcome outcome = Outcome::removed;
        std::vector<std::string> keys; ///< plugin folders put back (rolled_back)
    };
    std::vector<Area> areas;
    std::vector<std::string> notes; ///< e.g. a recovered area that could not be deleted
};

struct InstallReport {
    bool dry_run = false;
    std::vector<StepReport> steps;
    RecoveryReport recovery;        ///< interrupted runs recovered first
    std::vector<std::string> notes; ///< e.g. a temporary folder that could not be deleted
};

/// Applies the steps as one all-or-nothing change under the profile's lock: every download
/// is verified, checked and unpacked into `<plugins>/.qplug-tmp-XXXXXX` first; then the
/// folders are swapped by renames recorded in a journal. On any failure everything this call
/// did is undone and an Error says what failed (package check findings by rule id).
/// Interrupted runs of dead processes are recovered first (recover_interrupted).
Expected<InstallReport> apply_plugin_steps(const std::filesystem::path& plugins_dir,
                                           const std::vector<InstallStep>& steps, Fetcher& fetcher,
                                           const InstallOptions& options = {});
/// The same with a lock the caller already holds (e.g. across reading the installed state,
/// solving and applying); options.lock_wait is unused.
Expected<InstallReport> apply_plugin_steps(const ProfileLock& lock,
                                           const std::vector<InstallStep>& steps, Fetcher& fetcher,
                                           const InstallOptions& options = {});

/// Finishes or rolls back what a killed run left in the plugins folder: a run that had
/// committed is finished (its backups deleted), any other is rolled back, so that no plugin
/// is lost. Fails, leaving the temporary folder in place, when the folder was changed in a
/// way the journal cannot explain.
Expected<RecoveryReport>
recover_interrupted(const std::filesystem::path& plugins_dir,
                    std::chrono::milliseconds lock_wait = std::chrono::seconds(30));
Expected<RecoveryReport> recover_interrupted(const ProfileLock& lock);

} // namespace qplug::solver
