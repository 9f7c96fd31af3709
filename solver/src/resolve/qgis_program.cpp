// SPDX-License-Identifier: GPL-2.0-or-later
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <unistd.h>

#include <fmt/format.h>

#include <qplug/solver/qgis_program.hpp>
#include <qplug/version/compat.hpp>

#include "io/subprocess.hpp"

namespace qplug::solver {

std::optional<std::string> qgis_version_from_output(std::string_view output) {
    constexpr std::string_view kPrefix = "QGIS ";
    if (!output.starts_with(kPrefix)) {
        return std::nullopt;
    }
    output.remove_prefix(kPrefix.size());
    const std::string version(output.substr(0, output.find_first_of("- \r\n")));
    if (version.empty() || !version::compat::qgis_api_version(version)) {
        return std::nullopt;
    }
    return version;
}

namespace {

namespace fs = std::filesystem;

std::optional<fs::path> qgis_on_path() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) {
        return std::nullopt;
    }
    std::string_view rest(path);
    while (true) {
        const std::size_t colon = rest.find(':');
        const std::string_view dir = rest.substr(0, colon);
        if (!dir.empty()) {
            const fs::path candidate = fs::path(dir) / "qgis";
            if (::access(candidate.c_str(), X_OK) == 0) {
                return candidate;
            }
        }
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        rest.remove_prefix(colon + 1);
    }
}

fs::path cache_file() {
    if (const char* dir = std::getenv("QPLUG_CACHE_DIR"); dir != nullptr && *dir != '\0') {
        return fs::path(dir) / "qgis-version";
    }
    if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg != nullptr && *xdg == '/') {
        return fs::path(xdg) / "qplug" / "qgis-version";
    }
    const char* home = std::getenv("HOME");
    return fs::path(home != nullptr ? home : "/tmp") / ".cache" / "qplug" / "qgis-version";
}

/// What identifies the program: its real path, size and modification time (a new QGIS
/// package replaces the file).
std::string fingerprint(const fs::path& program) {
    std::error_code ec;
    const fs::path real = fs::canonical(program, ec);
    if (ec) {
        return {};
    }
    const auto size = fs::file_size(real, ec);
    if (ec) {
        return {};
    }
    const auto time = fs::last_write_time(real, ec).time_since_epoch().count();
    if (ec) {
        return {};
    }
    return fmt::format("{} {} {}", real.string(), size, time);
}

} // namespace

std::optional<std::string> installed_qgis_version(std::chrono::milliseconds timeout,
                                                  bool remember) {
    // `qgis --version` starts Qt and takes about a second: its answer is kept in the cache
    // folder for as long as the program file stays the same.
    const auto program = qgis_on_path();
    if (!program) {
        return std::nullopt;
    }
    const std::string id = fingerprint(*program);
    const fs::path cache = cache_file();
    if (!id.empty()) {
        std::ifstream in(cache);
        std::string cached_id, cached_version;
        if (std::getline(in, cached_id) && std::getline(in, cached_version) && cached_id == id &&
            qgis_version_from_output("QGIS " + cached_version)) {
            return cached_version;
        }
    }
    auto version = run_qgis_version(*program, timeout);
    if (version && !id.empty() && remember) {
        std::error_code ec;
        fs::create_directories(cache.parent_path(), ec);
        const fs::path temporary = cache.string() + ".tmp";
        {
            std::ofstream out(temporary, std::ios::trunc);
            out << id << '\n' << *version << '\n';
        }
        fs::rename(temporary, cache, ec);
    }
    return version;
}

std::optional<std::string> run_qgis_version(const std::filesystem::path& program,
                                            std::chrono::milliseconds timeout) {
    detail::RunOptions options;
    options.capture_stdout = true;
    options.max_stdout = 4096;
    options.timeout = timeout;
    options.kill_grace = std::chrono::milliseconds(500);
    auto result = detail::run({program.string(), "--version"}, options);
    if (!result || !result->succeeded()) {
        return std::nullopt; // no qgis on PATH, or it failed: the caller falls back
    }
    return qgis_version_from_output(result->out);
}

} // namespace qplug::solver
