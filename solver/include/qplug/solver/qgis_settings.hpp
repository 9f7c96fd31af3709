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
