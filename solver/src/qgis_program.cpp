// SPDX-License-Identifier: GPL-2.0-or-later
#include <qplug/solver/qgis_program.hpp>
#include <qplug/version/compat.hpp>

#include "subprocess.hpp"

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

std::optional<std::string> installed_qgis_version(std::chrono::milliseconds timeout) {
    detail::RunOptions options;
    options.capture_stdout = true;
    options.max_stdout = 4096;
    options.timeout = timeout;
    options.kill_grace = std::chrono::milliseconds(500);
    auto result = detail::run({"qgis", "--version"}, options);
    if (!result || !result->succeeded()) {
        return std::nullopt; // no qgis on PATH, or it failed: the caller falls back
    }
    return qgis_version_from_output(result->out);
}

} // namespace qplug::solver
