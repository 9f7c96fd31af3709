// The pip and conda backends (docs/env-install.md): subprocesses, pip against a wheel index
// served on 127.0.0.1 with the real pip in a fresh venv, conda's JSON from written samples
// (tests/data/conda-cli) and a shell script posing as conda for the failure paths only.
// SPDX-License-Identifier: GPL-2.0-or-later
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

#include <gtest/gtest.h>

#include <qplug/solver/env_install.hpp>

#include "io/subprocess.hpp"
#include "test_data.hpp"

extern "C" char** environ; // NOLINT(readability-redundant-declaration)

namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using qplug::solver::CondaEnvironment;
using qplug::solver::CondaOptions;
using qplug::solver::PipOptions;
using qplug::solver::PythonEnvironment;
namespace detail = qplug::solver::detail;

/// A temporary folder removed at the end of the test.
class TempDir {
public:
    TempDir() {
        std::string pattern = (fs::temp_directory_path() / "qplug-test-env-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) {
            throw std::runtime_error("mkdtemp failed");
        }
        path_ = pattern;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

std::string slurp(const fs::path& path) {
    std::error_code ec;
    if (!fs::exists(path, ec)) {
        return {};
    }
    return qplug::test::read_file(path);
}

void write_file(const fs::path& path, const std::string& text, bool executable = false) {
    {
        std::ofstream out(path, std::ios::binary);
        out << text;
    }
    if (executable) {
        fs::permissions(path, fs::perms::owner_all, fs::perm_options::add);
    }
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// A process is gone (or a zombie nobody reaped yet, which no longer runs).
bool process_gone(pid_t pid) {
    const std::string stat = slurp("/proc/" + std::to_string(pid) + "/stat");
    if (stat.empty()) {
        return true;
    }
    const std::size_t paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] == 'Z';
}

// ---------------------------------------------------------------------------------------------
// subprocesses

detail::RunOptions capture(std::chrono::milliseconds timeout = 30s) {
    detail::RunOptions options;
    options.capture_stdout = true;
    options.timeout = timeout;
    return options;
}

TEST(Subprocess, ExitCodeStdoutTailAndLog) {
    TempDir tmp;
    auto options = capture();
    options.log_file = tmp.path() / "logs" / "qplug.log";
    options.label = "a test";
    const std::vector<std::string> argv = {"/bin/sh", "-c", "echo out; echo err >&2; exit 3"};
    auto result = detail::run(argv, options);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_TRUE(result->exited);
    EXPECT_EQ(result->exit_code, 3);
    EXPECT_FALSE(result->succeeded());
    EXPECT_EQ(result->out, "out\n");
    EXPECT_TRUE(contains(result->tail, "out")) << result->tail;
    EXPECT_TRUE(contains(result->tail, "err")) << result->tail;
    EXPECT_EQ(result->status(), "exit code 3");

    // a second command appends to the same log
    ASSERT_TRUE(detail::run({"/bin/echo", "second"}, options));
    const std::string log = slurp(options.log_file);
    EXPECT_TRUE(contains(log, "qplug: a test (timeout 30 s)\n$ /bin/sh -c 'echo out; echo err >&2; "
                              "exit 3'\n"))
        << log;
    EXPECT_TRUE(contains(log, "out\n")) << log;
    EXPECT_TRUE(contains(log, "err\n")) << log;
    EXPECT_TRUE(contains(log, "==== exit code 3 after ")) << log;
    EXPECT_TRUE(contains(log, "$ /bin/echo second\nsecond\n==== exit code 0")) << log;

    const std::string message =
        detail::describe_failure("the test", argv, *result, options.log_file);
    EXPECT_TRUE(contains(message, "the test failed (exit code 3): /bin/sh -c")) << message;
    EXPECT_TRUE(contains(message, "last lines of output:\n  out\n  err")) << message;
    EXPECT_TRUE(contains(message, "full output in " + options.log_file.string())) << message;
}

TEST(Subprocess, ArgumentsReachTheProgramVerbatim) {
    auto result = detail::run({"printf", "%s|", "a b", "$HOME", "'q'", ";ls", "", "*"}, capture());
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->out, "a b|$HOME|'q'|;ls||*|");
    EXPECT_EQ(detail::display_command({"printf", "a b", "it's", "", "x=1"}),
              "printf 'a b' 'it'\\''s' '' x=1");
}

TEST(Subprocess, StdinIsDevNull) {
    auto result =
        detail::run({"/bin/sh", "-c", "readlink /proc/self/fd/0; cat; echo done"}, capture(20s));
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->out, "/dev/null\ndone\n");
    EXPECT_FALSE(result->timed_out);
}

TEST(Subprocess, WorkingDirectory) {
    TempDir tmp;
    auto options = capture();
    options.working_directory = tmp.path();
    auto result = detail::run({"pwd"}, options);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(fs::path(result->out.substr(0, result->out.size() - 1)), tmp.path());
}

TEST(Subprocess, MissingProgramIsAnError) {
    TempDir tmp;
    auto options = capture();
    options.log_file = tmp.path() / "log";
    auto result = detail::run({"/nonexistent/qplug-no-such-program", "x"}, options);
    ASSERT_FALSE(result);
    EXPECT_TRUE(contains(result.error().message, "cannot run '/nonexistent/qplug-no-such-program'"))
        << result.error().message;
    EXPECT_TRUE(contains(slurp(options.log_file), "cannot run")) << slurp(options.log_file);
    EXPECT_FALSE(detail::run({}, options));
}

TEST(Subprocess, LogThatCannotBeOpenedIsAnError) {
    auto options = capture();
    options.log_file = "/proc/qplug-no-such-dir/log";
    auto result = detail::run({"true"}, options);
    ASSERT_FALSE(result);
    EXPECT_TRUE(contains(result.error().message, "cannot open the log file"))
        << result.error().message;
}

TEST(Subprocess, TimeoutKillsTheWholeProcessGroup) {
    TempDir tmp;
    const fs::path pid_file = tmp.path() / "pid";
    auto options = capture(1s);
    options.log_file = tmp.path() / "log";
    const auto start = std::chrono::steady_clock::now();
    auto result = detail::run(
        {"/bin/sh", "-c", "sleep 60 & echo $! > \"$1\"; sleep 60", "sh", pid_file.string()},
        options);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_TRUE(result->timed_out);
    EXPECT_FALSE(result->succeeded());
    EXPECT_LT(elapsed, 10s);
    EXPECT_TRUE(contains(result->status(), "timed out after")) << result->status();
    const pid_t grandchild = std::stoi(slurp(pid_file));
    for (int i = 0; i < 50 && !process_gone(grandchild); ++i) {
        ::usleep(100000);
    }
    EXPECT_TRUE(process_gone(grandchild)) << "the background sleep survived the timeout";
    EXPECT_TRUE(contains(slurp(options.log_file), "==== timed out after"))
        << slurp(options.log_file);
}

TEST(Subprocess, TimeoutEscalatesToSigkill) {
    auto options = capture(1s);
    options.kill_grace = 500ms;
    const auto start = std::chrono::steady_clock::now();
    auto result = detail::run({"/bin/sh", "-c", "trap '' TERM; sleep 60"}, options);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_TRUE(result->timed_out);
    EXPECT_EQ(result->signal, SIGKILL);
}

TEST(Subprocess, BackgroundProcessHoldingTheOutputDoesNotHang) {
    const auto start = std::chrono::steady_clock::now();
    auto result = detail::run({"/bin/sh", "-c", "sleep 60 & echo hi"}, capture(60s));
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 15s);
    EXPECT_TRUE(result->succeeded());
    EXPECT_EQ(result->out, "hi\n");
}

TEST(Subprocess, KilledBySignal) {
    auto result = detail::run({"/bin/sh", "-c", "kill -9 $$"}, capture());
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_FALSE(result->exited);
    EXPECT_EQ(result->signal, SIGKILL);
    EXPECT_TRUE(contains(result->status(), "killed by signal 9")) << result->status();
}

TEST(Subprocess, IgnoredSigchldIsNeverASuccess) {
    // A host application that ignores SIGCHLD has its children reaped by the kernel: the exit
    // status is lost and must not read as 0.
    struct sigaction ignore {};
    struct sigaction previous {};
    ignore.sa_handler = SIG_IGN;
    sigemptyset(&ignore.sa_mask);
    ASSERT_EQ(::sigaction(SIGCHLD, &ignore, &previous), 0);
    auto result = detail::run({"/bin/sh", "-c", "sleep 0.2; exit 0"}, capture());
    ::sigaction(SIGCHLD, &previous, nullptr);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_TRUE(result->status_lost);
    EXPECT_FALSE(result->succeeded());
    EXPECT_TRUE(contains(result->status(), "exit status unknown")) << result->status();
}

TEST(Subprocess, TailKeepsTheLastLines) {
    auto options = capture();
    options.tail_lines = 3;
    auto result =
        detail::run({"/bin/sh", "-c", "for i in 1 2 3 4 5 6; do echo line$i; done"}, options);
    ASSERT_TRUE(result) << result.error().to_string();
    EXPECT_EQ(result->tail, "line4\nline5\nline6");
}

// ---------------------------------------------------------------------------------------------
// pip: the report, the index arguments

TEST(PipReport, ReadsWhatPipWouldInstall) {
    // pip 23.0.1's report format (version 1), as `pip install --dry-run --report` writes it.
    const std::string text = R"({
      "version": "1", "pip_version": "23.0.1",
      "install": [
        {"download_info": {"url": "http://127.0.0.1:8000/wheels/a-1.0-py3-none-any.whl",
                           "archive_info": {"hash": "sha256=ab12"}},
         "is_direct": false, "requested": true,
         "metadata": {"metadata_version": "2.1", "name": "A.Pkg", "version": "1.0",
                      "requires_dist": ["b>=1"]}},
        {"download_info": {"url": "file:///w/b-2.0-py3-none-any.whl",
                           "archive_info": {"hashes": {"sha256": "cd34"}}},
         "is_direct": false, "requested": false,
         "metadata": {"metadata_version": "2.1", "name": "b", "version": "2.0"}}
      ],
      "environment": {"python_version": "3.11"}
    })";
    auto report = qplug::solver::parse_pip_report(text);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->pip_version, "23.0.1");
    ASSERT_EQ(report->install.size(), 2U);
    EXPECT_EQ(report->install[0].name, "A.Pkg");
    EXPECT_EQ(report->install[0].version, "1.0");
    EXPECT_EQ(report->install[0].url, "http://127.0.0.1:8000/wheels/a-1.0-py3-none-any.whl");
    EXPECT_EQ(report->install[0].hash, "sha256=ab12");
    EXPECT_TRUE(report->install[0].requested);
    EXPECT_EQ(report->install[1].hash, "sha256=cd34");
    EXPECT_FALSE(report->install[1].requested);

    EXPECT_FALSE(qplug::solver::parse_pip_report("not json"));
    EXPECT_FALSE(qplug::solver::parse_pip_report(R"({"version": "7", "install": []})"));
    EXPECT_FALSE(qplug::solver::parse_pip_report(R"({"version": "1"})"));
    EXPECT_FALSE(
        qplug::solver::parse_pip_report(R"({"version": "1", "install": [{"metadata": {}}]})"));
    auto empty = qplug::solver::parse_pip_report(R"({"version": "0", "install": []})");
    ASSERT_TRUE(empty);
    EXPECT_TRUE(empty->install.empty());
}

TEST(PipIndexArguments, UrlsAndFolders) {
    PythonEnvironment env;
    EXPECT_TRUE(qplug::solver::pip_index_arguments(env).empty());
    env.index_urls = {"https://a/simple/", "https://b/simple/", "file:///srv/simple/"};
    EXPECT_EQ(qplug::solver::pip_index_arguments(env),
              (std::vector<std::string>{"--index-url", "https://a/simple/", "--extra-index-url",
                                        "https://b/simple/", "--extra-index-url",
                                        "file:///srv/simple/"}));
    env.index_urls = {"/srv/wheels", "relative/wheels"};
    EXPECT_EQ(qplug::solver::pip_index_arguments(env),
              (std::vector<std::string>{"--no-index", "--find-links", "/srv/wheels", "--find-links",
                                        (fs::current_path() / "relative/wheels").string()}));
    env.index_urls = {"/srv/wheels", "https://a/simple/"};
    EXPECT_EQ(qplug::solver::pip_index_arguments(env),
              (std::vector<std::string>{"--index-url", "https://a/simple/", "--find-links",
                                        "/srv/wheels"}));
}

TEST(PipInstall, InvalidRequirementsRunNothing) {
    TempDir tmp;
    PythonEnvironment env;
    env.python = "/nonexistent/python";
    PipOptions options;
    options.log_file = tmp.path() / "log";
    for (const std::string bad : {"--editable=.", "", "name==", "-r/etc/passwd"}) {
        auto result = qplug::solver::pip_install(env, {"ok==1.0", bad}, options);
        ASSERT_FALSE(result) << bad;
        EXPECT_TRUE(contains(result.error().message, "invalid requirement")) << bad;
    }
    auto names = qplug::solver::pip_uninstall(env, {"ok==1.0"}, options);
    ASSERT_FALSE(names);
    EXPECT_TRUE(contains(names.error().message, "not a bare distribution name"))
        << names.error().message;
    EXPECT_FALSE(fs::exists(options.log_file));
    auto nothing = qplug::solver::pip_install(env, {}, options);
    ASSERT_TRUE(nothing);
    EXPECT_TRUE(nothing->install.empty());
}

// ---------------------------------------------------------------------------------------------
// pip: the real pip, in a fresh venv per test, against the wheel index env_install_index.py
// serves on 127.0.0.1

/// env_install_index.py running: a PEP 503 index of tiny wheels on 127.0.0.1.
class WheelIndex {
public:
    static std::string start(const fs::path& root, WheelIndex& index) {
        int in[2];
        int out[2];
        if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
            return "pipe failed";
        }
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, in[0], 0);
        posix_spawn_file_actions_adddup2(&actions, out[1], 1);
        const std::string python = QPLUG_PYTHON;
        const std::string script = QPLUG_ENV_INSTALL_HELPER;
        const std::string folder = root.string();
        std::vector<char*> argv = {const_cast<char*>(python.c_str()),
                                   const_cast<char*>(script.c_str()),
                                   const_cast<char*>(folder.c_str()), nullptr};
        const int rc =
            posix_spawn(&index.pid_, python.c_str(), &actions, nullptr, argv.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        ::close(in[0]);
        ::close(out[1]);
        index.stdin_ = in[1];
        if (rc != 0) {
            ::close(out[0]);
            index.pid_ = -1;
            return "cannot run " + python;
        }
        std::string line;
        pollfd fd{out[0], POLLIN, 0};
        while (line.find('\n') == std::string::npos && ::poll(&fd, 1, 30000) > 0) {
            char buffer[256];
            const ssize_t n = ::read(out[0], buffer, sizeof buffer);
            if (n <= 0) {
                break;
            }
            line.append(buffer, static_cast<std::size_t>(n));
        }
        ::close(out[0]);
        if (!line.starts_with("PORT ")) {
            return "env_install_index.py did not start: '" + line + "'";
        }
        index.port_ = std::stoi(line.substr(5));
        return {};
    }

    WheelIndex() = default;
    WheelIndex(const WheelIndex&) = delete;
    WheelIndex& operator=(const WheelIndex&) = delete;
    ~WheelIndex() { stop(); }

    void stop() {
        if (stdin_ >= 0) {
            ::close(stdin_); // the server ends when its stdin closes
            stdin_ = -1;
        }
        if (pid_ > 0) {
            int status = 0;
            for (int i = 0; i < 100 && ::waitpid(pid_, &status, WNOHANG) == 0; ++i) {
                ::usleep(50000);
            }
            if (::waitpid(pid_, &status, WNOHANG) == 0) {
                ::kill(pid_, SIGKILL);
                ::waitpid(pid_, &status, 0);
            }
            pid_ = -1;
        }
    }

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(port_) + path;
    }

private:
    pid_t pid_ = -1;
    int stdin_ = -1;
    int port_ = 0;
};

class RealPip : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        root_ = new TempDir();
        index_ = new WheelIndex();
        skip_reason_ = WheelIndex::start(root_->path() / "index", *index_);
    }
    static void TearDownTestSuite() {
        delete index_;
        index_ = nullptr;
        delete root_;
        root_ = nullptr;
    }

    void SetUp() override {
        if (!skip_reason_.empty()) {
            GTEST_SKIP() << skip_reason_;
        }
        // A venv without its own pip that sees the system's site-packages: Debian's pip
        // (python3-pip) runs in it and installs into the venv.
        const fs::path venv = tmp_.path() / "venv";
        auto made = detail::run(
            {QPLUG_PYTHON, "-m", "venv", "--without-pip", "--system-site-packages", venv.string()},
            capture(60s));
        if (!made || !made->succeeded()) {
            GTEST_SKIP() << "cannot create a venv with " << QPLUG_PYTHON;
        }
        env_.python = venv / "bin" / "python";
        auto pip = detail::run({env_.python.string(), "-m", "pip", "--version"}, capture(60s));
        if (!pip || !pip->succeeded()) {
            GTEST_SKIP() << "pip is not importable by " << QPLUG_PYTHON << " (python3-pip)";
        }
        for (const auto& entry : fs::directory_iterator(venv / "lib")) {
            site_packages_ = entry.path() / "site-packages";
        }
        env_.index_urls = {index_->url("/simple/")};
        options_.log_file = tmp_.path() / "qplug-pip.log";
        options_.timeout = 120s;
    }

    bool installed(const std::string& dist_info) const {
        return fs::exists(site_packages_ / dist_info);
    }
    std::string log() const { return slurp(options_.log_file); }

    static TempDir* root_;
    static WheelIndex* index_;
    static std::string skip_reason_;
    TempDir tmp_;
    PythonEnvironment env_;
    PipOptions options_;
    fs::path site_packages_;
};

TempDir* RealPip::root_ = nullptr;
WheelIndex* RealPip::index_ = nullptr;
std::string RealPip::skip_reason_;

TEST_F(RealPip, DryRunReportsExactlyWhatWouldBeInstalledAndInstallsNothing) {
    options_.dry_run = true;
    auto report =
        qplug::solver::pip_install(env_, {"qplug-env-alpha==1.0", "qplug-env-beta==1.0"}, options_);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->dry_run);
    EXPECT_FALSE(report->pip_version.empty());
    ASSERT_EQ(report->install.size(), 2U);
    EXPECT_EQ(report->install[0].name, "qplug-env-alpha");
    EXPECT_EQ(report->install[0].version, "1.0");
    EXPECT_EQ(report->install[0].url, index_->url("/wheels/qplug_env_alpha-1.0-py3-none-any.whl"));
    EXPECT_TRUE(report->install[0].hash.starts_with("sha256=")) << report->install[0].hash;
    EXPECT_TRUE(report->install[0].requested);
    EXPECT_EQ(report->install[1].name, "qplug-env-beta");
    EXPECT_EQ(report->install[1].version, "1.0");
    EXPECT_TRUE(report->already_satisfied.empty());
    EXPECT_FALSE(installed("qplug_env_alpha-1.0.dist-info"));
    EXPECT_FALSE(installed("qplug_env_beta-1.0.dist-info"));
    const std::string text = log();
    EXPECT_TRUE(contains(text, "qplug: pip install --dry-run")) << text;
    EXPECT_TRUE(contains(text, "--no-deps")) << text;
    EXPECT_TRUE(contains(text, "--isolated")) << text;
    EXPECT_TRUE(contains(text, "Would install qplug-env-alpha-1.0 qplug-env-beta-1.0")) << text;
    EXPECT_FALSE(contains(text, "qplug: pip install (")) << "the real install ran";
}

TEST_F(RealPip, InstallsThenFindsNothingToDo) {
    auto report =
        qplug::solver::pip_install(env_, {"qplug-env-alpha==1.0", "qplug-env-beta==1.0"}, options_);
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_FALSE(report->dry_run);
    ASSERT_EQ(report->install.size(), 2U);
    EXPECT_TRUE(installed("qplug_env_alpha-1.0.dist-info"));
    EXPECT_TRUE(installed("qplug_env_beta-1.0.dist-info"));
    auto import = detail::run({env_.python.string(), "-c",
                               "import qplug_env_alpha, qplug_env_beta; "
                               "print(qplug_env_alpha.VERSION, qplug_env_beta.VERSION)"},
                              capture());
    ASSERT_TRUE(import);
    EXPECT_EQ(import->out, "1.0 1.0\n") << import->tail;
    const std::string text = log();
    EXPECT_TRUE(contains(text, "qplug: pip install --dry-run")) << text;
    EXPECT_TRUE(contains(text, "qplug: pip install (timeout 120 s)")) << text;
    EXPECT_TRUE(contains(text, "Successfully installed qplug-env-alpha-1.0 qplug-env-beta-1.0"))
        << text;

    auto again =
        qplug::solver::pip_install(env_, {"qplug-env-alpha==1.0", "qplug_env.BETA==1.0"}, options_);
    ASSERT_TRUE(again) << again.error().to_string();
    EXPECT_TRUE(again->install.empty());
    EXPECT_EQ(again->already_satisfied,
              (std::vector<std::string>{"qplug-env-alpha", "qplug-env-beta"}));
}

TEST_F(RealPip, UpgradesOneRequirement) {
    ASSERT_TRUE(qplug::solver::pip_install(env_, {"qplug-env-beta==1.0"}, options_));
    auto report = qplug::solver::pip_install(env_, {"qplug-env-beta==2.0"}, options_);
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->install.size(), 1U);
    EXPECT_EQ(report->install[0].version, "2.0");
    EXPECT_TRUE(installed("qplug_env_beta-2.0.dist-info"));
    EXPECT_FALSE(installed("qplug_env_beta-1.0.dist-info"));
}

TEST_F(RealPip, RefusesWhenPipWouldInstallWhatTheRequirementsDoNotName) {
    options_.no_deps = false; // pip's resolver adds qplug-env-beta, which qplug did not plan
    auto report = qplug::solver::pip_install(env_, {"qplug-env-alpha==1.0"}, options_);
    ASSERT_FALSE(report);
    const std::string& message = report.error().message;
    EXPECT_TRUE(contains(message, "pip's plan differs from qplug's")) << message;
    EXPECT_TRUE(contains(message, "would also install qplug-env-beta 2.0")) << message;
    EXPECT_TRUE(contains(message, "nothing was installed")) << message;
    EXPECT_FALSE(installed("qplug_env_alpha-1.0.dist-info"));
    EXPECT_FALSE(installed("qplug_env_beta-2.0.dist-info"));

    // With the whole set named, pip's resolver and the plan agree.
    auto agreed =
        qplug::solver::pip_install(env_, {"qplug-env-alpha==1.0", "qplug-env-beta==1.0"}, options_);
    ASSERT_TRUE(agreed) << agreed.error().to_string();
    EXPECT_TRUE(installed("qplug_env_alpha-1.0.dist-info"));
    EXPECT_TRUE(installed("qplug_env_beta-1.0.dist-info"));
}

TEST_F(RealPip, UnknownRequirementFailsWithPipsMessage) {
    auto report = qplug::solver::pip_install(
        env_, {"qplug-env-gamma==1.0", "qplug-env-nosuch==1.0"}, options_);
    ASSERT_FALSE(report);
    const std::string& message = report.error().message;
    EXPECT_TRUE(contains(message, "pip install --dry-run failed (exit code 1)")) << message;
    EXPECT_TRUE(contains(message, "qplug-env-nosuch==1.0")) << message;
    EXPECT_TRUE(contains(message, "No matching distribution found for qplug-env-nosuch==1.0"))
        << message;
    EXPECT_TRUE(contains(message, "full output in " + options_.log_file.string())) << message;
    EXPECT_TRUE(contains(log(), "No matching distribution found for qplug-env-nosuch")) << log();
    EXPECT_FALSE(installed("qplug_env_gamma-1.0.dist-info"));
}

TEST_F(RealPip, FolderOfWheels) {
    env_.index_urls = {(root_->path() / "index" / "wheels").string()};
    options_.dry_run = true;
    auto report = qplug::solver::pip_install(env_, {"qplug-env-gamma==1.0"}, options_);
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->install.size(), 1U);
    EXPECT_TRUE(report->install[0].url.starts_with("file://")) << report->install[0].url;
    EXPECT_TRUE(contains(log(), "--no-index --find-links")) << log();
}

TEST_F(RealPip, Uninstall) {
    ASSERT_TRUE(qplug::solver::pip_install(env_, {"qplug-env-gamma==1.0"}, options_));
    ASSERT_TRUE(installed("qplug_env_gamma-1.0.dist-info"));

    options_.dry_run = true;
    auto plan =
        qplug::solver::pip_uninstall(env_, {"qplug_env_gamma", "qplug-env-absent"}, options_);
    ASSERT_TRUE(plan) << plan.error().to_string();
    ASSERT_EQ(plan->removed.size(), 1U);
    EXPECT_EQ(plan->removed[0].name, "qplug-env-gamma");
    EXPECT_EQ(plan->removed[0].version, "1.0");
    EXPECT_EQ(plan->not_installed, (std::vector<std::string>{"qplug-env-absent"}));
    EXPECT_TRUE(installed("qplug_env_gamma-1.0.dist-info"));

    options_.dry_run = false;
    auto done =
        qplug::solver::pip_uninstall(env_, {"qplug_env_gamma", "qplug-env-absent"}, options_);
    ASSERT_TRUE(done) << done.error().to_string();
    ASSERT_EQ(done->removed.size(), 1U);
    EXPECT_FALSE(installed("qplug_env_gamma-1.0.dist-info"));
    EXPECT_FALSE(fs::exists(site_packages_ / "qplug_env_gamma"));
    EXPECT_TRUE(contains(log(), "Successfully uninstalled qplug-env-gamma-1.0")) << log();
}

TEST_F(RealPip, UninstallOfWhatLiesOutsideTheEnvironmentFails) {
    // A package of the system's site-packages: pip says "Not uninstalling ... outside
    // environment" and exits 0; qplug must not report it removed.
    auto listed =
        detail::run({env_.python.string(), "-c", "import six; print(six.__file__)"}, capture());
    if (!listed || !listed->succeeded() || contains(listed->out, tmp_.path().string())) {
        GTEST_SKIP() << "python3-six is not installed in the system's site-packages";
    }
    auto result = qplug::solver::pip_uninstall(env_, {"six"}, options_);
    ASSERT_FALSE(result);
    EXPECT_TRUE(contains(result.error().message, "pip uninstall did not remove six"))
        << result.error().message;
    EXPECT_TRUE(contains(log(), "outside environment")) << log();
}

TEST_F(RealPip, TimeoutKillsPip) {
    env_.index_urls = {index_->url("/slow/")}; // never answers in time
    options_.timeout = 2s;
    const auto start = std::chrono::steady_clock::now();
    auto report = qplug::solver::pip_install(env_, {"qplug-env-gamma==1.0"}, options_);
    ASSERT_FALSE(report);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 20s);
    EXPECT_TRUE(contains(report.error().message, "pip install --dry-run failed (timed out after"))
        << report.error().message;
    EXPECT_TRUE(contains(log(), "==== timed out after")) << log();
}

TEST_F(RealPip, MissingInterpreter) {
    env_.python = tmp_.path() / "no-such-venv" / "bin" / "python";
    auto report = qplug::solver::pip_install(env_, {"qplug-env-gamma==1.0"}, options_);
    ASSERT_FALSE(report);
    EXPECT_TRUE(contains(report.error().message, "cannot run")) << report.error().message;
}

// ---------------------------------------------------------------------------------------------
// conda: its JSON output (written samples, tests/data/conda-cli/SOURCES.md)

std::string conda_sample(const std::string& name) {
    return qplug::test::read_file(qplug::test::data_path("conda-cli/" + name));
}

TEST(CondaJson, DryRunWithLinkAndUnlinkRecords) {
    auto report = qplug::solver::parse_conda_json(conda_sample("install-dry-run.json"));
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->dry_run);
    EXPECT_EQ(report->prefix, "/opt/envs/qgis");
    ASSERT_EQ(report->link.size(), 2U);
    EXPECT_EQ(report->link[0].name, "six");
    EXPECT_EQ(report->link[0].version, "1.16.0");
    EXPECT_EQ(report->link[0].build, "pyhd8ed1ab_0");
    EXPECT_EQ(report->link[0].channel, "conda-forge");
    EXPECT_EQ(report->link[0].platform, "noarch");
    EXPECT_EQ(report->link[0].base_url, "https://conda.anaconda.org/conda-forge");
    EXPECT_EQ(report->link[0].dist_name, "six-1.16.0-pyhd8ed1ab_0");
    EXPECT_EQ(report->link[1].name, "libzlib");
    ASSERT_EQ(report->unlink.size(), 1U);
    EXPECT_EQ(report->unlink[0].build, "hd590300_0");
}

TEST(CondaJson, LegacyDistStrings) {
    auto report = qplug::solver::parse_conda_json(conda_sample("install-dry-run-legacy.json"));
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_EQ(report->prefix, "/opt/envs/qgis"); // from actions.PREFIX
    ASSERT_EQ(report->link.size(), 2U);
    EXPECT_EQ(report->link[1].channel, "defaults");
    EXPECT_EQ(report->link[1].name, "python-dateutil");
    EXPECT_EQ(report->link[1].version, "2.8.2");
    EXPECT_EQ(report->link[1].build, "pyhd3eb1b0_0");
    EXPECT_EQ(report->link[1].dist_name, "python-dateutil-2.8.2-pyhd3eb1b0_0");
    ASSERT_EQ(report->unlink.size(), 1U);
    EXPECT_EQ(report->unlink[0].version, "1.15.0");
}

TEST(CondaJson, ProgressRecordsBeforeTheResult) {
    auto report = qplug::solver::parse_conda_json(conda_sample("install-with-progress.out"));
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_FALSE(report->dry_run);
    ASSERT_EQ(report->link.size(), 1U);
    EXPECT_EQ(report->link[0].name, "six");
}

TEST(CondaJson, NothingToDo) {
    auto report = qplug::solver::parse_conda_json(conda_sample("nothing-to-do.json"));
    ASSERT_TRUE(report) << report.error().to_string();
    EXPECT_TRUE(report->link.empty());
    EXPECT_EQ(report->message, "All requested packages already installed.");
}

TEST(CondaJson, Micromamba) {
    auto report = qplug::solver::parse_conda_json(conda_sample("micromamba-dry-run.json"));
    ASSERT_TRUE(report) << report.error().to_string();
    ASSERT_EQ(report->link.size(), 1U);
    EXPECT_EQ(report->link[0].build, "pyhd8ed1ab_0");
    EXPECT_EQ(report->link[0].platform, "noarch");
    EXPECT_EQ(report->link[0].dist_name, "six-1.16.0-pyhd8ed1ab_0");
}

TEST(CondaJson, Errors) {
    auto missing = qplug::solver::parse_conda_json(conda_sample("error-packages-not-found.json"));
    ASSERT_FALSE(missing);
    EXPECT_TRUE(contains(missing.error().message,
                         "conda reported PackagesNotFoundError: The following packages are not "
                         "available from current channels:"))
        << missing.error().message;
    EXPECT_TRUE(contains(missing.error().message, "qplug-no-such-package"));
    auto unsat = qplug::solver::parse_conda_json(conda_sample("error-unsatisfiable.json"));
    ASSERT_FALSE(unsat);
    EXPECT_TRUE(contains(unsat.error().message, "conda reported UnsatisfiableError"))
        << unsat.error().message;

    EXPECT_FALSE(qplug::solver::parse_conda_json(""));
    EXPECT_FALSE(qplug::solver::parse_conda_json("Collecting package metadata: done\n"));
    EXPECT_FALSE(qplug::solver::parse_conda_json(R"({"success": false})"));
    EXPECT_FALSE(qplug::solver::parse_conda_json(R"([1, 2])"));
    // Text before the object is skipped.
    auto after_text = qplug::solver::parse_conda_json("warning: something\n" +
                                                      conda_sample("nothing-to-do.json"));
    EXPECT_TRUE(after_text);
}

// ---------------------------------------------------------------------------------------------
// conda as a subprocess: a shell script posing as conda, for the FAILURE paths only (no conda
// on the test machines; the success path is not tested against a real conda).

class FakeConda : public ::testing::Test {
protected:
    void SetUp() override {
        env_.executable = (tmp_.path() / "conda").string();
        env_.prefix = tmp_.path() / "env";
        env_.channels = {"conda-forge", "file:///srv/my channel"};
        options_.log_file = tmp_.path() / "conda.log";
        options_.timeout = 30s;
    }
    void script(const std::string& body) {
        write_file(env_.executable,
                   "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args\"\n" + body, true);
    }
    std::vector<std::string> args() const {
        std::vector<std::string> lines;
        std::istringstream in(slurp(tmp_.path() / "args"));
        std::string line;
        while (std::getline(in, line)) {
            lines.push_back(line);
        }
        return lines;
    }

    TempDir tmp_;
    CondaEnvironment env_;
    CondaOptions options_;
};

TEST_F(FakeConda, NonZeroExitWithCondasErrorJson) {
    script("cat \"" + qplug::test::data_path("conda-cli/error-packages-not-found.json").string() +
           "\"\necho 'some diagnostics' >&2\nexit 1\n");
    auto report =
        qplug::solver::conda_install(env_, {"qplug-no-such-package", "gdal 3.8.*"}, options_);
    ASSERT_FALSE(report);
    const std::string& message = report.error().message;
    EXPECT_TRUE(message.starts_with("conda reported PackagesNotFoundError: ")) << message;
    EXPECT_TRUE(contains(message, "conda install --dry-run failed (exit code 1): ")) << message;
    EXPECT_TRUE(contains(message, "some diagnostics")) << message;
    EXPECT_TRUE(contains(message, "full output in " + options_.log_file.string())) << message;
    EXPECT_EQ(args(), (std::vector<std::string>{"install", "--prefix", env_.prefix.string(),
                                                "--json", "--dry-run", "--override-channels", "-c",
                                                "conda-forge", "-c", "file:///srv/my channel",
                                                "qplug-no-such-package", "gdal 3.8.*"}));
    const std::string log = slurp(options_.log_file);
    EXPECT_TRUE(contains(log, "qplug: conda install --dry-run (timeout 30 s)")) << log;
    EXPECT_TRUE(contains(log, "'file:///srv/my channel'")) << log;
    EXPECT_TRUE(contains(log, "PackagesNotFoundError")) << log;
}

TEST_F(FakeConda, GarbageOutput) {
    script("echo 'this is not JSON'\nexit 0\n");
    auto report = qplug::solver::conda_install(env_, {"six"}, options_);
    ASSERT_FALSE(report);
    EXPECT_TRUE(contains(report.error().message, "conda printed no JSON object"))
        << report.error().message;
    EXPECT_TRUE(contains(report.error().message, "this is not JSON")) << report.error().message;

    script("echo 'Traceback (most recent call last):'\necho 'KeyError: x' >&2\nexit 2\n");
    report = qplug::solver::conda_install(env_, {"six"}, options_);
    ASSERT_FALSE(report);
    EXPECT_TRUE(report.error().message.starts_with("conda install --dry-run failed (exit code 2)"))
        << report.error().message;
    EXPECT_TRUE(contains(report.error().message, "KeyError: x")) << report.error().message;
}

TEST_F(FakeConda, Timeout) {
    script("sleep 60\n");
    options_.timeout = 1s;
    const auto start = std::chrono::steady_clock::now();
    auto report = qplug::solver::conda_install(env_, {"six"}, options_);
    ASSERT_FALSE(report);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
    EXPECT_TRUE(contains(report.error().message, "conda install --dry-run failed (timed out after"))
        << report.error().message;
}

TEST_F(FakeConda, PlanWithUnrequestedPackagesIsRefused) {
    // install-dry-run.json links libzlib too, which only "six" does not name.
    script("cat \"" + qplug::test::data_path("conda-cli/install-dry-run.json").string() + "\"\n");
    auto report = qplug::solver::conda_install(env_, {"six=1.16.0"}, options_);
    ASSERT_FALSE(report);
    const std::string& message = report.error().message;
    EXPECT_TRUE(contains(message, "conda's plan differs from qplug's")) << message;
    EXPECT_TRUE(contains(message, "link libzlib 1.2.13 (conda-forge)")) << message;
    EXPECT_TRUE(contains(message, "unlink libzlib 1.2.13")) << message;
    EXPECT_TRUE(contains(message, "nothing was changed")) << message;
    EXPECT_EQ(args()[4], "--dry-run"); // the real command never ran
}

TEST_F(FakeConda, MissingExecutableAndBadSpecs) {
    env_.executable = (tmp_.path() / "no-such-conda").string();
    auto report = qplug::solver::conda_install(env_, {"six"}, options_);
    ASSERT_FALSE(report);
    EXPECT_TRUE(contains(report.error().message, "cannot run")) << report.error().message;

    script("exit 0\n");
    for (const std::string bad : {"--force", "", "six\x01", "[version=1.0]"}) {
        auto refused = qplug::solver::conda_install(env_, {bad}, options_);
        ASSERT_FALSE(refused) << bad;
        EXPECT_TRUE(contains(refused.error().message, "invalid conda spec")) << bad;
    }
    EXPECT_TRUE(args().empty()); // the script never ran
}

} // namespace
