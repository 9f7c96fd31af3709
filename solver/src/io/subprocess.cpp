// Subprocesses for the pip and conda backends (subprocess.hpp, docs/env-install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#include "io/subprocess.hpp"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <system_error>
#include <unistd.h>
#include <utility>

#include <fmt/format.h>

#include "errors.hpp"
#include "io/system_text.hpp"

extern "C" char** environ; // NOLINT(readability-redundant-declaration)

namespace qplug::solver::detail {
namespace {

using Clock = std::chrono::steady_clock;

/// A file descriptor closed on destruction.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~Fd() { reset(); }
    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset() noexcept {
        if (fd_ >= 0) {
            ::close(fd_);
            fd_ = -1;
        }
    }

private:
    int fd_ = -1;
};

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return; // a log that cannot be written must not stop the command
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

std::string last_lines(std::string_view text, std::size_t count) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    if (count == 0) {
        return {};
    }
    std::size_t pos = text.size();
    for (std::size_t i = 0; i < count; ++i) {
        const std::size_t nl = pos == 0 ? std::string_view::npos : text.rfind('\n', pos - 1);
        if (nl == std::string_view::npos) {
            return std::string(text);
        }
        pos = nl;
    }
    return std::string(text.substr(pos + 1));
}

/// RAII for posix_spawn's attribute and file action objects.
struct SpawnSetup {
    posix_spawnattr_t attr{};
    posix_spawn_file_actions_t actions{};
    bool attr_ok = false;
    bool actions_ok = false;
    SpawnSetup() {
        attr_ok = posix_spawnattr_init(&attr) == 0;
        actions_ok = posix_spawn_file_actions_init(&actions) == 0;
    }
    SpawnSetup(const SpawnSetup&) = delete;
    SpawnSetup& operator=(const SpawnSetup&) = delete;
    ~SpawnSetup() {
        if (attr_ok) {
            posix_spawnattr_destroy(&attr);
        }
        if (actions_ok) {
            posix_spawn_file_actions_destroy(&actions);
        }
    }
};

bool shell_safe(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::strchr("_@%+=:,./-", c) != nullptr;
}

} // namespace

std::string RunResult::status() const {
    std::string text;
    if (timed_out) {
        text = fmt::format("timed out after {:.1f} s", static_cast<double>(elapsed.count()) / 1e3);
        if (!exited) {
            text += " (killed)";
        }
        return text;
    }
    if (status_lost) {
        return "exit status unknown (this process ignores SIGCHLD)";
    }
    if (exited) {
        return fmt::format("exit code {}", exit_code);
    }
    const char* name = strsignal(signal);
    return fmt::format("killed by signal {} ({})", signal, name != nullptr ? name : "?");
}

std::string display_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const std::string& arg : argv) {
        if (!out.empty()) {
            out += ' ';
        }
        if (!arg.empty() && std::all_of(arg.begin(), arg.end(), shell_safe)) {
            out += arg;
            continue;
        }
        out += '\'';
        for (const char c : arg) {
            if (c == '\'') {
                out += "'\\''";
            } else {
                out += c;
            }
        }
        out += '\'';
    }
    return out;
}

std::string describe_failure(std::string_view what, const std::vector<std::string>& argv,
                             const RunResult& result, const std::filesystem::path& log_file) {
    std::string text =
        fmt::format("{} failed ({}): {}", what, result.status(), display_command(argv));
    if (!result.tail.empty()) {
        text += "\nlast lines of output:";
        std::string_view rest = result.tail;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            text += "\n  ";
            text += rest.substr(0, nl);
            if (nl == std::string_view::npos) {
                break;
            }
            rest.remove_prefix(nl + 1);
        }
    }
    if (!log_file.empty()) {
        text += "\nfull output in " + log_file.string();
    }
    return text;
}

Expected<RunResult> run(const std::vector<std::string>& argv, const RunOptions& options) {
    if (argv.empty() || argv.front().empty()) {
        return failure("cannot run an empty command");
    }
    const std::string command = display_command(argv);

    Fd log;
    if (!options.log_file.empty()) {
        std::error_code ec;
        const auto parent = options.log_file.parent_path();
        if (!parent.empty()) {
            std::filesystem::create_directories(parent, ec);
        }
        log = Fd(::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        if (!log) {
            return io_failure(fmt::format("cannot open the log file '{}': {}",
                                          options.log_file.string(), errno_text(errno)));
        }
    }

    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        return io_failure("cannot create a pipe: " + errno_text(errno));
    }
    Fd out_read(out_pipe[0]);
    Fd out_write(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        return io_failure("cannot create a pipe: " + errno_text(errno));
    }
    Fd err_read(err_pipe[0]);
    Fd err_write(err_pipe[1]);

    SpawnSetup setup;
    if (!setup.attr_ok || !setup.actions_ok) {
        return failure("cannot prepare to run " + command);
    }
    // Its own process group (so that a timeout can kill everything it started), no blocked
    // signals, and default dispositions for the signals a caller may have changed.
    sigset_t mask;
    sigemptyset(&mask);
    sigset_t defaults;
    sigemptyset(&defaults);
    for (const int sig :
         {SIGPIPE, SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGCHLD, SIGALRM, SIGUSR1, SIGUSR2}) {
        sigaddset(&defaults, sig);
    }
    int rc = posix_spawnattr_setflags(
        &setup.attr,
        static_cast<short>(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    rc = rc != 0 ? rc : posix_spawnattr_setpgroup(&setup.attr, 0);
    rc = rc != 0 ? rc : posix_spawnattr_setsigmask(&setup.attr, &mask);
    rc = rc != 0 ? rc : posix_spawnattr_setsigdefault(&setup.attr, &defaults);
    rc = rc != 0 ? rc
                 : posix_spawn_file_actions_addopen(&setup.actions, 0, "/dev/null", O_RDONLY, 0);
    rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&setup.actions, out_write.get(), 1);
    rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&setup.actions, err_write.get(), 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Descriptors other threads or libraries opened without O_CLOEXEC stay with us.
    rc = rc != 0 ? rc : posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
#endif
    const std::string cwd = options.working_directory.string();
    if (!cwd.empty()) {
        rc = rc != 0 ? rc : posix_spawn_file_actions_addchdir_np(&setup.actions, cwd.c_str());
    }
    if (rc != 0) {
        return io_failure(fmt::format("cannot prepare to run {}: {}", command, errno_text(rc)));
    }

    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);

    if (log) {
        write_all(log.get(),
                  fmt::format("==== {} qplug: {}{}\n$ {}\n", utc_now(),
                              options.label.empty() ? std::string("run") : options.label,
                              options.timeout.count() > 0
                                  ? fmt::format(" (timeout {} s)",
                                                static_cast<double>(options.timeout.count()) / 1e3)
                                  : std::string(),
                              command));
    }

    const auto start = Clock::now();
    pid_t pid = -1;
    rc = posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
    if (rc != 0) {
        const std::string message =
            fmt::format("cannot run '{}': {}", argv.front(), errno_text(rc));
        if (log) {
            write_all(log.get(), "==== " + message + "\n");
        }
        return failure(message + " (command: " + command + ")");
    }
    out_write.reset();
    err_write.reset();

    RunResult result;
    std::string recent; // the end of the combined output, for `tail`
    const auto keep_recent = [&recent](std::string_view chunk) {
        recent.append(chunk);
        constexpr std::size_t kMax = 64 * 1024;
        if (recent.size() > kMax) {
            recent.erase(0, recent.size() - kMax / 2);
        }
    };

    const bool has_deadline = options.timeout.count() > 0;
    const auto deadline = start + options.timeout;
    std::optional<Clock::time_point> kill_at;     // SIGKILL after SIGTERM
    std::optional<Clock::time_point> drain_until; // after the child exited
    bool reaped = false;
    bool stragglers = false;
    int status = 0;
    char buffer[65536];

    while (true) {
        if (!reaped) {
            const pid_t w = ::waitpid(pid, &status, WNOHANG);
            if (w == pid || (w < 0 && errno != EINTR)) {
                result.status_lost = w != pid;
                reaped = true;
                drain_until = Clock::now() + std::chrono::seconds(2);
                if (result.timed_out) {
                    ::kill(-pid, SIGKILL); // whatever else of the group still runs
                }
            }
        }
        const bool pipes_open = out_read || err_read;
        if (reaped && !pipes_open) {
            break;
        }
        const auto now = Clock::now();
        if (!reaped && has_deadline && !result.timed_out && now >= deadline) {
            result.timed_out = true;
            ::kill(-pid, SIGTERM);
            kill_at = now + options.kill_grace;
        }
        if (!reaped && kill_at && now >= *kill_at) {
            ::kill(-pid, SIGKILL);
            kill_at.reset();
        }
        if (reaped && drain_until && now >= *drain_until) {
            // The command ended but something it started still holds its output open.
            stragglers = true;
            ::kill(-pid, SIGKILL);
            break;
        }

        auto wait = std::chrono::milliseconds(100);
        if (!reaped && has_deadline && !result.timed_out) {
            wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(
                                      std::max(deadline - now, Clock::duration::zero())));
        }
        if (!pipes_open) {
            wait = std::min(wait, std::chrono::milliseconds(10));
        }
        pollfd fds[2];
        nfds_t count = 0;
        if (out_read) {
            fds[count++] = pollfd{out_read.get(), POLLIN, 0};
        }
        if (err_read) {
            fds[count++] = pollfd{err_read.get(), POLLIN, 0};
        }
        const int ready = ::poll(count > 0 ? fds : nullptr, count, static_cast<int>(wait.count()));
        if (ready < 0 && errno != EINTR) {
            return io_failure("cannot wait for " + command + ": " + errno_text(errno));
        }
        for (nfds_t i = 0; ready > 0 && i < count; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            const bool is_out = fds[i].fd == out_read.get();
            const ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            if (n <= 0) {
                (is_out ? out_read : err_read).reset();
                continue;
            }
            const std::string_view chunk(buffer, static_cast<std::size_t>(n));
            if (log) {
                write_all(log.get(), chunk);
            }
            keep_recent(chunk);
            if (is_out && options.capture_stdout) {
                const std::size_t room = options.max_stdout - result.out.size();
                if (chunk.size() > room) {
                    result.stdout_truncated = true;
                }
                result.out.append(chunk.substr(0, std::min(room, chunk.size())));
            }
        }
    }

    if (!reaped) {
        pid_t w = -1;
        while ((w = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
        }
        result.status_lost = w != pid;
    }
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (result.status_lost) {
        // nothing known
    } else if (WIFEXITED(status)) {
        result.exited = true;
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
    result.tail = last_lines(recent, options.tail_lines);
    if (log) {
        std::string footer = (recent.empty() || recent.back() == '\n' ? "" : "\n");
        footer += "==== " + result.status();
        if (!result.timed_out) {
            footer +=
                fmt::format(" after {:.2f} s", static_cast<double>(result.elapsed.count()) / 1e3);
        }
        if (stragglers) {
            footer += "; processes it started still held its output and were killed";
        }
        write_all(log.get(), footer + "\n");
    }
    return result;
}

} // namespace qplug::solver::detail
