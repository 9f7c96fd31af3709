// What a QGIS profile's settings say about plugin repositories: <profile>/QGIS/QGIS3.ini read
// as QSettings (IniFormat, Qt 6) reads it, and the repositories as QGIS's plugin installer
// loads them (docs/index-sources.md, "Installed plugins and QGIS profiles").
// SPDX-License-Identifier: GPL-2.0-or-later
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <qplug/expected.hpp>

namespace qplug::solver {

/// One key of a QSettings INI file with the value QSettings::value() returns for it.
struct QSettingsEntry {
    /// The full key, groups separated by '/': "app/plugin_repositories/My Repo/url"
    /// ([General] keys have no group).
    std::string key;
    enum class Type {
        string,      ///< text (also @String(..), @ByteArray(..) and "@@" values)
        list,        ///< an unquoted ',' made it a string list
        invalid,     ///< @Invalid(): QVariant()
        unsupported, ///< @Variant(..), @DateTime(..), @Rect(..) ...: binary or typed data
    };
    Type type = Type::string;
    std::string text;               ///< string: the value; unsupported: the value as written
    std::vector<std::string> items; ///< list: the strings
    std::size_t line = 0;           ///< where the key is, 1-based
    std::size_t column = 0;
};

/// Reads INI text as QSettings does: ';' comments (also after a value), [General] or no
/// section for keys without a group, '\' in keys and sections as the group separator,
/// %XX and %UXXXX key escapes, "..." quoting and \-escapes in values, unquoted ',' for
/// lists, @Type(..) values, a UTF-8 BOM. The entries come sorted by key, as QSettings lists
/// them; a key set twice keeps the value QSettings keeps. Fails, with the line, where
/// QSettings would report a FormatError (a line without '=', a section header without
/// ']'): QSettings never writes such a file, so it is not one QGIS wrote.
Expected<std::vector<QSettingsEntry>> read_qsettings_ini(std::string_view text,
                                                         std::string_view file_name = "QGIS3.ini");

/// QSettings' iniEscapedKey: how QSettings writes a key or a section name in the file.
/// [A-Za-z0-9_.-] stay, '/' becomes a backslash, other UTF-16 code units become %XX up to 0xFF and
/// %UXXXX above (upper-case hex). `key` is UTF-8.
std::string qsettings_escaped_key(std::string_view key);

/// One change to a QSettings INI file, as QSettings::setValue() or remove() makes it.
struct QSettingsEdit {
    enum class Action {
        set,    ///< the key gets `value`
        remove, ///< the key and its sub-keys ("key/...") are gone, as QSettings::remove()
    };
    Action action = Action::set;
    /// UTF-8, groups separated by '/'; empty parts (a leading, trailing or doubled '/') are
    /// dropped, as QSettings drops them.
    std::string key;
    /// set: the value as QSettings writes it after '=' ("true", "false"); letters, digits
    /// and "_.-" only, so that it needs no quoting or escape.
    std::string value;
};

/// The INI text with the edits made in order, every other byte kept (BOM, comments, line
/// breaks, order, the spelling of every other entry):
/// - set: the entry QSettings takes the key's value from (the last one in its order when the
///   key is written several times, in any escape or section) gets the value in place, its
///   key, spacing and comment kept. Without one, `<escaped key>=<value>` is added after the
///   last entry of the key's section (its first group; [General] for a key without '/'),
///   or a new section is added at the end. New lines end as the file's first line does
///   ("\n" in a file without a line break).
/// - remove: the lines of every entry of the key or a sub-key are deleted.
/// Fails as read_qsettings_ini() does (a text QSettings did not write is not edited), and on
/// an empty key, a key that is not UTF-8, or a value that would need quoting.
Expected<std::string> edit_qsettings_ini(std::string_view text,
                                         const std::vector<QSettingsEdit>& edits,
                                         std::string_view file_name = "QGIS3.ini");

/// What QGIS 3.22 writes under [PythonPlugins] for a plugin key (its folder name).
enum class PythonPluginChange {
    /// `<key>=true`, and `watchDog/<key>` removed: the Plugin Manager's check box and the
    /// installer after a fresh install (QgsPluginRegistry::loadPythonPlugin). A watchDog key
    /// left in place would make QGIS disable the plugin at its next start.
    enable,
    /// `<key>=false` (QgsPluginRegistry::unloadPythonPlugin).
    disable,
    /// `<key>` and its sub-keys removed: the installer's uninstall
    /// (installer.py, uninstallPlugin: settings.remove("/PythonPlugins/" + key)).
    forget,
};

/// The edits that make `change` for `key`.
std::vector<QSettingsEdit> python_plugin_edits(std::string_view key, PythonPluginChange change);

/// What a QGIS3.ini says about one plugin key.
struct PythonPluginSetting {
    bool present = false;  ///< PythonPlugins/<key> is set
    bool enabled = false;  ///< and reads as true (QVariant::toBool(): not "", "0", "false")
    bool watchdog = false; ///< PythonPlugins/watchDog/<key> is set: QGIS disables the plugin at
                           ///< its next start ("it crashed QGIS during last startup")
    /// QGIS starts the plugin at its next start (when it is installed and loads).
    bool starts() const { return enabled && !watchdog; }
};

/// Reads the setting of `key` from entries read_qsettings_ini() returned.
PythonPluginSetting python_plugin_setting(const std::vector<QSettingsEntry>& entries,
                                          std::string_view key);

/// A plugin repository as QGIS's plugin installer loads it from app/plugin_repositories.
struct QgisRepository {
    std::string name; ///< the group's name, unescaped ("QGIS Official Plugin Repository")
    std::string url;
    bool enabled = true;  ///< "enabled", true when absent (QVariant's string-to-bool)
    bool valid = true;    ///< "valid": QGIS only fetches repositories enabled and valid
    std::string authcfg;  ///< an id of QGIS's authentication database, "" for none
    bool implied = false; ///< not in the file: QGIS adds its official repository itself
    std::size_t line = 0; ///< where its url is set; 0 when implied
};

inline constexpr std::string_view kQgisOfficialRepositoryName = "QGIS Official Plugin Repository";
inline constexpr std::string_view kQgisOfficialRepositoryUrl =
    "https://plugins.qgis.org/plugins/plugins.xml";

/// The repositories of a QGIS3.ini in QGIS's order (sorted by name), with the official
/// repository as QGIS adds it when no repository has its URL. Values QGIS could not read
/// as it expects (a list, @Variant data, a repository without URL) are warnings and take
/// QGIS's default, or leave the repository out. Fails as read_qsettings_ini() does.
Expected<std::vector<QgisRepository>>
read_qgis_repositories(std::string_view ini_text, std::vector<std::string>* warnings = nullptr,
                       std::string_view file_name = "QGIS3.ini");

} // namespace qplug::solver
