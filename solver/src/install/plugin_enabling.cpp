// SPDX-License-Identifier: GPL-2.0-or-later
#include <filesystem>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <qplug/solver/plugin_enabling.hpp>
#include <qplug/unicode.hpp>

#include "errors.hpp"

namespace qplug::solver {

namespace {

namespace fs = std::filesystem;

/// A plugin QGIS can find in the profile: python/plugins/<name>/ with a metadata.txt.
bool installed(const fs::path& plugins, const std::string& name) {
    std::error_code ec;
    return fs::is_regular_file(plugins / name / "metadata.txt", ec);
}

Error refused(std::string message) {
    Error e = failure(std::move(message));
    e.kind = Error::Kind::refused;
    return e;
}

} // namespace

Expected<PythonPluginsReport> enable_plugins(const Target& target,
                                             const std::vector<std::string>& names, bool enable,
                                             const SettingsWriteOptions& options) {
    if (target.kind() != Target::Kind::profile) {
        return refused("a plugins folder has no QGIS settings: a QGIS Server loads every "
                       "plugin it finds there (give --profile)");
    }
    const fs::path plugins = target.root() / "python" / "plugins";
    std::vector<std::string> missing;
    for (const auto& name : names) {
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
            name.find('\0') != std::string::npos ||
            unicode::find_invalid_utf8(name) != unicode::npos) {
            return failure(fmt::format("'{}' is not a plugin folder name", name));
        }
        if (!installed(plugins, name)) {
            missing.push_back(name);
        }
    }
    if (!missing.empty()) {
        return refused(fmt::format("not installed in {}: {} (no {}/<name>/metadata.txt); nothing "
                                   "changed",
                                   target.describe(), fmt::join(missing, ", "), plugins.string()));
    }
    auto report = change_python_plugins(
        target.root(), names, enable ? PythonPluginChange::enable : PythonPluginChange::disable,
        options);
    if (!report) {
        // A file QSettings did not write is refused, saying where; anything else is I/O.
        Error e = std::move(report).error();
        if (e.kind == Error::Kind::parse) {
            e = refused(e.to_string() + "; nothing changed");
        } else {
            e.kind = Error::Kind::io;
        }
        return e;
    }
    return report;
}

std::string enabling_json(const Target& target, const PythonPluginsReport& report, bool dry_run) {
    using json = nlohmann::ordered_json;
    json plugins = json::array();
    for (const auto& p : report.plugins) {
        plugins.push_back(
            {{"name", p.key}, {"enabled", p.after.starts()}, {"changed", p.changed()}});
    }
    const json out = {{"profile", target.root().string()},
                      {"settings", report.file.string()},
                      {"dry_run", dry_run},
                      {"written", report.written},
                      {"plugins", std::move(plugins)}};
    return out.dump(2, ' ', false, json::error_handler_t::replace);
}

} // namespace qplug::solver
