// SPDX-License-Identifier: GPL-2.0-or-later
#include "formats/settings_file.hpp"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <fmt/format.h>

#include "errors.hpp"

namespace qplug::solver {

namespace fs = std::filesystem;

namespace {

/// QLockFile's default stale lock time.
constexpr auto kStaleAfter = std::chrono::seconds(30);

std::string first_line_of(const char* path) {
    std::ifstream in(path);
    std::string line;
    std::getline(in, line);
    return line;
}

std::string host_name() {
    char buffer[256] = {};
    if (::gethostname(buffer, sizeof buffer - 1) != 0) {
        return "";
    }
    return buffer;
}

/// What QLockFile's processNameByPid finds for a process: its executable's file name.
std::string process_name(long pid) {
    std::error_code ec;
    const fs::path exe = fs::read_symlink(fmt::format("/proc/{}/exe", pid), ec);
    return ec ? std::string() : exe.filename().string();
}

std::string lock_contents() {
    const long pid = static_cast<long>(::getpid());
    return fmt::format("{}\n{}\n{}\n{}\n{}\n", pid, process_name(pid), host_name(),
                       first_line_of("/etc/machine-id"),
                       first_line_of("/proc/sys/kernel/random/boot_id"));
}

struct LockInfo {
    long pid = 0;
    std::string app;
    std::string host;
    std::string machine;
};

/// The holder as the lock file names it; nullopt when the file cannot be read (gone).
std::optional<LockInfo> read_lock(const fs::path& path) {
    std::ifstream in(path);
    if (!in) {
        return std::nullopt;
    }
    LockInfo info;
    std::string pid;
    std::getline(in, pid);
    std::getline(in, info.app);
    std::getline(in, info.host);
    std::getline(in, info.machine);
    info.pid = std::strtol(pid.c_str(), nullptr, 10);
    return info;
}

/// QLockFile's isApparentlyStale: on this machine, a holder that no longer runs (or whose PID
/// now runs another program); anywhere, a lock file older than the stale time.
bool is_stale(const fs::path& path, const LockInfo& info) {
    const std::string machine = first_line_of("/etc/machine-id");
    const bool same_host = (info.host.empty() || info.host == host_name()) &&
                           (info.machine.empty() || info.machine == machine);
    if (same_host && info.pid > 0) {
        const bool running = ::kill(static_cast<pid_t>(info.pid), 0) == 0 || errno == EPERM;
        if (!running || (!info.app.empty() && process_name(info.pid) != info.app &&
                         !process_name(info.pid).empty())) {
            return true;
        }
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return false;
    }
    const auto age = std::chrono::seconds(std::time(nullptr) - st.st_mtime);
    return age > kStaleAfter || age < -kStaleAfter;
}

/// QLockFile's removeStaleLock: only when no one holds its flock.
void remove_stale(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
        ::unlink(path.c_str());
    }
    ::close(fd);
}

Error io_error(const fs::path& path, std::string_view what) {
    return io_failure(fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno)));
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

/// The process's umask, without changing it (Linux reports it in /proc/self/status).
mode_t current_umask() {
    std::ifstream in("/proc/self/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("Umask:", 0) == 0) {
            return static_cast<mode_t>(std::strtol(line.c_str() + 6, nullptr, 8));
        }
    }
    return 022;
}

} // namespace

Expected<QtLockFile> QtLockFile::acquire(const fs::path& path, std::chrono::milliseconds wait) {
    const auto deadline = std::chrono::steady_clock::now() + wait;
    auto pause = std::chrono::milliseconds(5);
    while (true) {
        const int fd =
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd >= 0) {
            if (::flock(fd, LOCK_EX | LOCK_NB) != 0 || !write_all(fd, lock_contents())) {
                Error e = io_error(path, "cannot write the lock file");
                ::unlink(path.c_str());
                ::close(fd);
                return e;
            }
            return QtLockFile(path, fd);
        }
        if (errno != EEXIST) {
            return io_error(path, "cannot create the lock file");
        }
        const auto info = read_lock(path);
        if (info && is_stale(path, *info)) {
            remove_stale(path);
            continue;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return failure(fmt::format("{}: the settings are locked by {} (PID {}); waited {} ms",
                                       path.string(),
                                       info && !info->app.empty() ? info->app : "another program",
                                       info ? info->pid : 0, wait.count()));
        }
        std::this_thread::sleep_for(pause);
        pause = std::min(pause * 2, std::chrono::milliseconds(100));
    }
}

QtLockFile::QtLockFile(QtLockFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)) {}

QtLockFile& QtLockFile::operator=(QtLockFile&& other) noexcept {
    if (this != &other) {
        release();
        path_ = std::move(other.path_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

QtLockFile::~QtLockFile() {
    release();
}

void QtLockFile::release() noexcept {
    if (fd_ >= 0) {
        ::unlink(path_.c_str()); // while the flock still keeps others from judging it stale
        ::close(fd_);
        fd_ = -1;
    }
}

Expected<void> replace_file_atomically(const fs::path& path, std::string_view contents) {
    std::error_code ec;
    fs::path target = path;
    struct stat old {};
    bool exists = ::stat(path.c_str(), &old) == 0;
    if (exists && fs::is_symlink(path, ec)) {
        target = fs::canonical(path, ec);
        if (ec) {
            return io_failure(
                fmt::format("{}: cannot follow the link: {}", path.string(), ec.message()));
        }
    }
    if (exists && !S_ISREG(old.st_mode)) {
        return failure(fmt::format("{}: not a regular file", target.string()));
    }
    std::string name = target.string() + ".qplug-XXXXXX";
    std::vector<char> buffer(name.begin(), name.end());
    buffer.push_back('\0');
    const int fd = ::mkostemp(buffer.data(), O_CLOEXEC);
    if (fd < 0) {
        return io_error(target.parent_path(), "cannot create a temporary file");
    }
    const fs::path temporary(buffer.data());
    const auto fail = [&](std::string_view what) {
        Error e = io_error(temporary, what);
        ::close(fd);
        ::unlink(temporary.c_str());
        return e;
    };
    if (!write_all(fd, contents)) {
        return fail("cannot write");
    }
    const mode_t mode = exists ? (old.st_mode & 07777) : (0666 & ~current_umask());
    if (::fchmod(fd, mode) != 0) {
        return fail("cannot set the permissions");
    }
    if (exists) {
        struct stat now {};
        if (::fstat(fd, &now) == 0 && (now.st_uid != old.st_uid || now.st_gid != old.st_gid)) {
            // Best effort, as QSaveFile: only root may give a file away.
            (void)::fchown(fd, old.st_uid, old.st_gid);
        }
    }
    if (::fsync(fd) != 0) {
        return fail("cannot sync");
    }
    if (::close(fd) != 0) {
        Error e = io_error(temporary, "cannot close");
        ::unlink(temporary.c_str());
        return e;
    }
    if (::rename(temporary.c_str(), target.c_str()) != 0) {
        Error e = io_error(target, "cannot replace");
        ::unlink(temporary.c_str());
        return e;
    }
    const int dir = ::open(target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        (void)::fsync(dir); // the new name is durable
        ::close(dir);
    }
    return {};
}

} // namespace qplug::solver
