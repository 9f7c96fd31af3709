// The QGIS installed on this machine, as its own program reports it: the target QGIS version
// of a resolution when none is given (docs/resolve.md, "Policy").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace qplug::solver {

/// The version in what `qgis --version` prints ("QGIS 3.34.5-Prizren 'Prizren' (exported)"
/// gives "3.34.5"), when it is one QGIS's compatibility checks can use.
std::optional<std::string> qgis_version_from_output(std::string_view output);

/// The version of the `qgis` program on PATH: its `qgis --version`, run (no shell, stdin
/// from /dev/null, killed with its process group after `timeout`) when the answer is not in
/// the cache folder ($XDG_CACHE_HOME/qplug/qgis-version) for the same program file.
/// nullopt when there is no qgis program, it fails, or it prints no version.
/// `remember` false: the cache is read, not written.
std::optional<std::string>
installed_qgis_version(std::chrono::milliseconds timeout = std::chrono::seconds(10),
                       bool remember = true);

/// Runs `program --version` and reads its version (no cache).
std::optional<std::string> run_qgis_version(const std::filesystem::path& program,
                                            std::chrono::milliseconds timeout);

} // namespace qplug::solver
