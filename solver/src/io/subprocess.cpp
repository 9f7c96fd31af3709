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

namespace {

/// The log file of a run, opened for appending (its folder made first); none when not asked.
Expected<Fd> open_log(const RunOptions& options) {
    if (options.log_file.empty()) {
        return Fd();
    }
    std::error_code ec;
    const auto parent = options.log_file.parent_path();
    if (!parent.empty()) {
        std::filesystem::create_directories(parent, ec);
    }
    Fd log(::open(options.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
    if (!log) {
        return io_failure(fmt::format("cannot open the log file '{}': {}",
                                      options.log_file.string(), errno_text(errno)));
    }
    return log;
}

struct Pipe {
    Fd read, write;
};

Expected<Pipe> make_pipe() {
    int ends[2] = {-1, -1};
    if (::pipe2(ends, O_CLOEXEC) != 0) {
        return io_failure("cannot create a pipe: " + errno_text(errno));
    }
    return Pipe{Fd(ends[0]), Fd(ends[1])};
}

/// Its own process group (so that a timeout can kill everything it started), no blocked
/// signals, default dispositions for the signals a caller may have changed, stdin from
/// /dev/null, stdout and stderr into the pipes. Returns posix_spawn's error number, or 0.
int configure_spawn(SpawnSetup& setup, const Pipe& out, const Pipe& err, const std::string& cwd) {
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
    rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&setup.actions, out.write.get(), 1);
    rc = rc != 0 ? rc : posix_spawn_file_actions_adddup2(&setup.actions, err.write.get(), 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Descriptors other threads or libraries opened without O_CLOEXEC stay with us.
    rc = rc != 0 ? rc : posix_spawn_file_actions_addclosefrom_np(&setup.actions, 3);
#endif
    if (!cwd.empty()) {
        rc = rc != 0 ? rc : posix_spawn_file_actions_addchdir_np(&setup.actions, cwd.c_str());
    }
    return rc;
}

std::string log_header(const RunOptions& options, const std::string& command) {
    return fmt::format(
        "==== {} qplug: {}{}\n$ {}\n", utc_now(),
        options.label.empty() ? std::string("run") : options.label,
        options.timeout.count() > 0
            ? fmt::format(" (timeout {} s)", static_cast<double>(options.timeout.count()) / 1e3)
            : std::string(),
        command);
}

/// Watches a started command: reads its output as it comes, enforces the timeout (SIGTERM to
/// the group, SIGKILL after the grace period), reaps it, and drains what it left in the pipes.
class Supervisor {
public:
    Supervisor(pid_t pid, Pipe out, Pipe err, int log, const RunOptions& options,
               Clock::time_point start)
        : pid_(pid), out_(std::move(out.read)), err_(std::move(err.read)), log_(log),
          options_(options), deadline_(start + options.timeout),
          has_deadline_(options.timeout.count() > 0) {}

    /// Runs until the command ended and its output is read; fails only when poll() does.
    Expected<void> watch(RunResult& result, const std::string& command) {
        while (true) {
            reap_if_ended(result);
            const bool pipes_open = out_ || err_;
            if (reaped_ && !pipes_open) {
                return {};
            }
            const auto now = Clock::now();
            enforce_deadline(result, now);
            if (reaped_ && drain_until_ && now >= *drain_until_) {
                // The command ended but something it started still holds its output open.
                stragglers_ = true;
                ::kill(-pid_, SIGKILL);
                return {};
            }
            if (auto r = read_ready(result, wait_time(result, now, pipes_open)); !r) {
                return io_failure("cannot wait for " + command + ": " + r.error().message);
            }
        }
    }

    /// The exit status, waiting for the command if the loop ended before it did.
    int status(RunResult& result) {
        if (!reaped_) {
            pid_t w = -1;
            while ((w = ::waitpid(pid_, &status_, 0)) < 0 && errno == EINTR) {
            }
            result.status_lost = w != pid_;
        }
        return status_;
    }

    const std::string& recent() const noexcept { return recent_; }
    bool stragglers() const noexcept { return stragglers_; }

private:
    void reap_if_ended(RunResult& result) {
        if (reaped_) {
            return;
        }
        const pid_t w = ::waitpid(pid_, &status_, WNOHANG);
        if (w == pid_ || (w < 0 && errno != EINTR)) {
            result.status_lost = w != pid_;
            reaped_ = true;
            drain_until_ = Clock::now() + std::chrono::seconds(2);
            if (result.timed_out) {
                ::kill(-pid_, SIGKILL); // whatever else of the group still runs
            }
        }
    }

    void enforce_deadline(RunResult& result, Clock::time_point now) {
        if (!reaped_ && has_deadline_ && !result.timed_out && now >= deadline_) {
            result.timed_out = true;
            ::kill(-pid_, SIGTERM);
            kill_at_ = now + options_.kill_grace;
        }
        if (!reaped_ && kill_at_ && now >= *kill_at_) {
            ::kill(-pid_, SIGKILL);
            kill_at_.reset();
        }
    }

    std::chrono::milliseconds wait_time(const RunResult& result, Clock::time_point now,
                                        bool pipes_open) const {
        auto wait = std::chrono::milliseconds(100);
        if (!reaped_ && has_deadline_ && !result.timed_out) {
            wait = std::min(wait, std::chrono::ceil<std::chrono::milliseconds>(
                                      std::max(deadline_ - now, Clock::duration::zero())));
        }
        if (!pipes_open) {
            wait = std::min(wait, std::chrono::milliseconds(10));
        }
        return wait;
    }

    /// One poll() over the open pipes and a read of each that is ready.
    Expected<void> read_ready(RunResult& result, std::chrono::milliseconds wait) {
        pollfd fds[2];
        nfds_t count = 0;
        if (out_) {
            fds[count++] = pollfd{out_.get(), POLLIN, 0};
        }
        if (err_) {
            fds[count++] = pollfd{err_.get(), POLLIN, 0};
        }
        const int ready = ::poll(count > 0 ? fds : nullptr, count, static_cast<int>(wait.count()));
        if (ready < 0 && errno != EINTR) {
            return io_failure(errno_text(errno));
        }
        for (nfds_t i = 0; ready > 0 && i < count; ++i) {
            if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) {
                continue;
            }
            const bool is_out = fds[i].fd == out_.get();
            const ssize_t n = ::read(fds[i].fd, buffer_, sizeof buffer_);
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
                continue;
            }
            if (n <= 0) {
                (is_out ? out_ : err_).reset();
                continue;
            }
            take(result, std::string_view(buffer_, static_cast<std::size_t>(n)), is_out);
        }
        return {};
    }

    void take(RunResult& result, std::string_view chunk, bool is_out) {
        if (log_ >= 0) {
            write_all(log_, chunk);
        }
        recent_.append(chunk); // the end of the combined output, for `tail`
        constexpr std::size_t kMax = 64 * 1024;
        if (recent_.size() > kMax) {
            recent_.erase(0, recent_.size() - kMax / 2);
        }
        if (is_out && options_.capture_stdout) {
            const std::size_t room = options_.max_stdout - result.out.size();
            if (chunk.size() > room) {
                result.stdout_truncated = true;
            }
            result.out.append(chunk.substr(0, std::min(room, chunk.size())));
        }
    }

    pid_t pid_;
    Fd out_, err_;
    int log_;
    const RunOptions& options_;
    Clock::time_point deadline_;
    bool has_deadline_;
    std::optional<Clock::time_point> kill_at_;     // SIGKILL after SIGTERM
    std::optional<Clock::time_point> drain_until_; // after the child exited
    bool reaped_ = false;
    bool stragglers_ = false;
    int status_ = 0;
    std::string recent_;
    char buffer_[65536];
};

void decode_status(int status, RunResult& result) {
    if (result.status_lost) {
        return; // nothing known
    }
    if (WIFEXITED(status)) {
        result.exited = true;
        result.exit_code = WEXITSTATUS(status);
    } else if (WIFSIGNALED(status)) {
        result.signal = WTERMSIG(status);
    }
}

std::string log_footer(const RunResult& result, const std::string& recent, bool stragglers) {
    std::string footer = (recent.empty() || recent.back() == '\n' ? "" : "\n");
    footer += "==== " + result.status();
    if (!result.timed_out) {
        footer += fmt::format(" after {:.2f} s", static_cast<double>(result.elapsed.count()) / 1e3);
    }
    if (stragglers) {
        footer += "; processes it started still held its output and were killed";
    }
    return footer + "\n";
}

} // namespace

Expected<RunResult> run(const std::vector<std::string>& argv, const RunOptions& options) {
    if (argv.empty() || argv.front().empty()) {
        return failure("cannot run an empty command");
    }
    const std::string command = display_command(argv);
    auto log = open_log(options);
    QPLUG_RETURN_IF_ERROR(log);
    auto out = make_pipe();
    QPLUG_RETURN_IF_ERROR(out);
    auto err = make_pipe();
    QPLUG_RETURN_IF_ERROR(err);
    SpawnSetup setup;
    if (!setup.attr_ok || !setup.actions_ok) {
        return failure("cannot prepare to run " + command);
    }
    if (const int rc = configure_spawn(setup, *out, *err, options.working_directory.string());
        rc != 0) {
        return io_failure(fmt::format("cannot prepare to run {}: {}", command, errno_text(rc)));
    }
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    if (*log) {
        write_all(log->get(), log_header(options, command));
    }

    const auto start = Clock::now();
    pid_t pid = -1;
    if (const int rc =
            posix_spawnp(&pid, args[0], &setup.actions, &setup.attr, args.data(), environ);
        rc != 0) {
        const std::string message =
            fmt::format("cannot run '{}': {}", argv.front(), errno_text(rc));
        if (*log) {
            write_all(log->get(), "==== " + message + "\n");
        }
        return failure(message + " (command: " + command + ")");
    }
    out->write.reset(); // the child's ends: end of file once it (and what it started) exits
    err->write.reset();

    RunResult result;
    Supervisor supervisor(pid, std::move(*out), std::move(*err), *log ? log->get() : -1, options,
                          start);
    QPLUG_TRY(supervisor.watch(result, command));
    const int status = supervisor.status(result);
    result.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    decode_status(status, result);
    result.tail = last_lines(supervisor.recent(), options.tail_lines);
    if (*log) {
        write_all(log->get(), log_footer(result, supervisor.recent(), supervisor.stragglers()));
    }
    return result;
}

} // namespace qplug::solver::detail
