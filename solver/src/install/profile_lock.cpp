// ProfileLock: flock on <plugins>/.qplug.lock. flock (not fcntl) because its locks belong to
// the open file description: a second lock in the same process conflicts too, and closing
// an unrelated descriptor of the file does not drop the lock. The file is never deleted
// (deleting a lock file others wait on lets two runs hold "the" lock at once).
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/solver/plugin_install.hpp>

#include "errors.hpp"

namespace qplug::solver {

namespace {

/// The PID the holder wrote, 0 when none is recorded (yet).
long recorded_pid(int fd) {
    char buffer[32] = {};
    const ssize_t n = ::pread(fd, buffer, sizeof buffer - 1, 0);
    if (n <= 0) {
        return 0;
    }
    char* end = nullptr;
    const long pid = std::strtol(buffer, &end, 10);
    return end != buffer && pid > 0 ? pid : 0;
}

std::string describe_wait(std::chrono::milliseconds wait) {
    if (wait.count() == 0) {
        return "did not wait";
    }
    if (wait.count() % 1000 == 0) {
        return fmt::format("waited {} s", wait.count() / 1000);
    }
    return fmt::format("waited {} ms", wait.count());
}

bool same_file(int fd, const std::filesystem::path& path) {
    struct stat by_fd {};
    struct stat by_path {};
    return ::fstat(fd, &by_fd) == 0 && ::lstat(path.c_str(), &by_path) == 0 &&
           by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

} // namespace

Expected<ProfileLock> ProfileLock::acquire(const std::filesystem::path& plugins_dir,
                                           std::chrono::milliseconds wait) {
    std::error_code ec;
    std::filesystem::create_directories(plugins_dir, ec);
    if (ec || !std::filesystem::is_directory(plugins_dir, ec)) {
        return io_failure(fmt::format("{}: cannot create the plugins folder: {}",
                                      plugins_dir.string(),
                                      ec ? ec.message() : std::string("not a directory")));
    }
    const std::filesystem::path path = plugins_dir / kFileName;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    auto pause = std::chrono::milliseconds(10);
    while (true) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) {
            return io_failure(fmt::format("{}: cannot open the lock file: {}", path.string(),
                                          std::strerror(errno)));
        }
        int rc = 0;
        do {
            rc = ::flock(fd, LOCK_EX | LOCK_NB);
        } while (rc != 0 && errno == EINTR);
        if (rc == 0) {
            if (!same_file(fd, path)) {
                ::close(fd); // the file was deleted or replaced meanwhile: lock the new one
                continue;
            }
            const std::string pid = fmt::format("{}\n", ::getpid());
            if (::ftruncate(fd, 0) != 0 ||
                ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
                // Only the holder's name is lost; the lock itself is held.
            }
            return ProfileLock(plugins_dir, fd);
        }
        if (errno != EWOULDBLOCK) {
            const int saved = errno;
            ::close(fd);
            return io_failure(
                fmt::format("{}: cannot lock: {}", path.string(), std::strerror(saved)));
        }
        const auto now = std::chrono::steady_clock::now();
        if (now >= deadline) {
            const long pid = recorded_pid(fd);
            ::close(fd);
            std::string holder = "its PID is not recorded";
            if (pid == static_cast<long>(::getpid())) {
                holder = fmt::format("PID {}, this process itself: pass its ProfileLock", pid);
            } else if (pid != 0) {
                holder = fmt::format("PID {}", pid);
            }
            return failure(fmt::format(
                "the plugins folder {} is in use by another qplug run ({}); {} (lock file {})",
                plugins_dir.string(), holder, describe_wait(wait), path.string()));
        }
        ::close(fd);
        std::this_thread::sleep_for(
            std::min<std::chrono::steady_clock::duration>(pause, deadline - now));
        pause = std::min(pause * 2, std::chrono::milliseconds(200));
    }
}

ProfileLock::ProfileLock(ProfileLock&& other) noexcept
    : plugins_dir_(std::move(other.plugins_dir_)), fd_(other.fd_) {
    other.fd_ = -1;
}

ProfileLock& ProfileLock::operator=(ProfileLock&& other) noexcept {
    if (this != &other) {
        release();
        plugins_dir_ = std::move(other.plugins_dir_);
        fd_ = other.fd_;
        other.fd_ = -1;
    }
    return *this;
}

ProfileLock::~ProfileLock() {
    release();
}

void ProfileLock::release() noexcept {
    if (fd_ >= 0) {
        // Forget the PID first so that nobody is named as the holder after we are gone.
        if (::ftruncate(fd_, 0) != 0) {
            // harmless: the next holder overwrites it
        }
        ::close(fd_); // drops the flock
        fd_ = -1;
    }
}

} // namespace qplug::solver
