// SPDX-License-Identifier: GPL-2.0-or-later
#include "index_access.hpp"

#include <cstdlib>
#include <iostream>
#include <memory>

#include <fmt/format.h>

#include <qplug/solver/qgis_settings.hpp>

#include "diagnostics_output.hpp"
#include "global_options.hpp"

namespace qplug::cli {

void add_index_options(CLI::App* cmd, IndexOptions& options) {
    cmd->add_flag("--json", options.json, "Print JSON on stdout");
    cmd->add_option("--index", options.index,
                    "The index database (default: $QPLUG_INDEX, else "
                    "$XDG_DATA_HOME/qplug/index.sqlite)");
}

void add_download_options(CLI::App* cmd, IndexOptions& options) {
    solver::FetchLimits& limits = options.download;
    cmd->add_option_function<std::string>(
           "--max-download",
           [&limits](const std::string& text) {
               const auto bytes = solver::parse_bytes(text);
               if (!bytes) {
                   throw CLI::ValidationError("--max-download",
                                              "'" + text + "' is not a size (e.g. 200MB, 1GiB)");
               }
               limits.set_max_bytes(*bytes);
           },
           "The most any download may be, after decompression, e.g. 200MB; 0 for no limit "
           "(defaults: a plugins.xml or an index page 64 MiB, core metadata 16 MiB, conda "
           "repodata 1 GiB, a plugin ZIP its advertised size or 25 MB)")
        ->type_name("SIZE");
    cmd->add_option("--connect-timeout", limits.connect_timeout_seconds,
                    "Seconds to wait for a server to accept the connection")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--stall-timeout", limits.stall_seconds,
                    "A download that receives less than 1 kB a second for this many seconds "
                    "fails; 0: never")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--download-timeout", limits.timeout_seconds,
                    "Seconds a download may take in all; 0: no limit")
        ->capture_default_str()
        ->check(CLI::NonNegativeNumber);
}

namespace {

/// QPLUG_NO_DEFAULT_REPOSITORY set (and not "0"): fresh indexes start empty (machines without
/// internet access, tests).
bool default_repository_wanted() {
    const char* no = std::getenv("QPLUG_NO_DEFAULT_REPOSITORY");
    return no == nullptr || *no == '\0' || std::string_view(no) == "0";
}

/// A fresh index starts as QGIS does: with the official repository, protected.
void add_default_repository(solver::Index& index) {
    solver::RepositoryConfig config;
    config.name = std::string(solver::kQgisOfficialRepositoryName);
    config.kind = "legacy";
    config.url = std::string(solver::kQgisOfficialRepositoryUrl);
    config.is_protected = true;
    if (auto added = index.add_repository(std::move(config)); !added) {
        std::cerr << "qplug: warning: the default repository was not added: "
                  << added.error().to_string() << '\n';
    }
}

} // namespace

std::optional<solver::Index> open_index(const IndexOptions& options, solver::Index::Mode mode,
                                        int& exit_code) {
    const std::filesystem::path path = options.index.empty() ? solver::Index::default_path()
                                                             : std::filesystem::path(options.index);
    if (globals().verbose > 0) {
        std::cerr << "qplug: index " << path.string() << '\n';
    }
    std::error_code ec;
    const bool fresh =
        mode == solver::Index::Mode::read_write && !std::filesystem::exists(path, ec);
    auto index = solver::Index::open(path, mode);
    if (!index) {
        exit_code = report_failure(index.error().to_string(), options);
        return std::nullopt;
    }
    if (fresh && default_repository_wanted()) {
        add_default_repository(*index);
    }
    return std::move(*index);
}

namespace {

std::string human_bytes(std::uint64_t n) {
    if (n >= 1'000'000) {
        return fmt::format("{:.1f} MB", static_cast<double>(n) / 1e6);
    }
    if (n >= 1'000) {
        return fmt::format("{:.0f} kB", static_cast<double>(n) / 1e3);
    }
    return fmt::format("{} B", n);
}

} // namespace

solver::ProgressCallback terminal_progress(std::string label) {
    if (!stderr_is_terminal() || globals().quiet > 0) {
        return {};
    }
    return [label = std::move(label)](std::uint64_t done, std::uint64_t total) {
        if (total > 0) {
            std::cerr << fmt::format("\r\x1b[K{}: {} of {}", label, human_bytes(done),
                                     human_bytes(total))
                      << std::flush;
        } else {
            std::cerr << fmt::format("\r\x1b[K{}: {}", label, human_bytes(done)) << std::flush;
        }
    };
}

void finish_progress() {
    if (stderr_is_terminal() && globals().quiet == 0) {
        std::cerr << "\r\x1b[K" << std::flush;
    }
}

int exit_code_for(const Error& error) {
    return error.kind == Error::Kind::parse ? exit_findings : exit_failure;
}

} // namespace qplug::cli
