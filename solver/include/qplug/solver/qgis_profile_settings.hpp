// Enabling and disabling Python plugins in a QGIS profile's settings (<profile>/QGIS/QGIS3.ini)
// the way QGIS's own installer and Plugin Manager do, with every other byte of the file kept
// (docs/install.md, "Enabling plugins in QGIS").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>
#include <qplug/solver/qgis_settings.hpp>

namespace qplug::solver {

/// <profile>/QGIS/QGIS3.ini: where QGIS keeps a profile's settings.
std::filesystem::path qgis_settings_file(const std::filesystem::path& profile);

struct SettingsWriteOptions {
    /// Work out and report the change, write nothing.
    bool dry_run = false;
    /// How long to wait for QSettings' lock file (QGIS3.ini.lock) that a running QGIS holds
    /// while it saves its settings (milliseconds at a time).
    std::chrono::milliseconds lock_wait = std::chrono::seconds(10);
};

/// One plugin key before and after a change.
struct PythonPluginSettingChange {
    std::string key;
    PythonPluginSetting before;
    PythonPluginSetting after;
    bool changed() const {
        return before.present != after.present || before.enabled != after.enabled ||
               before.watchdog != after.watchdog;
    }
};

struct PythonPluginsReport {
    std::filesystem::path file; ///< the QGIS3.ini changed
    bool created = false;       ///< it did not exist (it was, or in a dry run would be, created)
    bool written = false;       ///< it was replaced (false in a dry run or when nothing changed)
    std::vector<PythonPluginSettingChange> plugins; ///< in the order of the keys given
};

/// Makes `change` for every key in the profile's QGIS3.ini in one rewrite: read (an absent
/// file reads as empty), edited with edit_qsettings_ini() (every other byte kept), then, if
/// anything changed, replaced atomically under QSettings' own lock file: a temporary file in
/// the same folder is written, synced, given the old file's permissions and renamed over it,
/// then the folder is synced. A symbolic link is followed (the file it points to is
/// replaced). QGIS/ and the file are created when missing. Keys are plugin folder names: not
/// empty, no '/', UTF-8. Nothing is written when any key is refused or the file is not one
/// QSettings wrote (the error says where).
Expected<PythonPluginsReport> change_python_plugins(const std::filesystem::path& profile,
                                                    const std::vector<std::string>& keys,
                                                    PythonPluginChange change,
                                                    const SettingsWriteOptions& options = {});

/// What the profile's QGIS3.ini says about `key` (all false when the file does not exist).
Expected<PythonPluginSetting> read_python_plugin_setting(const std::filesystem::path& profile,
                                                         std::string_view key);

/// Whether QGIS starts the plugin `key` of the profile at its next start, as far as its
/// settings say: PythonPlugins/<key> reads as true and no watchDog entry disables it.
Expected<bool> is_plugin_enabled(const std::filesystem::path& profile, std::string_view key);

} // namespace qplug::solver
