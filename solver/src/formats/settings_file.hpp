// Writing a settings file that another program (QGIS, through QSettings) reads and writes too:
// QLockFile's lock protocol, and an atomic replacement that keeps the file's permissions.
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <string_view>

#include <qplug/expected.hpp>

namespace qplug::solver {

/// A lock file as Qt's QLockFile makes it (QSettings locks "<file>.lock" while it reads and
/// writes a settings file, QGIS3.ini.lock for QGIS): created with O_EXCL, holding
/// "PID\nAPP\nHOST\nMACHINE-ID\nBOOT-ID\n", flock'ed so that no QLockFile removes it as stale,
/// deleted when released. A lock file whose process is gone (same machine) or that is older
/// than 30 s (QLockFile's default stale time) is stale and removed, as QLockFile does.
class QtLockFile {
public:
    static Expected<QtLockFile> acquire(const std::filesystem::path& path,
                                        std::chrono::milliseconds wait);
    QtLockFile(QtLockFile&& other) noexcept;
    QtLockFile& operator=(QtLockFile&& other) noexcept;
    QtLockFile(const QtLockFile&) = delete;
    QtLockFile& operator=(const QtLockFile&) = delete;
    ~QtLockFile();

private:
    QtLockFile(std::filesystem::path path, int fd) : path_(std::move(path)), fd_(fd) {}
    void release() noexcept;
    std::filesystem::path path_;
    int fd_ = -1;
};

/// Replaces `path` (a symbolic link: the file it points to) with `contents`: a temporary file
/// in the same folder is written and synced, gets the old file's mode and owner (a new file:
/// 0666 less the umask), and is renamed over the file; then the folder is synced. A reader
/// sees the old or the new file, never a mix; a failure leaves the old file.
Expected<void> replace_file_atomically(const std::filesystem::path& path,
                                       std::string_view contents);

} // namespace qplug::solver
