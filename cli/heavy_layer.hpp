// The commands that need the index, the solver, ZIPs or the network live in a shared object
// of their own (qplug-commands.so), opened with dlopen only when such a command runs: the
// light commands (`version`, `meta`, `--version`) then load none of libcurl, libsolv, SQLite
// and libzip, whose loading and symbol resolution were most of qplug's start-up
// (docs/performance.md, "Start-up"; docs/cli.md).
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <exception>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include <qplug/solver/plugin_distribution.hpp>

#include "commands.hpp"
#include "global_options.hpp"

namespace qplug::cli {

/// What qplug-commands.so offers the executable. Both sides are built from this header by the
/// same build, so C++ types may cross (CLI11 is header-only; both use the same libstdc++).
struct HeavyLayer {
    /// Registers the heavy commands (package, repo, search, ..., enable) on the application;
    /// they read the executable's global options.
    void (*register_commands)(CLI::App& app, RunState& state, GlobalOptions& globals);
    /// Reports an exception a heavy command let through (a damaged index) and returns its exit
    /// code; nullopt when it is not one of the layer's.
    std::optional<int> (*report_exception)(const std::exception& e, bool json);
    /// `meta check --check-links`: a HEAD request; the problem, or nullopt when the link works.
    std::optional<std::string> (*check_link)(std::string_view url, long timeout_seconds);
    /// `meta check` of a plugin wheel (.whl, read with libzip): its plugin, and the wheel's own
    /// checks (solver/plugin_distribution.hpp).
    Expected<solver::WheelPlugin> (*read_plugin_wheel)(const std::filesystem::path& wheel);
    meta::Diagnostics (*check_plugin_wheel)(const std::filesystem::path& wheel);
};

/// The layer, loaded on first use; exits the process with exit_failure (3) when
/// qplug-commands.so cannot be loaded.
const HeavyLayer& heavy_layer();
/// Whether heavy_layer() has been loaded.
bool heavy_layer_loaded();

} // namespace qplug::cli

/// The one symbol qplug-commands.so exports.
extern "C" const qplug::cli::HeavyLayer* qplug_cli_heavy_layer();
