// Running a program as a subprocess without a shell: arguments as a vector, stdin from
// /dev/null, stdout and stderr appended to a log file (and kept in memory as far as asked),
// a timeout that kills the whole process group. Used by env_install.cpp (docs/env-install.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver::detail {

struct RunOptions {
    /// Appended to: a header line per command, the output as it comes, a footer line with the
    /// exit status. "" = no log.
    std::filesystem::path log_file;
    /// The child's working directory ("" = the caller's).
    std::filesystem::path working_directory;
    /// From the start of the command; on expiry the process group gets SIGTERM, then SIGKILL
    /// after `kill_grace`. Zero or negative: no timeout.
    std::chrono::milliseconds timeout{0};
    std::chrono::milliseconds kill_grace{2000};
    /// Keep stdout in RunResult::out (up to `max_stdout` bytes; the rest is only logged).
    bool capture_stdout = false;
    std::size_t max_stdout = std::size_t{64} << 20;
    /// How many of the last lines of stdout+stderr RunResult::tail keeps.
    std::size_t tail_lines = 20;
    /// The header line names the command by this ("" = the command line itself).
    std::string label;
};

struct RunResult {
    bool exited = false; ///< ended by exit(): exit_code is set
    int exit_code = -1;  ///< when exited
    int signal = 0;      ///< the signal that ended it, when not exited
    bool timed_out = false;
    /// waitpid could not tell how it ended (the process ignores SIGCHLD, so children are
    /// reaped automatically): never a success.
    bool status_lost = false;
    bool stdout_truncated = false; ///< more than max_stdout bytes: `out` holds the start only
    std::string out;               ///< stdout, when captured
    std::string tail;              ///< the last lines of stdout and stderr, interleaved
    std::chrono::milliseconds elapsed{0};

    bool succeeded() const noexcept { return exited && exit_code == 0 && !timed_out; }
    /// "exit code 1", "killed by signal 9 (Killed)", "timed out after 5 s (killed)".
    std::string status() const;
};

/// Runs argv[0] (looked up in PATH when it has no '/') with argv as its arguments and the
/// caller's environment. Fails only when the command could not be started or the log file
/// could not be opened; a command that fails is a RunResult saying how.
Expected<RunResult> run(const std::vector<std::string>& argv, const RunOptions& options);

/// The command as a POSIX shell would need it quoted, for messages and logs (never run).
std::string display_command(const std::vector<std::string>& argv);

/// "<what> failed: <status>: `<command>`", then the last lines of output and where the full
/// output is.
std::string describe_failure(std::string_view what, const std::vector<std::string>& argv,
                             const RunResult& result, const std::filesystem::path& log_file);

} // namespace qplug::solver::detail
