// SPDX-License-Identifier: GPL-2.0-or-later
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include <qplug/solver/qgis_profile_settings.hpp>
#include <qplug/unicode.hpp>

#include "errors.hpp"
#include "formats/settings_file.hpp"

namespace qplug::solver {

namespace fs = std::filesystem;

namespace {

/// The file's text; nullopt when it does not exist.
Expected<std::optional<std::string>> read_text(const fs::path& file) {
    std::error_code ec;
    if (!fs::exists(file, ec)) {
        if (ec && ec != std::errc::no_such_file_or_directory) {
            return io_failure(fmt::format("{}: {}", file.string(), ec.message()));
        }
        return std::optional<std::string>();
    }
    if (fs::is_directory(file, ec)) {
        return failure(fmt::format("{}: is a folder, not a settings file", file.string()));
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return failure(fmt::format("{}: cannot be read", file.string()));
    }
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) {
        return failure(fmt::format("{}: cannot be read", file.string()));
    }
    return std::optional<std::string>(text.str());
}

/// A plugin key as QGIS names plugins: a folder name.
Expected<void> check_key(std::string_view key) {
    if (key.empty() || key.find('/') != std::string_view::npos ||
        key.find('\0') != std::string_view::npos) {
        return failure(fmt::format("'{}' is not a plugin folder name", key));
    }
    if (unicode::find_invalid_utf8(key) != unicode::npos) {
        return failure(fmt::format("the plugin folder name '{}' is not UTF-8", key));
    }
    return {};
}

} // namespace

fs::path qgis_settings_file(const fs::path& profile) {
    return profile / "QGIS" / "QGIS3.ini";
}

Expected<PythonPluginsReport> change_python_plugins(const fs::path& profile,
                                                    const std::vector<std::string>& keys,
                                                    PythonPluginChange change,
                                                    const SettingsWriteOptions& options) {
    PythonPluginsReport report;
    report.file = qgis_settings_file(profile);
    const std::string name = report.file.string();
    std::vector<QSettingsEdit> edits;
    for (const auto& key : keys) {
        QPLUG_TRY(check_key(key));
        auto more = python_plugin_edits(key, change);
        edits.insert(edits.end(), more.begin(), more.end());
    }
    std::error_code ec;
    std::optional<QtLockFile> lock;
    if (!options.dry_run) {
        fs::create_directories(report.file.parent_path(), ec);
        if (ec) {
            return io_failure(fmt::format("{}: cannot create the folder: {}",
                                          report.file.parent_path().string(), ec.message()));
        }
        // QSettings reads, merges and writes under this lock: a QGIS saving its settings at
        // the same moment neither loses this change nor has its own lost.
        auto locked = QtLockFile::acquire(name + ".lock", options.lock_wait);
        QPLUG_RETURN_IF_ERROR(locked);
        lock.emplace(std::move(*locked));
    }
    auto text = read_text(report.file);
    QPLUG_RETURN_IF_ERROR(text);
    const bool existed = text->has_value();
    const std::string before = text->value_or("");
    auto after = edit_qsettings_ini(before, edits, name);
    QPLUG_RETURN_IF_ERROR(after);
    auto entries_before = read_qsettings_ini(before, name);
    auto entries_after = read_qsettings_ini(*after, name);
    if (!entries_before || !entries_after) {
        return failure(fmt::format("{}: cannot be read back", name)); // edit_ checked both
    }
    for (const auto& key : keys) {
        report.plugins.push_back({key, python_plugin_setting(*entries_before, key),
                                  python_plugin_setting(*entries_after, key)});
    }
    if (*after == before) {
        return report; // an absent file stays absent
    }
    report.created = !existed;
    if (!options.dry_run) {
        QPLUG_TRY(replace_file_atomically(report.file, *after));
        report.written = true;
    }
    return report;
}

Expected<PythonPluginSetting> read_python_plugin_setting(const fs::path& profile,
                                                         std::string_view key) {
    const fs::path file = qgis_settings_file(profile);
    auto text = read_text(file);
    QPLUG_RETURN_IF_ERROR(text);
    if (!text->has_value()) {
        return PythonPluginSetting{};
    }
    auto entries = read_qsettings_ini(**text, file.string());
    QPLUG_RETURN_IF_ERROR(entries);
    return python_plugin_setting(*entries, key);
}

Expected<bool> is_plugin_enabled(const fs::path& profile, std::string_view key) {
    auto setting = read_python_plugin_setting(profile, key);
    QPLUG_RETURN_IF_ERROR(setting);
    return setting->starts();
}

} // namespace qplug::solver
